"""`geogrid build`, `geogrid validate` and `geogrid grids ...`: making and managing versions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from geogrid.cli.common import console, engine
from geogrid.errors import BuildError
from geogrid.vocabulary import (
    BUILD_TOLERANCE_M,
    TOWN_GRID_HOUSEHOLDS,
    UNIT_HOUSEHOLDS,
    UNIT_HOUSEHOLDS_HIGH,
    UNIT_HOUSEHOLDS_LOW,
)

if TYPE_CHECKING:  # the builder loads numpy and shapely: only when a command needs it
    from geogrid.building.build import BuildOptions
    from geogrid.usecases.versions import BuildResult

app = typer.Typer(help="Grid versions: list, activate, compare.", no_args_is_help=True)
SHOWN_ISSUES = 30


def build(
    town_households: int = typer.Option(
        TOWN_GRID_HOUSEHOLDS, help="Target households of a town level-2 grid."
    ),
    unit_target: int = typer.Option(UNIT_HOUSEHOLDS, help="Target households of a level-3 unit."),
    unit_min: int = typer.Option(UNIT_HOUSEHOLDS_LOW, help="Fewest households a unit should hold."),
    unit_max: int = typer.Option(UNIT_HOUSEHOLDS_HIGH, help="Most households a unit should hold."),
    tolerance: float = typer.Option(
        BUILD_TOLERANCE_M, help="Gaps and overlaps narrower (m) are snapped."
    ),
    activate_it: bool = typer.Option(False, "--activate", help="Activate it if it passes."),
    note: str = typer.Option("", help="A note stored with the version."),
) -> None:
    """Build a new draft grid version from the loaded inputs, validate it, store it."""
    from geogrid.building.build import BuildOptions

    options = BuildOptions(tolerance, town_households, unit_target, unit_min, unit_max)
    print_build(build_with_progress(options, note=note, activate=activate_it))


def build_with_progress(options: BuildOptions, *, note: str, activate: bool) -> BuildResult:
    """Build, validate and store a version under a progress bar."""
    from geogrid.usecases.versions import build_version

    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task("reading inputs", total=None)
        return build_version(
            engine(), options, note=note, activate=activate,
            progress=lambda step, done, total: progress.update(
                task, description=step, completed=done, total=total),
        )  # fmt: skip


def print_build(result: BuildResult) -> None:
    """The build's issues and validation, then where it was stored; fails if it was not."""
    _print_issues(result.built.issues)
    print_validation(result.validation)
    if result.version is None:
        raise BuildError("the build failed validation: nothing was stored (see above)")
    console.print(f"stored as draft version {result.version} in {result.seconds:.1f} s")
    if result.activated:
        console.print(f"version {result.version} is active")


def validate(version: int | None = typer.Argument(None, help="Version (default: active).")) -> None:
    """Validate a stored grid version again and print the report."""
    from geogrid.building.validate import validate_grids
    from geogrid.storage.versions import active_version_or_none, existing_version, latest_version
    from geogrid.usecases import versions

    eng = engine()
    with eng.connect() as conn:
        if version is not None:
            number = existing_version(conn, version)
        else:
            number = active_version_or_none(conn) or latest_version(conn)
    if number is None:
        raise BuildError("no grid version yet: run geogrid build")
    report = validate_grids(versions.load_built(eng, number))
    console.print(f"grid version {number}")
    print_validation(report)
    if not report["passed"]:
        raise typer.Exit(1)


def print_validation(report: dict) -> None:
    """The validation numbers as one table per concern."""
    console.print(f"computed in {report.get('crs', 'the Gauss-Krüger zone')}")
    if not report["households"].get("recounted", True):
        console.print(
            "other inputs are loaded now: coverage checked against the version's own level 1,"
            " households as stored (not recounted)"
        )
    table = Table(title="validation", title_justify="left")
    for column in (
        "level",
        "grids",
        "gap m²",
        "overlap m²",
        "invalid",
        "multi-part",
        "Polsby-Popper median",
    ):
        table.add_column(column, justify="right")
    for level, data in report["levels"].items():
        cov, val = data["coverage"], data["validity"]
        median = data["polsby_popper"].get("median", "-")
        table.add_row(
            level, f"{data['count']:,}", f"{cov['gap_m2']:.2f}", f"{cov['overlap_m2']:.2f}",
            str(val["invalid"]), str(val["multipart"]), str(median),
        )  # fmt: skip
    console.print(table)
    hh = report["households"]
    per = hh["per_unit"]
    counted = (
        f"at {hh['points']:,} points, {hh['points_without_unit']} in no unit"
        if hh.get("recounted", True)
        else "as stored"
    )
    console.print(
        f"households {hh['total']:,} {counted}; "
        f"per unit min {per.get('min', 0):.0f} / median {per.get('median', 0):.0f} / max {per.get('max', 0):.0f}; "  # noqa: E501
        f"{hh['share_in_bounds']:.1%} of units hold {hh['bounds'][0]}-{hh['bounds'][1]}"
    )
    nesting = report["nesting"]
    orphans, outside = nesting["orphan_count"], nesting["outside_parent_count"]
    console.print(f"nesting: {orphans} without parent, {outside} outside their parent")
    for error in report["errors"]:
        console.print(f"[red]error:[/] {error}")
    console.print("[green]passed[/]" if report["passed"] else "[red]failed[/]")


def _print_issues(issues) -> None:
    shown = [i for i in issues if i.severity != "info"][:SHOWN_ISSUES]
    quiet = sum(1 for i in issues if i.severity == "info")
    if shown:
        table = Table(title="build issues", title_justify="left")
        for column in ("level", "severity", "where (lon, lat)", "issue"):
            table.add_column(column, overflow="fold")
        for i in shown:
            table.add_row(str(i.level), i.severity, f"{i.lon:.5f}, {i.lat:.5f}", i.message)
        console.print(table)
    if quiet:
        console.print(f"{quiet} gaps/overlaps within the tolerance were snapped")


@app.command("list")
def list_versions() -> None:
    """Every grid version with its status and counts."""
    from geogrid.storage import grids

    table = Table()
    for column in (
        "version",
        "status",
        "created",
        "level 1",
        "level 2",
        "level 3",
        "valid",
        "note",
    ):
        table.add_column(column)
    for r in grids.version_rows(engine()):
        created = f"{r['created_at']:%Y-%m-%d %H:%M}"
        counts = (str(r["l1"]), str(r["l2"]), str(r["l3"]))
        valid = "yes" if r["passed"] else "no"
        table.add_row(str(r["id"]), r["status"], created, *counts, valid, r["note"])
    console.print(table)


@app.command()
def activate(version: int = typer.Argument(..., help="The version to use for assignment.")) -> None:
    """Make a version the active one (the previous active one is retired); the registry's
    standard addresses are placed in its grids."""
    from geogrid.usecases.versions import activate_version

    moved = activate_version(engine(), version)
    console.print(f"version {version} is active ({moved:,} standard addresses moved)")


@app.command()
def diff(old: int = typer.Argument(...), new: int = typer.Argument(...)) -> None:
    """Grids added, removed and changed between two versions."""
    from geogrid.storage import grids

    result = grids.diff_versions(engine(), old, new)
    for label, codes in (
        ("added", result.added),
        ("removed", result.removed),
        ("changed", result.changed),
    ):
        more = " ..." if len(codes) > 50 else ""
        console.print(f"[bold]{label}[/] ({len(codes)}): {' '.join(codes[:50])}{more}")
