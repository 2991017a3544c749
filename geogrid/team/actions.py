"""Rewards and sanctions: 一案一奖 (linked to the case that earned it), 一事一奖, 表彰
(commendation), 警告 (warning, with a deduction) and 调整辞退 (dismissal), which ends the
person's grid assignments on its date, so the grid shows on the staffing list again."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import Connection, text

from geogrid.errors import InputError, LockedError, NotFoundError
from geogrid.storage.duty import end_duty
from geogrid.team.assessment import person_month_locked
from geogrid.team.people import PersonRef, plausible_day
from geogrid.vocabulary import TEAM_ACTIONS

REWARDS = ("case_reward", "deed_reward")


@dataclass(frozen=True)
class ActionIn:
    """A reward or sanction to record: kind, day, reason, amount (yuan), linked report."""

    kind: str
    on_day: date
    reason: str
    decided_by: str
    amount: Decimal | float | str = 0
    report_id: str | None = None


@dataclass(frozen=True)
class Recorded:
    """What was recorded, and the grids a dismissal took the person off."""

    id: int
    ended_grids: list[str]


def record_action(conn: Connection, person: PersonRef, action: ActionIn) -> Recorded:
    """Record a reward or sanction after checking it; a dismissal ends the assignments."""
    plausible_day(action.on_day, "on_day")
    amount = _amount(action)
    report = _report(conn, action)
    if not action.reason.strip():
        raise InputError(f"a {action.kind} of {person.label()} needs a reason", field="reason")
    if person_month_locked(conn, person.id, f"{action.on_day:%Y-%m}"):
        raise LockedError(f"the month {action.on_day:%Y-%m} of {person.label()} is confirmed: "
                          "date the record in an open month", field="on_day")  # fmt: skip
    new_id = conn.execute(text(
        "insert into team_actions (person_id, kind, on_day, reason, amount, report_id,"
        " decided_by) values (:p, :k, :d, :r, :a, :rep, :by) returning id"),
        {"p": person.id, "k": action.kind, "d": action.on_day, "r": action.reason, "a": amount,
         "rep": report, "by": action.decided_by}).scalar_one()  # fmt: skip
    ended = end_duty(conn, person.id, action.on_day) if action.kind == "dismissal" else []
    return Recorded(new_id, ended)


def _amount(action: ActionIn) -> Decimal:
    if action.kind not in TEAM_ACTIONS:
        raise InputError(f"unknown kind {action.kind!r}: use {', '.join(TEAM_ACTIONS)}",
                         field="kind")  # fmt: skip
    try:
        amount = Decimal(str(action.amount)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise InputError(f"amount {action.amount!r} is not a number", field="amount") from None
    if amount < 0 or amount > 100_000:
        raise InputError(f"amount {amount} is not between 0 and 100000 yuan", field="amount")
    return amount


def _report(conn: Connection, action: ActionIn) -> uuid.UUID | None:
    """The linked report: required for 一案一奖, checked to exist when given."""
    if action.report_id is None:
        if action.kind == "case_reward":
            raise InputError("a case reward (一案一奖) names the report of its case",
                             field="report_id")  # fmt: skip
        return None
    try:
        report = uuid.UUID(str(action.report_id))
    except ValueError:
        raise InputError(f"report_id {action.report_id!r} is not a UUID",
                         field="report_id") from None  # fmt: skip
    if conn.execute(text("select 1 from reports where id = :i"), {"i": report}).first() is None:
        raise NotFoundError(f"no report {report}", field="report_id")
    return report


@dataclass(frozen=True)
class ActionRow:
    """A recorded reward or sanction."""

    id: int
    kind: str
    on_day: date
    reason: str
    amount: Decimal
    report_id: uuid.UUID | None
    decided_by: str


def actions_of(conn: Connection, person: PersonRef) -> list[ActionRow]:
    """A person's rewards and sanctions, newest first."""
    rows = conn.execute(text(
        "select id, kind, on_day, reason, amount, report_id, decided_by from team_actions"
        " where person_id = :p order by on_day desc, id desc"), {"p": person.id})  # fmt: skip
    return [ActionRow(*row) for row in rows]
