"""The HTTP API (FastAPI): `geogrid.api.app.create_app(settings)` builds it."""
