"""The station console's pages: Jinja2 templates, their static files and page helpers."""
