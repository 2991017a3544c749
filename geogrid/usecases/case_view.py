"""One case as a desk reads it: the report, its trail, its photos, its clock and the steps
the reader may take; a read of a sensitive case's details goes into the audit trail."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Connection

from geogrid.access import audit
from geogrid.access.roles import Caller
from geogrid.reports import lifecycle
from geogrid.reports.caselist import open_steps
from geogrid.reports.deadlines import Timing, WorkCalendar
from geogrid.reports.inbox import case_timing
from geogrid.reports.queries import get_report
from geogrid.usecases.photos import report_photos


@dataclass(frozen=True)
class CaseView:
    """A case with what its page shows."""

    report: dict
    events: list[lifecycle.Event]
    photos: list[dict]
    clock: Timing
    steps: list[str]


def read_case(
    conn: Connection, caller: Caller, report_id: str, *, calendar: WorkCalendar, now: datetime,
    with_steps: bool = True,
) -> CaseView:  # fmt: skip
    """The case in the caller's scope (NotFoundError otherwise, whether missing or not
    theirs); a redacted case shows neither its trail's notes nor its photos. Its page and
    the API's GET /v1/reports/{id} both read it here; `with_steps`: also the steps the
    reader may take now (the console's buttons; the API leaves them out)."""
    caller.require("reports.read")
    row = get_report(conn, report_id, caller.report_scope())
    events = lifecycle.events_of(conn, report_id)
    photos: list[dict] = []
    if row["redacted"]:
        events = [_without_note(e) for e in events]
    else:
        photos = report_photos(conn, report_id)
    audit.record_report_reads(conn, caller, [row], "read")
    may_step = with_steps and caller.may("reports.update")
    steps = open_steps(conn, report_id, caller) if may_step else []
    return CaseView(row, events, photos, case_timing(calendar, row, now), steps)


def _without_note(event: lifecycle.Event) -> lifecycle.Event:
    return replace(event, note="")
