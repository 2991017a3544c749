"""The geo kernel: CRS, polygon cleaning and text rules that every package shares."""
