"""The geogrid command line: thin commands over the same core the API uses."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from geogrid.cli import api as api_commands
from geogrid.cli import db as db_commands
from geogrid.cli import demo as demo_commands
from geogrid.cli import grids as grid_commands
from geogrid.cli import load as load_commands
from geogrid.cli import maps as map_commands
from geogrid.cli import reports as report_commands
from geogrid.cli import sample as sample_commands
from geogrid.cli import staff as staff_commands
from geogrid.errors import GeogridError

app = typer.Typer(
    help="geogrid: spatial grid management (网格化管理) for county policing.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(db_commands.app, name="db")
app.command("demo")(demo_commands.demo)
app.command("load")(load_commands.load)
app.command("sample")(sample_commands.sample)
app.command("build")(grid_commands.build)
app.command("validate")(grid_commands.validate)
app.add_typer(grid_commands.app, name="grids")
app.add_typer(staff_commands.app, name="staff")
app.command("export")(staff_commands.export)
app.command("sample-reports")(report_commands.sample_reports)
app.command("ingest")(report_commands.ingest)
app.command("reassign")(report_commands.reassign)
app.add_typer(report_commands.app, name="report")
app.add_typer(report_commands.categories_app, name="categories")
app.command("maps")(map_commands.maps)
app.command("print")(map_commands.print_maps)
app.command("serve")(api_commands.serve)
app.add_typer(api_commands.users_app, name="users")


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
