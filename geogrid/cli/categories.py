"""`geogrid categories ...`: report categories, their routing and heatmap group."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import typer
from rich.table import Table

from geogrid.cli.common import console, engine

app = typer.Typer(help="Report categories and their routing.", no_args_is_help=True)


@app.command("list")
def list_() -> None:
    """The categories, their routing and heatmap group."""
    print_categories(seeded_categories())


def seeded_categories() -> list:
    """The category rows, the built-in ones seeded first if missing."""
    from geogrid.reports.categories import seed_categories
    from geogrid.storage.categories import category_rows

    with engine().begin() as conn:
        seed_categories(conn)
        return category_rows(conn)


def print_categories(rows: Sequence) -> None:
    """The categories as one table, security routing to the station (派出所) by default."""
    table = Table(title="report categories", title_justify="left")
    for column in ("code", "名称", "kind", "security", "department", "heatmap", "sensitive"):
        table.add_column(column)
    for r in rows:
        shown = (r.code, r.name_zh, r.kind, r.is_security, r.department_name or "派出所",
                 r.heat_group or "", r.sensitive)  # fmt: skip
        table.add_row(*[("yes" if v else "") if isinstance(v, bool) else v for v in shown])
    console.print(table)


@app.command("load")
def load(
    path: Path = typer.Argument(..., help="TOML with [[department]]/[[category]]."),
) -> None:
    """Add or change departments and categories from a TOML file."""
    from geogrid.reports.categories import load_categories_file

    with engine().begin() as conn:
        written = load_categories_file(conn, path)
    console.print(f"{written} departments and categories written from {path}")
