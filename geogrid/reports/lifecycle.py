"""The report lifecycle: status changes, notes and instructions, each an event with who and when.

    received -> assigned -> dispatched -> in_progress -> resolved -> verified -> closed
    (and from any open status: rejected, duplicate)

This is the plain status change under the case loop: the fronts reach it only through
reports/loop_status.py (the deprecated POST /v1/reports/{id}/status), which takes a loop
step instead wherever one reaches the status; the steps are in reports/loop.py. A report
received outside every grid waits in `received` (county triage) until someone
assigns it by hand or a redraw puts it in a grid. Closed, rejected and duplicate are final.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, text

from geogrid.errors import NotFoundError, TransitionError

OPEN_STATUSES = ("received", "assigned", "accepted", "dispatched", "in_progress", "rework")
FINAL_STATUSES = ("closed", "rejected", "duplicate")
NEXT = {
    "received": ("assigned", "accepted", "dispatched", "rejected", "duplicate"),
    "assigned": ("dispatched", "in_progress", "resolved", "rejected", "duplicate"),
    "accepted": ("dispatched", "rejected", "duplicate"),
    "dispatched": ("in_progress", "resolved", "rejected", "duplicate"),
    "in_progress": ("resolved", "rejected", "duplicate"),
    "resolved": ("verified", "in_progress", "rework"),  # reopened when the fix did not hold
    "verified": ("closed",),
    "rework": ("in_progress", "resolved", "rejected", "duplicate"),
    "closed": (),
    "rejected": (),
    "duplicate": (),
}
MAX_NOTE = 4000


@dataclass(frozen=True)
class Event:
    """One entry of a report's trail."""

    at: datetime
    actor: str
    kind: str
    from_status: str | None
    to_status: str | None
    note: str
    step: str | None = None  # a case-loop step (reports/loop.py)
    due_at: datetime | None = None
    photo_ids: tuple[str, ...] = ()


def change_status(
    conn: Connection, report_id: str, to_status: str, *, actor: str, note: str = "",
    duplicate_of: str | None = None,
) -> Event:  # fmt: skip
    """Move a report to a new status if the lifecycle allows it; records the event."""
    if to_status not in NEXT:
        raise TransitionError(f"unknown status {to_status!r}: use one of {', '.join(NEXT)}",
                              field="status")  # fmt: skip
    current = _current_status(conn, report_id, lock=True)
    if to_status not in NEXT[current]:
        allowed = ", ".join(NEXT[current]) or "nothing (it is final)"
        raise TransitionError(
            f"report {report_id} is {current}: it can go to {allowed}, not {to_status}",
            field="status",
        )
    conn.execute(
        text("update reports set status = :s, duplicate_of = coalesce(:d, duplicate_of) "
             "where id = :id"),
        {"s": to_status, "d": duplicate_of, "id": report_id},
    )  # fmt: skip
    return _record(conn, report_id, actor, "status", current, to_status, _checked(note))


def add_note(conn: Connection, report_id: str, note: str, *, actor: str,
             instruction: bool = False) -> Event:  # fmt: skip
    """Add a note (or a station's instruction to the assistant) to a report."""
    note = _checked(note)
    if not note.strip():
        raise TransitionError("a note needs some text", field="note")
    _current_status(conn, report_id, lock=False)
    return _record(conn, report_id, actor, "instruction" if instruction else "note", None,
                   None, note)  # fmt: skip


def instruct_grid(conn: Connection, grid_code: str, note: str, *, actor: str,
                  station_id: int | None = None) -> int:  # fmt: skip
    """A station's standing instruction to the assistants of a grid; returns its id."""
    note = _checked(note)
    if not note.strip():
        raise TransitionError("an instruction needs some text", field="text")
    known = conn.execute(text("select 1 from grids where code = :c limit 1"), {"c": grid_code})
    if known.first() is None:
        raise NotFoundError(f"no grid with code {grid_code}", field="grid_code")
    return conn.execute(
        text("insert into grid_instructions (grid_code, station_id, actor, text) "
             "values (:c, :s, :a, :t) returning id"),
        {"c": grid_code, "s": station_id, "a": actor, "t": note},
    ).scalar_one()  # fmt: skip


def events_of(conn: Connection, report_id: str) -> list[Event]:
    """A report's trail, oldest first."""
    rows = conn.execute(
        text("select at, actor, kind, from_status, to_status, note, step, due_at, photo_ids "
             "from report_events where report_id = :id order by at, id"),
        {"id": report_id},
    )  # fmt: skip
    return [Event(*r[:8], tuple(r[8] or ())) for r in rows]


def _current_status(conn: Connection, report_id: str, *, lock: bool) -> str:
    if not is_report_id(report_id):  # a malformed id is a missing report, not a server error
        raise NotFoundError(f"no report {report_id}", field="id")
    sql = "select status from reports where id = cast(:id as uuid)" + (
        " for update" if lock else ""
    )
    status = conn.execute(text(sql), {"id": report_id}).scalar()
    if status is None:
        raise NotFoundError(f"no report {report_id}", field="id")
    return status


def is_report_id(value: str) -> bool:
    """Whether value is a well-formed report id (a UUID)."""
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _checked(note: str) -> str:
    if len(note) > MAX_NOTE:
        raise TransitionError(f"a note is at most {MAX_NOTE} characters", field="note")
    return note


def _record(conn, report_id, actor, kind, from_status, to_status, note) -> Event:
    at = conn.execute(
        text("insert into report_events (report_id, actor, kind, from_status, to_status, note) "
             "values (:id, :actor, :kind, :f, :t, :note) returning at"),
        {"id": report_id, "actor": actor, "kind": kind, "f": from_status, "t": to_status,
         "note": note},
    ).scalar_one()  # fmt: skip
    return Event(at, actor, kind, from_status, to_status, note)
