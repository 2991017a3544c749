"""Export reports to a file (`geogrid export reports`): the filters the API has, one file.

The command line runs on the server as the county's operator, so it reads as the county
admin does through the API: every report, with the personal details of sensitive
categories (reporter, text) shown, and such a read entered in the audit trail before the
first row is written. `redact` blanks those details instead, as the API does for roles
that may not see them; `station` limits the file to one station's jurisdiction, exactly
as that station's own export through the API would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine

from geogrid.access import audit
from geogrid.access.roles import Caller
from geogrid.errors import InputError
from geogrid.reports.export import output_crs, output_path, write_reports
from geogrid.reports.queries import ReportFilter, ReportScope, count_sensitive, iter_reports
from geogrid.storage.categories import category_rows
from geogrid.storage.places import station_id
from geogrid.vocabulary import as_china_time, china_midnight


@dataclass(frozen=True)
class ReportExportOptions:
    """What to export, in which format and CRS, where, and for whom (the audit trail)."""

    path: Path
    fmt: str = "gpkg"
    crs: str = "EPSG:4326"
    filters: ReportFilter = field(default_factory=ReportFilter)
    station: str | None = None  # a station's code: its jurisdiction only
    redact: bool = False
    limit: int | None = None
    actor: str = "cli"


@dataclass(frozen=True)
class ReportExportResult:
    """The file written, how many reports it holds, and how many showed sensitive details."""

    path: Path
    count: int
    sensitive_shown: int
    epsg: int


def export_reports(engine: Engine, options: ReportExportOptions) -> ReportExportResult:
    """Write the reports the options select to one file, streamed from a server-side cursor."""
    crs = output_crs(options.crs)
    path = output_path(options.path, options.fmt)
    if options.limit is not None and options.limit < 1:
        raise InputError(f"--limit {options.limit} is not a positive number", field="limit")
    with engine.connect() as conn:
        _check_categories(conn, options.filters.categories)
        scope = _scope(conn, options)
        shown = 0 if options.redact else count_sensitive(conn, options.filters, scope)
        if shown:
            caller = Caller(id=0, name=options.actor[:64], role="county_admin")
            detail = {"sensitive": shown, "format": options.fmt, "file": path.name,
                      "station": options.station}  # fmt: skip
            audit.record(conn, caller, "export", "report", "", detail)
            conn.commit()  # the read is on record before any row leaves the database
        rows = iter_reports(conn, options.filters, scope, limit=options.limit)
        count = write_reports(rows, path, options.fmt, crs)
    return ReportExportResult(path, count, shown, crs.epsg)


def report_filter(
    *, bbox: str | None = None, grid: str | None = None, categories: tuple[str, ...] = (),
    statuses: tuple[str, ...] = (), methods: tuple[str, ...] = (), routes: tuple[str, ...] = (),
    period: str | None = None, reported_from: str | None = None, reported_to: str | None = None,
) -> ReportFilter:  # fmt: skip
    """The filter from command-line text; InputError names the option that is wrong."""
    if period is not None and (reported_from or reported_to):
        raise InputError("--period and --from/--to are two ways to say the same: use one",
                         field="period")  # fmt: skip
    if period is not None:
        start, end = period_range(period)
    else:
        start, end = china_moment(reported_from, "--from"), china_moment(reported_to, "--to")
    return ReportFilter(
        bbox=parse_bbox(bbox), grid=grid, categories=categories, statuses=statuses,
        methods=methods, routes=routes, reported_from=start, reported_to=end,
    )  # fmt: skip


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """minlon,minlat,maxlon,maxlat in WGS-84, each a number, min below max."""
    if text is None:
        return None
    try:
        box = tuple(float(part) for part in text.split(","))
    except ValueError:
        box = ()
    if len(box) != 4 or not (box[0] < box[2] and box[1] < box[3]):
        raise InputError(f"--bbox {text!r} is not minlon,minlat,maxlon,maxlat with min < max",
                         field="bbox")  # fmt: skip
    return box  # type: ignore[return-value]


def period_range(period: str) -> tuple[datetime, datetime]:
    """A month (2026-06) or a day (2026-06-01) as [start, end) in China time."""
    try:
        if len(period) == 7:
            start = date.fromisoformat(f"{period}-01")
            end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        else:
            start = date.fromisoformat(period)
            end = date.fromordinal(start.toordinal() + 1)
    except ValueError:
        raise InputError(f"--period {period!r} is not a month (2026-06) or a day (2026-06-01)",
                         field="period") from None  # fmt: skip
    return china_midnight(start), china_midnight(end)


def china_moment(value: str | None, option: str) -> datetime | None:
    """An ISO 8601 date or time given on the command line; without an offset, China time."""
    if value is None:
        return None
    try:
        return as_china_time(datetime.fromisoformat(value))
    except ValueError:
        message = f"{option} {value!r} is not an ISO 8601 date or time (2026-06-01T08:00)"
        raise InputError(message, field=option.lstrip("-")) from None


def _check_categories(conn: Connection, categories: tuple[str, ...]) -> None:
    """An unknown category is a typo, not a request for an empty file."""
    known = {row.code for row in category_rows(conn)}
    unknown = sorted(set(categories) - known)
    if unknown:
        raise InputError(f"unknown category {unknown[0]!r}: use {', '.join(sorted(known))}",
                         field="category")  # fmt: skip


def _scope(conn: Connection, options: ReportExportOptions) -> ReportScope:
    details = not options.redact
    if options.station is None:
        return ReportScope(everything=True, details=details)
    found = station_id(conn, options.station)
    if found is None:
        raise InputError(f"--station {options.station!r} is not a station's code",
                         field="station")  # fmt: skip
    return ReportScope(station_id=found, details=details)


def export_for_caller(
    engine: Engine, caller: Caller, filters: ReportFilter, path: Path, fmt: str,
    limit: int | None = None,
) -> ReportExportResult:  # fmt: skip
    """Write the reports of a filter in the caller's scope to one file (the console's
    download): sensitive details only as the caller's role may see them, such a read
    entered in the audit trail under the caller's name before any row is written."""
    path = output_path(path, fmt)
    crs = output_crs("EPSG:4326")
    scope = caller.report_scope()
    with engine.connect() as conn:
        _check_categories(conn, filters.categories)
        shown = count_sensitive(conn, filters, scope) if scope.details else 0
        if shown:
            audit.record(conn, caller, "export", "report", "",
                         {"sensitive": shown, "format": fmt, "file": path.name})  # fmt: skip
            conn.commit()
        count = write_reports(iter_reports(conn, filters, scope, limit=limit), path, fmt, crs)
    return ReportExportResult(path, count, shown, crs.epsg)
