"""`geogrid serve`: the HTTP API and the web maps, with uvicorn."""

from __future__ import annotations

from dataclasses import dataclass

import typer

from geogrid.cli.common import console, engine


@dataclass(frozen=True)
class ServeOptions:
    """Where and how the API listens."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    log_level: str = "info"


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, min=1, max=65535, help="TCP port."),
    workers: int = typer.Option(1, min=1, max=64, help="Worker processes (one per core)."),
    log_level: str = typer.Option("info", help="uvicorn log level: warning, info, debug."),
) -> None:
    """Serve the API (OpenAPI docs at /docs) with uvicorn until interrupted."""
    run_server(ServeOptions(host, port, workers, log_level))


def run_server(options: ServeOptions) -> None:
    """Check the settings and the database, then serve until interrupted."""
    import uvicorn

    from geogrid.api.settings import load_api_settings

    load_api_settings()  # a bad GEOGRID_API_ variable: one clear line, before any worker starts
    engine().dispose()  # migrates the embedded cluster first, and fails early and clearly
    host, port = options.host, options.port
    console.print(f"geogrid API on http://{host}:{port} (docs at /docs); Ctrl-C stops it")
    uvicorn.run(
        "geogrid.api.app:create_app", factory=True, host=host, port=port,
        workers=options.workers, log_level=options.log_level,
        access_log=options.log_level == "debug", proxy_headers=False,
    )  # fmt: skip
