"""The monthly assessment: each assistant's score and subsidy, the station head's
confirmation that locks a station's month, and appeals.

An open month is worked out from the data as it stands each time it is asked for; a
confirmed one is read back exactly as it was confirmed, whatever is recorded later, and
cannot be confirmed again or changed (LockedError).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from sqlalchemy import Connection, text

from geogrid.errors import InputError, LockedError, NotFoundError
from geogrid.team.metrics import (
    Assistant,
    Source,
    assistants_of_month,
    gather,
    money_of_month,
    month_days,
)
from geogrid.team.people import PersonRef
from geogrid.team.scoring import Scheme, score_month
from geogrid.vocabulary import china_now, china_today

ZERO = Decimal(0)


@dataclass
class Line:
    """One assistant's month: who, where, each metric (None: no data), score and amount."""

    person_id: int
    person_no: str
    name: str
    station_code: str | None
    town_code: str
    town_name: str
    metrics: dict[str, float | None]
    score: Decimal
    performance_yuan: Decimal
    rewards_yuan: Decimal
    deductions_yuan: Decimal
    amount: Decimal
    confirmed: bool = False
    parts: dict[str, Decimal] = field(default_factory=dict)  # metric -> points


def month_lines(
    conn: Connection, month: str, scheme: Scheme, sources: dict[str, Source],
    station_id: int | None = None,
) -> list[Line]:  # fmt: skip
    """The month of every assistant of a station (or the county): confirmed stations' lines
    as confirmed, the others worked out now."""
    stored = _stored(conn, month, station_id)
    people = [p for p in assistants_of_month(conn, month, station_id) if p.id not in stored]
    live = _work_out(conn, month, people, scheme, sources)
    return sorted([*stored.values(), *live], key=lambda line: line.person_no)


def worked_out_lines(
    conn: Connection, month: str, scheme: Scheme, sources: dict[str, Source],
    station_id: int | None = None,
) -> list[Line]:  # fmt: skip
    """Every assistant's line of a station (or the county) worked out now, confirmed or not
    (what the console stores: `with_confirmed` puts the confirmed lines in when read)."""
    people = assistants_of_month(conn, month, station_id)
    return _work_out(conn, month, people, scheme, sources)


def with_confirmed(conn: Connection, month: str, station_id: int | None,
                   lines: list[Line]) -> list[Line]:  # fmt: skip
    """Worked-out lines with every confirmed line of the month read back in their place."""
    stored = _stored(conn, month, station_id)
    live = [line for line in lines if line.person_id not in stored]
    return sorted([*stored.values(), *live], key=lambda line: line.person_no)


def _work_out(conn, month: str, people: list[Assistant], scheme: Scheme, sources) -> list[Line]:
    names = [m.name for m in scheme.metrics]
    metrics = gather(conn, month, people, names, sources)
    money = money_of_month(conn, month)
    lines = []
    for p in people:
        rewards, deductions = money.get(p.id, (ZERO, ZERO))
        scored = score_month(scheme, metrics[p.id], rewards, deductions)
        lines.append(Line(
            p.id, p.person_no, p.name, p.station_code, p.town_code, p.town_name, metrics[p.id],
            scored.score, scored.performance_yuan, scored.rewards_yuan, scored.deductions_yuan,
            scored.amount, parts={part.name: part.points for part in scored.parts}))  # fmt: skip
    return lines


def _stored(conn: Connection, month: str, station_id: int | None) -> dict[int, Line]:
    rows = conn.execute(text(
        "select l.person_id, l.metrics from assessment_lines l join assessment_confirmations c"
        " on c.month = l.month and c.station_id = l.station_id where l.month = :m"
        " and (cast(:s as int) is null or l.station_id = :s)"),
        {"m": month, "s": station_id})  # fmt: skip
    return {row.person_id: _line_of(row.metrics) for row in rows}


def _line_of(stored: dict) -> Line:
    return _parsed(stored, True)


def line_of_json(stored: dict) -> Line:
    """A line back from its stored values (`line_values`), as worked out (not confirmed)."""
    return _parsed(stored, False)


def _parsed(stored: dict, confirmed: bool) -> Line:
    money = ("score", "performance_yuan", "rewards_yuan", "deductions_yuan", "amount")
    values = stored | {name: Decimal(stored[name]) for name in money}
    values["parts"] = {k: Decimal(v) for k, v in stored["parts"].items()}
    return Line(**values | {"confirmed": confirmed})


def confirm_month(
    conn: Connection, month: str, station_id: int, confirmed_by: str, scheme: Scheme,
    sources: dict[str, Source],
) -> list[Line]:  # fmt: skip
    """The station head confirms a finished month: its lines are stored as they are now and
    the month is locked."""
    code = conn.execute(text("select code from stations where id = :s"), {"s": station_id})
    station = code.scalar()
    if station is None:
        raise NotFoundError(f"no station {station_id}", field="station")
    if month_days(month)[1] >= china_today():
        raise InputError(f"month {month} is not over yet: it can be confirmed from the 1st of"
                         " the next", field="month")  # fmt: skip
    _refuse_if_locked(conn, month, station_id, station)
    lines = month_lines(conn, month, scheme, sources, station_id)
    for line in lines:
        conn.execute(text(
            "insert into assessment_lines (month, person_id, station_id, town, score, amount,"
            " metrics) values (:m, :p, :s, :t, :score, :amount, cast(:j as jsonb))"),
            {"m": month, "p": line.person_id, "s": station_id, "t": line.town_code,
             "score": line.score, "amount": line.amount, "j": _json(line)})  # fmt: skip
        line.confirmed = True
    conn.execute(text("insert into assessment_confirmations (month, station_id, confirmed_by,"
                      " confirmed_at) values (:m, :s, :by, :at)"),
                 {"m": month, "s": station_id, "by": confirmed_by, "at": china_now()})  # fmt: skip
    return lines


def _refuse_if_locked(conn: Connection, month: str, station_id: int, station: str) -> None:
    locked = conn.execute(text(
        "select confirmed_by, confirmed_at from assessment_confirmations"
        " where month = :m and station_id = :s"),
        {"m": month, "s": station_id}).first()  # fmt: skip
    if locked is not None:
        raise LockedError(f"month {month} of station {station} was confirmed by "
                          f"{locked.confirmed_by} on {locked.confirmed_at:%Y-%m-%d}: it cannot "
                          "change", field="month")  # fmt: skip


def person_month_locked(conn: Connection, person_id: int, month: str) -> bool:
    """Whether a person's line of the month is confirmed (nothing of it may change)."""
    sql = "select 1 from assessment_lines where person_id = :p and month = :m"
    return conn.execute(text(sql), {"p": person_id, "m": month}).first() is not None


def _json(line: Line) -> str:
    return json.dumps(line_values(line), ensure_ascii=False, default=str)


def line_values(line: Line) -> dict:
    """A line's values as stored (amounts as Decimal: JSON writes them as strings)."""
    values = asdict(line)
    values.pop("confirmed")
    return values


def appeal(conn: Connection, month: str, person: PersonRef, reason: str, filed_by: str) -> int:
    """Record an appeal against a person's month (the month's figures stay as they are)."""
    month_days(month)
    if not reason.strip():
        raise InputError("an appeal needs a reason", field="reason")
    return conn.execute(text(
        "insert into assessment_appeals (month, person_id, reason, filed_by)"
        " values (:m, :p, :r, :by) returning id"),
        {"m": month, "p": person.id, "r": reason, "by": filed_by}).scalar_one()  # fmt: skip


def decide_appeal(conn: Connection, appeal_id: int, decision: str, decided_by: str) -> None:
    """Record the decision on an appeal (once)."""
    row = conn.execute(text("select decision from assessment_appeals where id = :i"),
                       {"i": appeal_id}).first()  # fmt: skip
    if row is None:
        raise NotFoundError(f"no appeal {appeal_id}", field="appeal_id")
    if row.decision is not None:
        raise LockedError(f"appeal {appeal_id} is decided already", field="appeal_id")
    conn.execute(text("update assessment_appeals set decision = :d, decided_by = :by,"
                      " decided_at = :at where id = :i"),
                 {"d": decision, "by": decided_by, "at": china_now(), "i": appeal_id})  # fmt: skip


def appeal_person(conn: Connection, appeal_id: int) -> int:
    """The id of the person an appeal is about (NotFoundError naming it)."""
    found = conn.execute(text("select person_id from assessment_appeals where id = :i"),
                         {"i": appeal_id}).scalar()  # fmt: skip
    if found is None:
        raise NotFoundError(f"no appeal {appeal_id}", field="appeal_id")
    return found
