"""Report commands: ingest a file, write sample reports, reassign after a redraw, the
lifecycle (status, note, instruction) and the category table."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from geogrid.cli.common import console, engine
from geogrid.errors import InputError
from geogrid.vocabulary import (
    ASSIGNMENT_METHODS,
    GPS_TOLERANCE_M,
    ROUTES,
    china_midnight,
    china_today,
)

app = typer.Typer(help="One report: status, notes, instructions.", no_args_is_help=True)
categories_app = typer.Typer(help="Report categories and their routing.", no_args_is_help=True)
MAX_ERRORS_SHOWN = 20


def ingest(
    path: Path = typer.Argument(..., help="CSV, GeoJSON or GeoPackage of reports."),
    crs: str | None = typer.Option(None, help="CRS of rows without a crs column value."),
    tolerance: float = typer.Option(
        GPS_TOLERANCE_M, help="GPS tolerance (m) for the nearest unit."
    ),
    chunk_size: int = typer.Option(200_000, help="Items per committed chunk."),
) -> None:
    """Check, assign, route and store every report of a file; a summary at the end.

    Each chunk is committed on its own, so what was accepted stays even if a later chunk
    fails or the run is killed; running the file again stores each row exactly once and
    says how many were already stored (rows without client_request_id are known by their
    content).
    """
    from geogrid.reports.file_intake import ingest_file
    from geogrid.reports.files import count_rows
    from geogrid.reports.index import load_index

    eng = engine()
    _seed(eng)
    index = load_index(eng)
    totals: dict[str, Counter] = {"outcome": Counter(), "method": Counter(), "route": Counter()}
    errors, duplicates, started = [], 0, time.perf_counter()
    with _bar() as progress:
        task = progress.add_task(f"ingest {path.name}", total=count_rows(path))
        stored = ingest_file(eng, path, index, chunk_size=chunk_size, crs=crs,
                             tolerance_m=tolerance)  # fmt: skip
        for chunk, result in ((done.chunk, done.result) for done in stored):
            totals["outcome"].update(result.outcome.tolist())
            totals["method"].update(result.methods)
            totals["route"].update(result.routes)
            duplicates += result.duplicates
            errors += [(chunk.where, chunk.first_row + e.row, e) for e in result.errors]
            progress.advance(task, len(chunk.items))
    _print_ingest(path, totals, duplicates, errors, time.perf_counter() - started)
    if errors:
        raise typer.Exit(1)


def _print_ingest(path, totals, duplicates, errors, seconds) -> None:
    outcome = totals["outcome"]
    items = sum(outcome.values())
    rate = items / max(seconds, 1e-9)
    console.print(f"{path}: {items:,} items in {seconds:.1f} s ({rate:,.0f}/s): "
                  f"{outcome['accepted']:,} stored, {outcome['repeated']:,} already stored "
                  f"(an earlier run or a retry), {outcome['rejected']:,} rejected")  # fmt: skip
    table = Table(title="stored reports by assignment method and route", title_justify="left")
    for column in ("assignment", "reports", "route", "reports "):
        table.add_column(column, justify="right" if "reports" in column else "left")
    methods = [(m, totals["method"][m]) for m in ASSIGNMENT_METHODS]
    routes = [(r, totals["route"][r]) for r in ROUTES] + [("", "")]
    for (m, mc), (r, rc) in zip(methods, routes, strict=True):
        table.add_row(m, f"{mc:,}", r, f"{rc:,}" if rc != "" else "")
    console.print(table)
    console.print(f"possible duplicates flagged: {duplicates:,}")
    for where, row, error in errors[:MAX_ERRORS_SHOWN]:
        console.print(f"  rejected {where} {row}: field {error.field!r}: {error.message}")
    if len(errors) > MAX_ERRORS_SHOWN:
        console.print(f"  ... and {len(errors) - MAX_ERRORS_SHOWN:,} more rejected")


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
    from geogrid.cli.sample import sample_path
    from geogrid.sample.reports import generate_sample_reports

    out.parent.mkdir(parents=True, exist_ok=True)
    with console.status("writing sample reports"):
        summary = generate_sample_reports(county or sample_path("tiny"), count, seed, out,
                                          start=_china_midnight(until))  # fmt: skip
    console.print(f"{summary.count:,} reports -> {out}: {summary.gcj02:,} in GCJ-02, "
                  f"{summary.outside_near:,} just outside the county, {summary.outside_far:,} "
                  f"far outside, {summary.bad:,} with bad coordinates")  # fmt: skip


def _china_midnight(day: str | None) -> datetime:
    try:
        chosen = date.fromisoformat(day) if day else china_today()
    except ValueError:
        raise InputError(f"--until {day!r} is not a date (YYYY-MM-DD)", field="until") from None
    return china_midnight(chosen)


def reassign(
    to_version: int = typer.Option(..., "--to-version", help="The grid version to move into."),
    open_only: bool = typer.Option(False, "--open-only", help="Only reports not yet closed."),
    tolerance: float = typer.Option(
        GPS_TOLERANCE_M, help="GPS tolerance (m) for the nearest unit."
    ),
) -> None:
    """Recompute grids, people and routes of reports for another version; print what moved."""
    from geogrid.reports.reassign import reassign_reports

    eng = engine()
    with _bar() as progress:
        task = progress.add_task("reassigning", total=None)
        result = reassign_reports(
            eng, to_version, open_only=open_only, tolerance_m=tolerance,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )  # fmt: skip
    console.print(f"{result.examined:,} reports examined, {result.moved:,} moved to another "
                  f"unit (version {result.version_id})")  # fmt: skip
    table = Table(title="moves per level-2 grid (old -> new)", title_justify="left")
    for column in ("old grid", "new grid", "reports"):
        table.add_column(column, justify="right" if column == "reports" else "left")
    for (old, new), count in result.moves.most_common(30):
        table.add_row(old, new, f"{count:,}")
    if len(result.moves) > 30:
        table.add_row("...", f"{len(result.moves) - 30:,} more pairs", "")
    console.print(table)


@app.command("status")
def status(
    report_id: str = typer.Argument(..., help="The report's id."),
    to: str = typer.Argument(..., help="New status (dispatched, in_progress, resolved ...)."),
    actor: str = typer.Option(..., help="Who makes the change."),
    note: str = typer.Option("", help="Why."),
) -> None:
    """Move a report along its lifecycle."""
    from geogrid.reports.lifecycle import change_status

    with engine().begin() as conn:
        event = change_status(conn, report_id, to, actor=actor, note=note)
    console.print(f"{report_id}: {event.from_status} -> {event.to_status} by {actor}")


@app.command("note")
def note(
    report_id: str = typer.Argument(...),
    text: str = typer.Argument(..., help="The note."),
    actor: str = typer.Option(..., help="Who writes it."),
    instruction: bool = typer.Option(False, help="A station's instruction to the assistant."),
) -> None:
    """Add a note or an instruction to a report."""
    from geogrid.reports.lifecycle import add_note

    with engine().begin() as conn:
        add_note(conn, report_id, text, actor=actor, instruction=instruction)
    console.print(f"{report_id}: {'instruction' if instruction else 'note'} added")


@app.command("show")
def show(report_id: str = typer.Argument(...)) -> None:
    """A report's trail of events."""
    from geogrid.reports.lifecycle import events_of

    with engine().connect() as conn:
        for event in events_of(conn, report_id):
            change = f"{event.from_status} -> {event.to_status} " if event.to_status else ""
            console.print(
                f"{event.at:%Y-%m-%d %H:%M} {event.actor}: {event.kind} {change}{event.note}"
            )


@categories_app.command("list")
def categories_list() -> None:
    """The categories, their routing and heatmap group."""

    eng = engine()
    _seed(eng)
    table = Table(title="report categories", title_justify="left")
    for column in ("code", "名称", "kind", "security", "department", "heatmap", "sensitive"):
        table.add_column(column)
    from geogrid.storage.categories import category_rows

    with eng.connect() as conn:
        rows = category_rows(conn)
    for r in rows:
        shown = (r.code, r.name_zh, r.kind, r.is_security, r.department_name or "派出所",
                 r.heat_group or "", r.sensitive)  # fmt: skip
        table.add_row(*[("yes" if v else "") if isinstance(v, bool) else v for v in shown])
    console.print(table)


@categories_app.command("load")
def categories_load(
    path: Path = typer.Argument(..., help="TOML with [[department]]/[[category]]."),
) -> None:
    """Add or change departments and categories from a TOML file."""
    from geogrid.reports.categories import load_categories_file

    with engine().begin() as conn:
        written = load_categories_file(conn, path)
    console.print(f"{written} departments and categories written from {path}")


def _seed(eng) -> None:
    from geogrid.reports.categories import seed_categories

    with eng.begin() as conn:
        seed_categories(conn)


def _bar() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console)  # fmt: skip
