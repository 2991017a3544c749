"""Evidence photos: a content-addressed media store, photo checks, and their links to reports."""
