"""`geogrid sample` and `geogrid sample-reports`: the synthetic county laid inside the real
Zhucheng outline, and a year of reports for it."""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from geogrid.cli.common import console
from geogrid.errors import InputError
from geogrid.vocabulary import china_midnight, china_today

BOUNDARIES = Path(__file__).resolve().parents[2] / "boundaries"
OUTLINE = BOUNDARIES / "zhucheng_outline_gcj02.geojson"
SCALES = ("tiny", "town", "full")


def sample_path(scale: str) -> Path:
    """Where the sample of a scale is written by default (tiny and town are committed)."""
    return BOUNDARIES / "sample" / f"zhucheng_{scale}.gpkg"


def read_outline(path: Path = OUTLINE):
    """The county outline through the same intake as a user's AMap export (GCJ-02)."""
    from geogrid.inputs.load import LoadOptions, prepare_boundaries

    report = prepare_boundaries([path], LoadOptions(crs="gcj02", role="county"))
    county = report.layer("county")
    if county is None or len(county.accepted) == 0:
        problems = "; ".join(p.message for p in report.errors) or "no polygon"
        raise InputError(f"{path}: the county outline cannot be used ({problems})")
    return county.accepted.geometry.union_all()


def sample(
    scale: str = typer.Option("tiny", help="tiny (tests, seconds), town, or full (Zhucheng)."),
    seed: int = typer.Option(2026, help="Same scale and seed: the same county."),
    out: Path | None = typer.Option(None, help="Output GeoPackage (default boundaries/sample/)."),
    outline: Path = typer.Option(OUTLINE, help="County outline (GCJ-02 GeoJSON)."),
) -> None:
    """Write a deterministic synthetic county: communities, villages, streets, households."""
    write_sample(scale, seed, out or sample_path(scale), outline)


def write_sample(scale: str, seed: int, target: Path, outline: Path = OUTLINE) -> None:
    """Generate the sample county of a scale into target under a progress bar; summarise."""
    from geogrid.sample import generate_sample_county

    if scale not in SCALES:
        raise InputError(f"--scale {scale!r} is not one of {', '.join(SCALES)}")
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task("outline", total=None)

        def report(step: str, done: int, total: int) -> None:
            progress.update(task, description=step, completed=done, total=total)

        summary = generate_sample_county(read_outline(outline), scale, seed, target, report)
    _print_summary(summary, target, time.perf_counter() - started)


def _print_summary(summary, target: Path, seconds: float) -> None:
    table = Table(title=f"sample county -> {target}", title_justify="left")
    table.add_column("layer")
    table.add_column("rows", justify="right")
    for layer, count in summary.counts.items():
        table.add_row(layer, f"{count:,}")
    console.print(table)
    console.print(f"written in {seconds:.1f} s")


def sample_reports(
    count: int = typer.Option(10_000, help="How many reports."),
    seed: int = typer.Option(2026, help="Same seed and county: the same reports."),
    county: Path | None = typer.Option(None, help="Sample county GeoPackage (default: tiny)."),
    out: Path = typer.Option(Path("maps/sample_reports.csv"), help="Output CSV."),
    until: str | None = typer.Option(
        None, help="Reports cover the year before this day (default: today, China time)."
    ),
) -> None:
    """Write realistic reports for the sample county (a year, hotspots, GCJ-02, bad rows)."""
    write_sample_reports(county or sample_path("tiny"), count, seed, out, _china_midnight(until))


def write_sample_reports(county: Path, count: int, seed: int, out: Path, start: datetime) -> None:
    """Write `count` reports of the year before `start` for the county; say what is in them."""
    from geogrid.sample.reports import generate_sample_reports

    out.parent.mkdir(parents=True, exist_ok=True)
    with console.status("writing sample reports"):
        summary = generate_sample_reports(county, count, seed, out, start=start)
    console.print(f"{summary.count:,} reports -> {out}: {summary.gcj02:,} in GCJ-02, "
                  f"{summary.outside_near:,} just outside the county, {summary.outside_far:,} "
                  f"far outside, {summary.bad:,} with bad coordinates")  # fmt: skip


def _china_midnight(day: str | None) -> datetime:
    try:
        chosen = date.fromisoformat(day) if day else china_today()
    except ValueError:
        raise InputError(f"--until {day!r} is not a date (YYYY-MM-DD)", field="until") from None
    return china_midnight(chosen)
