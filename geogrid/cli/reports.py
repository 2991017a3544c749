"""Report commands: ingest a file, reassign after a redraw, and one report's lifecycle
(status, note, instruction)."""

from __future__ import annotations

from itertools import zip_longest
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from geogrid.cli.common import console, engine, settings
from geogrid.usecases.ingest import IngestOptions, IngestSummary
from geogrid.vocabulary import ASSIGNMENT_METHODS, CHINA_TZ, GPS_TOLERANCE_M, ROUTES

app = typer.Typer(help="One report: status, notes, instructions.", no_args_is_help=True)
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
    summary = ingest_with_progress(
        path, IngestOptions(crs, tolerance, chunk_size, settings().holidays_file)
    )
    print_ingest(path, summary)
    if summary.errors:
        raise typer.Exit(1)


def ingest_with_progress(path: Path, options: IngestOptions) -> IngestSummary:
    """Ingest the file under a progress bar of its rows."""
    from geogrid.reports.files import count_rows
    from geogrid.usecases.ingest import ingest_reports

    eng = engine()
    with _bar() as progress:
        task = progress.add_task(f"ingest {path.name}", total=count_rows(path))
        return ingest_reports(eng, path, options, lambda rows: progress.advance(task, rows))


def print_ingest(path: Path, summary: IngestSummary) -> None:
    """Stored, repeated and rejected counts, methods and routes, and the first rejections."""
    outcome, errors, seconds = summary.outcomes, summary.errors, summary.seconds
    items = sum(outcome.values())
    rate = items / max(seconds, 1e-9)
    console.print(f"{path}: {items:,} items in {seconds:.1f} s ({rate:,.0f}/s): "
                  f"{outcome['accepted']:,} stored, {outcome['repeated']:,} already stored "
                  f"(an earlier run or a retry), {outcome['rejected']:,} rejected")  # fmt: skip
    table = Table(title="stored reports by assignment method and route", title_justify="left")
    for column in ("assignment", "reports", "route", "reports "):
        table.add_column(column, justify="right" if "reports" in column else "left")
    methods = [(m, summary.methods[m]) for m in ASSIGNMENT_METHODS]
    routes = [(r, summary.routes[r]) for r in ROUTES]
    for (m, mc), (r, rc) in zip_longest(methods, routes, fillvalue=("", "")):
        table.add_row(m, f"{mc:,}" if mc != "" else "", r, f"{rc:,}" if rc != "" else "")
    console.print(table)
    console.print(f"possible duplicates flagged: {summary.duplicates:,}")
    for where, row, error in errors[:MAX_ERRORS_SHOWN]:
        console.print(f"  rejected {where} {row}: field {error.field!r}: {error.message}")
    if len(errors) > MAX_ERRORS_SHOWN:
        console.print(f"  ... and {len(errors) - MAX_ERRORS_SHOWN:,} more rejected")


def reassign(
    to_version: int = typer.Option(..., "--to-version", help="The grid version to move into."),
    open_only: bool = typer.Option(False, "--open-only", help="Only reports not yet closed."),
    tolerance: float = typer.Option(
        GPS_TOLERANCE_M, help="GPS tolerance (m) for the nearest unit."
    ),
) -> None:
    """Recompute grids, people and routes of reports (and the registry's standard addresses)
    for another version; print what moved."""
    from geogrid.registry.addresses import reassign_addresses
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
    addresses = reassign_addresses(eng, to_version, tolerance)
    console.print(f"{addresses:,} standard addresses moved to another unit")
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
    to: str = typer.Argument(
        ...,
        help="accepted, rejected, in_progress, resolved, verified, closed, "
        "rework or duplicate (taken as the case loop's step).",
    ),
    actor: str = typer.Option(..., help="Who makes the change (as the county)."),
    note: str = typer.Option("", help="Why (a refusal and a handling need one)."),
) -> None:
    """Move a report along the case loop as the county desk, by the status a step reaches."""
    from geogrid.access.roles import Caller
    from geogrid.reports.deadlines import calendar_of
    from geogrid.usecases.cases import change_case_status

    county = Caller(id=0, name=actor, role="county_admin")
    with engine().begin() as conn:
        event = change_case_status(conn, report_id, to, county, note=note,
                                   calendar=calendar_of(settings().holidays_file))  # fmt: skip
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


def print_histories(done) -> None:
    """What the sample histories walk did (usecases.sample_histories.Histories)."""
    kinds = ", ".join(f"{kind.replace('_', ' ')} {n}" for kind, n in sorted(done.kinds.items()))
    console.print(f"histories: {sum(done.kinds.values())} cases walked through the loop "
                  f"({kinds}); {done.photos} with a photo")  # fmt: skip
    for line in done.skipped[:MAX_ERRORS_SHOWN]:
        console.print(f"  not walked: {line}", soft_wrap=True)


def print_inbox(station: str, items: list) -> None:
    """A station's inbox (reports.inbox.InboxItem): supervised first, then by deadline."""
    table = Table(title=f"inbox of station {station} (first {len(items)})")
    for column in ("waiting", "status", "category", "due (China time)", "time left", "督办"):
        table.add_column(column)
    for item in items:
        due = f"{item.due_at.astimezone(CHINA_TZ):%Y-%m-%d %H:%M}" if item.due_at else ""
        hours = item.hours_left
        left = "" if hours is None else f"{abs(hours):.1f} h"
        table.add_row(item.waiting, item.status, item.category, due,
                      f"overdue by {left}" if item.overdue else left,
                      "yes" if item.supervised else "")  # fmt: skip
    console.print(table)


def print_trail(report_id: str, events: list, photos: list[dict]) -> None:
    """One case's trail, each step with its photo ids, and the case's photos."""
    console.print(f"trail of case {report_id}:")
    for event in events:
        what = event.step or event.kind
        shots = f" photos: {', '.join(p[:12] for p in event.photo_ids)}" if event.photo_ids else ""
        console.print(f"  {event.at.astimezone(CHINA_TZ):%Y-%m-%d %H:%M} {event.actor}: "
                      f"{what} -> {event.to_status or ''} {event.note}{shots}")  # fmt: skip
    for photo in photos:
        flag = f" flagged: {photo['flag']}" if photo["flag"] else ""
        console.print(f"  photo {photo['photo_id'][:12]} ({photo['mime']}, {photo['width']}x"
                      f"{photo['height']}) on step {photo['step']}{flag}")  # fmt: skip


def print_station_kpis(month: str, rows: list) -> None:
    """The month's KPIs per station (reports.stats.Figures rows)."""
    table = Table(title=f"KPIs per station, {month}")
    for column in ("station", "cases", "closed", "结案率", "按期处置率", "返工率", "延期率",
                   "open overdue"):  # fmt: skip
        table.add_column(column)
    for row in rows:
        k = row.kpis
        table.add_row(row.key or "-", str(k.cases), str(k.closed), _pct(k.closure_rate),
                      _pct(k.handling_on_time_rate), _pct(k.rework_rate),
                      _pct(k.extension_rate), str(k.open_overdue))  # fmt: skip
    console.print(table)


def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.0%}"


def _bar() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console)  # fmt: skip
