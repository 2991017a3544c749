"""The geogrid command line: thin commands over the same core the API uses."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from geogrid.cli import (
    categories,
    db,
    demo,
    export,
    grids,
    load,
    maps,
    patrols,
    prints,
    qgis,
    registry,
    reports,
    sample,
    serve,
    staff,
    team,
    users,
)
from geogrid.errors import GeogridError

# Each command's callback lives in the module named after it (tests/cli/test_fronts.py).
app = typer.Typer(
    help="geogrid: spatial grid management (网格化管理) for county policing.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(db.app, name="db")
app.command("demo")(demo.demo)
app.command("load")(load.load)
app.command("sample")(sample.sample)
app.command("build")(grids.build)
app.command("validate")(grids.validate)
app.add_typer(grids.app, name="grids")
app.add_typer(staff.app, name="staff")
app.add_typer(export.app, name="export")
app.command("sample-reports")(sample.sample_reports)
app.command("ingest")(reports.ingest)
app.command("reassign")(reports.reassign)
app.add_typer(reports.app, name="report")
app.add_typer(categories.app, name="categories")
app.command("maps")(maps.maps)
app.command("print")(prints.print_)
app.command("qgis")(qgis.qgis)
app.command("serve")(serve.serve)
app.add_typer(users.app, name="users")
app.add_typer(team.app, name="team")
app.add_typer(registry.app, name="registry")
app.add_typer(patrols.app, name="patrols")


def main() -> None:
    """Entry point of the geogrid console script: domain errors become exit code 1."""
    from sqlalchemy.exc import DBAPIError

    try:
        app()
    except GeogridError as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(1)
    except DBAPIError as exc:  # a failure we did not foresee: say what, without the SQL
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        Console(stderr=True).print(f"[bold red]database error:[/] {first}", highlight=False)
        sys.exit(1)
