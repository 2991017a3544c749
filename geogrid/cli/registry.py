"""`geogrid registry ...`: the basic-information registry from the command line (import,
export, address search, completeness); the same core as the API's /v1/registry."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from geogrid.cli.common import console, engine
from geogrid.vocabulary import REGISTRY_KINDS

app = typer.Typer(help="The basic-information registry (一标三实).", no_args_is_help=True)
MAX_ERRORS_SHOWN = 30
KIND_HELP = f"The kind of record: {', '.join(REGISTRY_KINDS)}."


@app.command("import")
def import_(
    path: Path = typer.Argument(..., help="CSV (UTF-8 or GBK) or XLSX, one kind a file."),
    kind: str = typer.Option(..., help=KIND_HELP),
    mapping: Path | None = typer.Option(None, help="TOML [fields]: registry field = column."),
    commit: bool = typer.Option(False, "--commit", help="Store (default: a dry run)."),
    county: str = typer.Option("370782", help="County code of the addresses (6 digits)."),
) -> None:
    """Check every row (errors per row and field) and, with --commit, store the good ones."""
    from geogrid.registry.idnumbers import IdCipher
    from geogrid.registry.imports import ImportOptions, import_registry
    from geogrid.reports.index import load_index
    from geogrid.settings import get_settings

    eng = engine()
    options = ImportOptions(kind, mapping, commit, county)
    result = import_registry(eng, path, options, index=load_index(eng),
                             cipher=_cipher_if_set(IdCipher, get_settings()))  # fmt: skip
    verb = "imported" if result.committed else "would be imported (dry run; --commit stores)"
    console.print(f"{result.rows:,} rows read, {result.imported:,} {verb}, "
                  f"{len(result.errors):,} rejected")  # fmt: skip
    for error in result.errors[:MAX_ERRORS_SHOWN]:
        console.print(f"  row {error.row}: field {error.field!r}: {error.message}")
    if len(result.errors) > MAX_ERRORS_SHOWN:
        console.print(f"  ... and {len(result.errors) - MAX_ERRORS_SHOWN:,} more rejected")


@app.command("export")
def export(
    path: Path = typer.Argument(..., help="The file to write: .csv or .xlsx."),
    kind: str = typer.Option(..., help=KIND_HELP),
    id_numbers: bool = typer.Option(False, "--id-numbers",
                                    help="ID numbers in clear (recorded in the audit trail)."),
    actor: str = typer.Option("geogrid export", help="Who exports (for the audit trail)."),
) -> None:  # fmt: skip
    """Write the current records of a kind, as the import reads them (ID numbers masked)."""
    from geogrid.access.roles import Caller
    from geogrid.registry.exports import export_registry
    from geogrid.registry.idnumbers import IdCipher
    from geogrid.settings import get_settings

    cipher = IdCipher.from_settings(get_settings()) if id_numbers else None
    with engine().begin() as conn:
        count = export_registry(conn, Caller(0, actor, "county_admin"), kind, path,
                                id_numbers=id_numbers, cipher=cipher)  # fmt: skip
    console.print(f"{count:,} {kind} records written to {path}")


@app.command("search")
def search(text: str = typer.Argument(..., help="An address as free text.")) -> None:
    """Standard addresses matching free text, and the unit each lies in."""
    from geogrid.registry.addresses import search_addresses

    with engine().connect() as conn:
        found = search_addresses(conn, text)
    table = Table(title=f"standard addresses for {text!r}", title_justify="left")
    for column in ("code", "address", "unit", "unit name"):
        table.add_column(column)
    for a in found:
        table.add_row(a.code, a.text, a.unit_code or "(none)", a.unit_name or "")
    console.print(table)


@app.command("completeness")
def completeness(
    month: str = typer.Option(..., help="The month, YYYY-MM."),
    level: int = typer.Option(1, help="1 communities, 2 grids, 3 units."),
) -> None:
    """采集率 and 按期率 per grid of a level, as of the month's end (or today)."""
    from geogrid.registry.completeness import completeness as rates

    with engine().connect() as conn:
        print_completeness(rates(conn, month, level), month)


def print_completeness(rows: list, month: str) -> None:
    """A table of completeness rows (the demo prints the communities' with it)."""
    table = Table(title=f"registry completeness, {month} (采集率 / 按期率)", title_justify="left")
    for column in ("grid", "addresses", "housed", "households", "with residents", "采集率",
                   "checks due", "on time", "按期率"):  # fmt: skip
        table.add_column(column, justify="left" if column == "grid" else "right")
    for r in rows:
        table.add_row(r.code, f"{r.addresses:,}", f"{r.housed:,}", f"{r.households:,}",
                      f"{r.with_residents:,}", _share(r.collection_rate), f"{r.due:,}",
                      f"{r.on_time:,}", _share(r.on_time_rate))  # fmt: skip
    console.print(table)


def _share(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.1%}"


def _cipher_if_set(cipher_class, settings):
    """The registry cipher when a key is set; a file without ID numbers needs none."""
    if settings.registry_key is None and settings.registry_key_file is None:
        return None
    return cipher_class.from_settings(settings)
