"""`geogrid patrols ...`: patrol coverage of the units (巡查覆盖率), and sample patrols."""

from __future__ import annotations

import typer
from rich.table import Table

from geogrid.cli.common import console, engine
from geogrid.patrols.coverage import UnitCoverage
from geogrid.usecases.sample_patrols import SamplePatrols

app = typer.Typer(help="Patrols, work logs and patrol coverage.", no_args_is_help=True)


@app.command()
def coverage(
    month: str = typer.Argument(..., help="YYYY-MM (China time)."),
    area: list[str] = typer.Option([], help="Only grids under these code prefixes."),
    top: int = typer.Option(10, help="Units shown (the most visited first)."),
) -> None:
    """The share of each unit within 50 m of the month's patrol tracks, and its visits."""
    from geogrid.patrols.coverage import coverage_by_unit

    with engine().connect() as conn:
        units = coverage_by_unit(conn, month, area=tuple(area) or None)
    print_coverage(month, units, top)


@app.command()
def sample(
    leaders: int = typer.Option(20, help="Grid leaders who patrol."),
    seed: int = typer.Option(2026, help="Random seed."),
) -> None:
    """Sample patrols along the streets and work logs of last month (run again: no repeat)."""
    from geogrid.usecases.sample_patrols import make_sample_patrols

    print_sample(make_sample_patrols(engine(), leaders=leaders, seed=seed))


def print_sample(made: SamplePatrols) -> None:
    """What the sample made."""
    console.print(f"{made.month}: {made.leaders} grid leaders, {made.patrols:,} patrols with "
                  f"{made.points:,} track points, {made.logs:,} work logs")  # fmt: skip


def print_coverage(month: str, units: list[UnitCoverage], top: int) -> None:
    """The most visited units, and how many units any patrol came near."""
    visited = [u for u in units if u.patrols]
    area = sum(u.area_m2 for u in units)
    covered = sum(u.covered_m2 for u in units)
    share = covered / area if area else 0.0
    console.print(f"{month}: {len(visited):,} of {len(units):,} units patrolled; "
                  f"{share:.1%} of their area within 50 m of a track")  # fmt: skip
    table = Table("unit", "name", "area m²", "covered", "patrols", "days", "check-ins")
    for u in sorted(visited, key=lambda u: (-u.patrols, -u.share, u.code))[:top]:
        table.add_row(u.code, u.name, f"{u.area_m2:,.0f}", f"{u.share:.1%}", str(u.patrols),
                      str(u.days), str(u.check_ins))  # fmt: skip
    console.print(table)
