"""The grid staff's phone app at /app: an offline-first web app over the /v1 API."""
