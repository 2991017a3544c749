"""A step of the case loop with its evidence: the step, then its photos linked to it.

The loop (reports/loop.py) decides whether the step may be taken and writes its event; the
media store (media/evidence.py) checks the photo ids and flags photos taken far away or
long before. Both happen in the caller's transaction, so a bad photo id leaves the case
as it was.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from geogrid.media.evidence import attach_photos
from geogrid.reports.deadlines import WorkCalendar
from geogrid.reports.lifecycle import Event
from geogrid.reports.loop import Actor, StepInput, StepResult, take_step
from geogrid.reports.loop_status import mark_duplicate, status_step

PHOTO_STEP = {"handle": "handled", "verify": "verified"}  # loop step -> photo step


def take_case_step(
    conn: Connection,
    report_id: str,
    step: str,
    body: StepInput,
    actor: Actor,
    *,
    calendar: WorkCalendar,
    now: datetime | None = None,
) -> StepResult:
    """Take one step of the loop; the photos of a handle or verify step become its evidence."""
    result = take_step(conn, report_id, step, body, actor, calendar=calendar, now=now)
    if body.photo_ids and step in PHOTO_STEP:
        attach_photos(conn, report_id, list(body.photo_ids), step=PHOTO_STEP[step],
                      event_id=result.event_id, actor=actor.name)  # fmt: skip
    return result


def change_case_status(
    conn: Connection,
    report_id: str,
    to_status: str,
    actor: Actor,
    *,
    note: str = "",
    duplicate_of: str | None = None,
    calendar: WorkCalendar,
    now: datetime | None = None,
) -> Event:
    """The deprecated plain status change, taken as the loop's step that reaches the status
    (reports/loop_status.py), or a duplicate marked by the case's desk."""
    if to_status == "duplicate":
        return mark_duplicate(conn, report_id, duplicate_of, note, actor)
    step, body = status_step(to_status, note)
    done = take_case_step(conn, report_id, step, body, actor, calendar=calendar, now=now)
    return Event(done.at, done.actor, "status", done.from_status, done.to_status, done.note,
                 done.step, done.due_at, tuple(done.photo_ids))  # fmt: skip
