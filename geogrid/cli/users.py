"""`geogrid users ...`: who may call the HTTP API, with which role and scope."""

from __future__ import annotations

import typer
from rich.table import Table

from geogrid.cli.common import console, engine

app = typer.Typer(help="API users and their tokens.", no_args_is_help=True)
ROLE_HELP = "county_admin, station (--station), grid_staff (--person) or department (--department)."


@app.command("add")
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


@app.command("list")
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


@app.command("revoke")
def revoke(name: str = typer.Argument(..., help="The user whose token stops working.")) -> None:
    """Revoke a user's token (running servers notice within a few seconds)."""
    from geogrid.access.users import revoke_user

    with engine().begin() as conn:
        revoke_user(conn, name)
    console.print(f"user {name} revoked")


@app.command("sessions")
def sessions(
    name: str | None = typer.Argument(None, help="Only this user's sessions."),
) -> None:
    """The live sign-ins: consoles (browsers) and devices (phones), never their secrets."""
    from geogrid.access.sessions import list_sessions
    from geogrid.vocabulary import china_now

    with engine().begin() as conn:
        rows = [r for r in list_sessions(conn, live_at=china_now())
                if name is None or r.user_name == name]  # fmt: skip
    table = Table(title="Live sessions", title_justify="left")
    for column in ("id", "user", "kind", "device", "last seen", "expires"):
        table.add_column(column)
    for r in rows:
        seen, expires = f"{r.last_seen_at:%Y-%m-%d %H:%M}", f"{r.expires_at:%Y-%m-%d %H:%M}"
        table.add_row(str(r.id), r.user_name, r.kind, r.device_name or "", seen, expires)
    console.print(table)


@app.command("end-session")
def end_session(
    session_id: int = typer.Argument(..., help="The id `users sessions` shows."),
) -> None:
    """Sign a console or a phone out at once (a lost phone, say)."""
    from geogrid.access.sessions import revoke_session
    from geogrid.vocabulary import china_now

    with engine().begin() as conn:
        revoke_session(conn, session_id, now=china_now())
    console.print(f"session {session_id} ended")
