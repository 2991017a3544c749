"""Daily work logs (工作日志): one per person and China day, saved idempotently.

A save carries the phone's client request id and the time of the edit on the phone: a
request id already applied changes nothing (`repeated`), an edit older than the one kept
changes nothing (`stale`: an old retry arriving after a newer edit), anything else creates
or replaces the day's log. Photos are ids from the photo upload.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, Row, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from geogrid.access.roles import Caller
from geogrid.errors import InputError
from geogrid.media.evidence import check_photo_ids
from geogrid.patrols.points import phone_time
from geogrid.patrols.scope import PEOPLE, person_filter, visible_rows
from geogrid.reports.checks import lon_lat_problem
from geogrid.storage.duty import grids_held
from geogrid.storage.patrol_tables import WorkLog
from geogrid.vocabulary import CLOCK_SKEW_S, china_day, china_month, china_now

W = WorkLog.__table__


@dataclass(frozen=True)
class WorkLogIn:
    """A work log as the phone sends it; `places` are {name, lon?, lat?}."""

    client_request_id: str
    day: date
    text: str
    photo_ids: list[str] = field(default_factory=list)
    places: list[dict] = field(default_factory=list)
    edited_at: datetime | None = None


@dataclass(frozen=True)
class SavedLog:
    """What a save did (created, updated, repeated, stale) and the log as kept."""

    outcome: str
    log: dict


def save_worklog(
    conn: Connection, person_id: int, entry: WorkLogIn, now: datetime | None = None
) -> SavedLog:
    """Create or replace a person's log of a day; idempotent by client request id."""
    now = now or china_now()
    edited_at = phone_time(entry.edited_at, "edited_at") if entry.edited_at else now
    _check(conn, entry, now)
    row = _locked(conn, person_id, entry.day)
    if row is None:
        values = _values(conn, person_id, entry, edited_at)
        made = conn.execute(pg_insert(W).values(person_id=person_id, day=entry.day, **values)
                            .on_conflict_do_nothing())  # fmt: skip
        row = _locked(conn, person_id, entry.day)  # ours, or a save of the same day that won
        if made.rowcount:
            return SavedLog("created", _log(row))
    if entry.client_request_id in row.request_ids:
        return SavedLog("repeated", _log(row))
    if edited_at < row.edited_at:
        return SavedLog("stale", _log(row))
    values = _values(conn, person_id, entry, edited_at)
    values["request_ids"] = [*row.request_ids, entry.client_request_id]
    conn.execute(update(W).where(W.c.id == row.id).values(**values, updated_at=func.now()))
    return SavedLog("updated", _log(_locked(conn, person_id, entry.day)))


def _check(conn: Connection, entry: WorkLogIn, now: datetime) -> None:
    latest = china_day(now + timedelta(seconds=CLOCK_SKEW_S))
    if entry.day > latest:
        raise InputError(f"{entry.day} is a day still to come", field="day")
    for n, place in enumerate(entry.places):
        lon, lat = place.get("lon"), place.get("lat")
        if (lon is None) != (lat is None):
            raise InputError("give both lon and lat, or neither", field=f"places[{n}].lon")
        if lon is None:
            continue
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise InputError("coordinates must be finite numbers", field=f"places[{n}].lon")
        problem = lon_lat_problem(lon, lat)
        if problem is not None:
            raise InputError(problem[1], field=f"places[{n}].{problem[0]}")
    check_photo_ids(conn, entry.photo_ids)


def _values(conn: Connection, person_id: int, entry: WorkLogIn, edited_at: datetime) -> dict:
    return {"text": entry.text, "photo_ids": list(entry.photo_ids), "places": entry.places,
            "grid_codes": list(grids_held(conn, person_id, entry.day)),
            "request_ids": [entry.client_request_id], "edited_at": edited_at}  # fmt: skip


def _locked(conn: Connection, person_id: int, day: date) -> Row | None:
    """The day's log, locked until the transaction ends (two saves of a day take turns)."""
    query = select(W).where(W.c.person_id == person_id, W.c.day == day).with_for_update()
    return conn.execute(query).one_or_none()


def _log(row: Row) -> dict:
    return {"day": row.day, "text": row.text, "photo_ids": list(row.photo_ids),
            "places": row.places, "grid_codes": list(row.grid_codes),
            "edited_at": row.edited_at, "updated_at": row.updated_at}  # fmt: skip


def worklogs_of_month(
    conn: Connection, caller: Caller, month: str, *, person_no: str | None = None,
    limit: int = 100, offset: int = 0,
) -> list[dict]:  # fmt: skip
    """The logs of a month the caller may see, by day then person, with who wrote them."""
    first, last = _days(month)
    query = (
        select(W, PEOPLE.c.person_no, PEOPLE.c.name)
        .join(PEOPLE, PEOPLE.c.id == W.c.person_id)
        .where(W.c.day >= first, W.c.day < last, visible_rows(caller, W),
               person_filter(W, person_no))
        .order_by(W.c.day, PEOPLE.c.person_no)
        .limit(limit).offset(offset)
    )  # fmt: skip
    return [_log(r) | {"person_no": r.person_no, "name": r.name} for r in conn.execute(query)]


def worklog_days_by_person(conn: Connection, month: str) -> dict[int, int]:
    """Person id -> the number of China days of the month with a work log (the team's
    assessment counts them)."""
    first, last = _days(month)
    query = (
        select(W.c.person_id, func.count())
        .where(W.c.day >= first, W.c.day < last)
        .group_by(W.c.person_id)
    )
    return {person: days for person, days in conn.execute(query)}


def _days(month: str) -> tuple[date, date]:
    bounds = china_month(month)
    if bounds is None:
        raise InputError(f"month {month!r} is not YYYY-MM", field="month")
    return bounds[0].date(), bounds[1].date()
