"""`geogrid staff ...`: who is on duty for which grid, filled from the register."""

from __future__ import annotations

from datetime import date

import typer
from rich.table import Table

from geogrid.cli.common import console, engine, version_or_active
from geogrid.errors import InputError
from geogrid.usecases.staffing import StaffReport

app = typer.Typer(help="Who is responsible for which grid.", no_args_is_help=True)
LEVEL_NAMES = {1: "communities (社区民警)", 2: "grids (网格长)", 3: "units (网格信息员)"}


@app.command()
def auto(
    version: int | None = typer.Option(None, help="Default: the active version."),
    from_day: str | None = typer.Option(
        None, "--from", help="First day on duty, YYYY-MM-DD (default: today)."
    ),
) -> None:
    """Fill every unstaffed grid from the register (own community first, vetted first)."""
    from geogrid.usecases.staffing import auto_assign

    try:
        first = date.fromisoformat(from_day) if from_day else None
    except ValueError:
        raise InputError(f"--from {from_day!r} is not a date (YYYY-MM-DD)", field="from") from None
    eng = engine()
    print_assignments(auto_assign(eng, version_or_active(eng, version), first))


def print_assignments(made: dict[int, int]) -> None:
    """How many assignments were made at each level."""
    for level, count in made.items():
        console.print(f"{LEVEL_NAMES[level]}: {count:,} assignments made")


@app.command()
def report(version: int | None = typer.Option(None, help="Default: the active version.")) -> None:
    """Grids without a person, people without a grid, and vetting status."""
    from geogrid.usecases.staffing import staff_report

    eng = engine()
    print_staffing(staff_report(eng, version_or_active(eng, version)))


def print_staffing(result: StaffReport) -> None:
    """Coverage per level, the first unstaffed grids, the idle people and vetting counts."""
    table = Table(title="staffing", title_justify="left")
    for column in ("level", "staffed", "grids", "coverage", "first unstaffed"):
        table.add_column(column)
    for level, (staffed, total) in result.coverage.items():
        share = f"{staffed / total:.1%}" if total else "-"
        first = " ".join(result.unstaffed[level][:3])
        table.add_row(LEVEL_NAMES[level], f"{staffed:,}", f"{total:,}", share, first)
    console.print(table)
    console.print(f"people without a grid: {result.idle_count:,}")
    for person_no, name, role in result.idle_people[:10]:
        console.print(f"  {person_no} {name} ({role})")
    vetting = ", ".join(f"{k} {v:,}" for k, v in result.vetting.items())
    console.print(f"vetting: {vetting}")
