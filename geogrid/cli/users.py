"""`geogrid serve` and `geogrid users ...`: the HTTP API and who may call it."""

from __future__ import annotations

import typer
from rich.table import Table

from geogrid.cli.common import console, engine

users_app = typer.Typer(help="API users and their tokens.", no_args_is_help=True)
ROLE_HELP = "county_admin, station (--station), grid_staff (--person) or department (--department)."


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, min=1, max=65535, help="TCP port."),
    workers: int = typer.Option(1, min=1, max=64, help="Worker processes (one per core)."),
    log_level: str = typer.Option("info", help="uvicorn log level: warning, info, debug."),
) -> None:
    """Serve the API (OpenAPI docs at /docs) with uvicorn until interrupted."""
    import uvicorn

    from geogrid.api.settings import load_api_settings

    load_api_settings()  # a bad GEOGRID_API_ variable: one clear line, before any worker starts
    engine().dispose()  # migrates the embedded cluster first, and fails early and clearly
    console.print(f"geogrid API on http://{host}:{port} (docs at /docs); Ctrl-C stops it")
    uvicorn.run(
        "geogrid.api.app:create_app", factory=True, host=host, port=port, workers=workers,
        log_level=log_level, access_log=log_level == "debug", proxy_headers=False,
    )  # fmt: skip


@users_app.command("add")
def add(
    name: str = typer.Argument(..., help="A unique name (shown in the audit trail)."),
    role: str = typer.Option(..., help=ROLE_HELP),
    station: str | None = typer.Option(None, help="Station code, for --role station."),
    department: str | None = typer.Option(None, help="Department code, for --role department."),
    person: str | None = typer.Option(None, help="Person number (人员编号), for grid_staff."),
) -> None:
    """Create a user and print its token once (only a digest is stored)."""
    from geogrid.access.users import add_user

    with engine().begin() as conn:
        token = add_user(conn, name, role, station=station, department=department, person=person)
    console.print(f"user {name} ({role}) created; its token, shown only now:")
    print(token)


@users_app.command("list")
def list_() -> None:
    """Every user with its role, scope and state (never the tokens)."""
    from geogrid.access.users import list_users

    with engine().connect() as conn:
        rows = list_users(conn)
    table = Table(title="API users", title_justify="left")
    for column in ("name", "role", "scope", "active", "created"):
        table.add_column(column)
    for row in rows:
        scope = row.station or row.department or row.person or "county"
        table.add_row(row.name, row.role, scope, "yes" if row.active else "revoked",
                      f"{row.created_at:%Y-%m-%d %H:%M}")  # fmt: skip
    console.print(table if rows else "no API users yet: geogrid users add NAME --role ...")


@users_app.command("revoke")
def revoke(name: str = typer.Argument(..., help="The user whose token stops working.")) -> None:
    """Revoke a user's token (running servers notice within a few seconds)."""
    from geogrid.access.users import revoke_user

    with engine().begin() as conn:
        revoke_user(conn, name)
    console.print(f"user {name} revoked")
