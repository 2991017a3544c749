"""Training sessions (county-wide or per station) with attendance and hours; the stations'
regular meetings (例会) with who was there; requests and reports to the station (请示报告)
with the station's replies.

A list of attendees is taken item by item: an unknown register number is named in what is
returned and costs none of the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, text

from geogrid.errors import InputError, NotFoundError, TransitionError
from geogrid.team.people import PersonRef, plausible_day
from geogrid.vocabulary import TRAINING_SCOPES, china_now


@dataclass(frozen=True)
class SessionIn:
    """A training session: day, topic, trainer, hours, scope, station (scope 'station')."""

    held_on: date
    topic: str
    trainer: str
    hours: float
    scope: str = "county"
    station_id: int | None = None
    attendees: tuple[str, ...] = ()


@dataclass
class Attendance:
    """What was recorded: the session or meeting id, who was counted, who is unknown."""

    id: int
    counted: int = 0
    unknown: list[str] = field(default_factory=list)


def add_session(conn: Connection, session: SessionIn) -> Attendance:
    """Record a session and its attendance."""
    plausible_day(session.held_on, "held_on")
    if session.scope not in TRAINING_SCOPES:
        raise InputError(f"scope {session.scope!r}: use county or station", field="scope")
    if session.scope == "station" and session.station_id is None:
        raise InputError("a station's training names its station", field="station")
    if not 0 < session.hours <= 24:
        raise InputError(f"hours {session.hours} is not within 0..24", field="hours")
    new_id = conn.execute(text(
        "insert into training_sessions (held_on, topic, trainer, hours, scope, station_id)"
        " values (:d, :t, :tr, :h, :s, :st) returning id"),
        {"d": session.held_on, "t": session.topic, "tr": session.trainer, "h": session.hours,
         "s": session.scope, "st": session.station_id}).scalar_one()  # fmt: skip
    return _attend(conn, Attendance(new_id), session.attendees,
                   "insert into training_attendance (session_id, person_id) values (:i, :p)"
                   " on conflict do nothing", {})  # fmt: skip


def _attend(conn: Connection, done: Attendance, numbers, sql: str, extra: dict) -> Attendance:
    ids = dict(conn.execute(text("select person_no, id from people where person_no = any(:n)"),
                            {"n": list(numbers)}).all())  # fmt: skip
    for number in numbers:
        if number not in ids:
            done.unknown.append(number)
            continue
        conn.execute(text(sql), {"i": done.id, "p": ids[number]} | extra)
        done.counted += 1
    return done


def training_hours(conn: Connection, first: date, last: date) -> dict[int, Decimal]:
    """Hours of training attended per person id, sessions held from `first` through `last`."""
    rows = conn.execute(text(
        "select a.person_id, sum(s.hours) from training_attendance a"
        " join training_sessions s on s.id = a.session_id"
        " where s.held_on between :f and :l group by 1"), {"f": first, "l": last})  # fmt: skip
    return dict(rows.all())


def add_meeting(
    conn: Connection, held_on: date, station_id: int, topic: str,
    present: tuple[str, ...], absent: tuple[str, ...] = (),
) -> Attendance:  # fmt: skip
    """Record a station's meeting and who was there (and who was expected but absent)."""
    plausible_day(held_on, "held_on")
    new_id = conn.execute(text(
        "insert into meetings (held_on, station_id, topic) values (:d, :s, :t) returning id"),
        {"d": held_on, "s": station_id, "t": topic}).scalar_one()  # fmt: skip
    sql = ("insert into meeting_attendance (meeting_id, person_id, present) values (:i, :p, :x)"
           " on conflict do nothing")  # fmt: skip
    done = _attend(conn, Attendance(new_id), present, sql, {"x": True})
    return _attend(conn, done, absent, sql, {"x": False})


def meetings_attended(conn: Connection, first: date, last: date) -> dict[int, tuple[int, int]]:
    """Per person id: (meetings attended, meetings expected at) from `first` through `last`."""
    rows = conn.execute(text(
        "select a.person_id, count(*) filter (where a.present), count(*)"
        " from meeting_attendance a join meetings m on m.id = a.meeting_id"
        " where m.held_on between :f and :l group by 1"), {"f": first, "l": last})  # fmt: skip
    return {row[0]: (row[1], row[2]) for row in rows}


def ask_station(conn: Connection, person: PersonRef, subject: str, body: str) -> int:
    """Record a request or report to the station (请示报告)."""
    if not subject.strip():
        raise InputError("a request to the station needs a subject", field="subject")
    return conn.execute(text(
        "insert into station_requests (person_id, subject, body) values (:p, :s, :b)"
        " returning id"), {"p": person.id, "s": subject, "b": body}).scalar_one()  # fmt: skip


def reply_to_request(conn: Connection, request_id: int, reply: str, replied_by: str) -> None:
    """The station's reply to a request; a request is replied to once."""
    row = conn.execute(text("select reply from station_requests where id = :i"),
                       {"i": request_id}).first()  # fmt: skip
    if row is None:
        raise NotFoundError(f"no request {request_id}", field="request_id")
    if row.reply is not None:
        raise TransitionError(f"request {request_id} has a reply already", field="request_id")
    conn.execute(text("update station_requests set reply = :r, replied_by = :by,"
                      " replied_at = :at where id = :i"),
                 {"r": reply, "by": replied_by, "at": china_now(), "i": request_id})  # fmt: skip


def request_person(conn: Connection, request_id: int) -> int:
    """The id of the person who wrote a request (NotFoundError naming it)."""
    found = conn.execute(text("select person_id from station_requests where id = :i"),
                         {"i": request_id}).scalar()  # fmt: skip
    if found is None:
        raise NotFoundError(f"no request {request_id}", field="request_id")
    return found


@dataclass(frozen=True)
class RequestRow:
    """A request to the station and its reply (None until replied)."""

    id: int
    person_no: str
    name: str
    asked_at: object
    subject: str
    body: str
    reply: str | None
    replied_by: str | None


def requests_of(
    conn: Connection, area: tuple[str, ...] | None, person_id: int | None = None,
    waiting_only: bool = False, limit: int = 200,
) -> list[RequestRow]:  # fmt: skip
    """Requests of the people of `area` (community code prefixes; None: the county) or of one
    person, newest first; `waiting_only`: those without a reply."""
    rows = conn.execute(text(
        "select r.id, p.person_no, p.name, r.asked_at, r.subject, r.body, r.reply, r.replied_by"
        " from station_requests r join people p on p.id = r.person_id"
        " where (cast(:area as text[]) is null or coalesce(p.community_code, '')"
        " like any(cast(:area as text[])))"
        " and (cast(:p as int) is null or r.person_id = :p)"
        " and (not :waiting or r.reply is null) order by r.asked_at desc, r.id desc limit :n"),
        {"area": None if area is None else [f"{c}%" for c in area], "p": person_id,
         "waiting": waiting_only, "n": limit})  # fmt: skip
    return [RequestRow(*row) for row in rows]
