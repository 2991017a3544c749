"""The inbox: what is waiting for a caller, by role and scope, supervised first, then by deadline.

| role | waiting |
| --- | --- |
| county_admin | to_accept, to_dispatch and to_close in county triage; extensions it dispatched; every supervised or overdue case |
| station | to_accept, to_dispatch and to_close of its jurisdiction's police cases; to_verify in its jurisdiction; extensions it dispatched; supervised or overdue cases of its jurisdiction |
| department | to_accept, to_dispatch and to_close of the cases routed to it; to_handle of those dispatched to it; extensions it dispatched |
| grid_staff | to_handle of the cases dispatched to the person; to_verify in the person's grids |

Overdue is worked out at the read (stored deadline against the clock), so an item turns
overdue the moment its deadline passes. A case to close (verified, 待结案) has no deadline:
never overdue, it comes after the cases with one.
"""  # noqa: E501

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import Connection, TextClause, text

from geogrid.reports.deadlines import Limits, Timing, WorkCalendar, timing, timing_of_marks
from geogrid.reports.loop import OPEN as OPEN_STATUSES
from geogrid.reports.loop import TO_ACCEPT, WORKING
from geogrid.reports.loop_steps import accept_due
from geogrid.vocabulary import china_now


def _status_in(statuses: tuple[str, ...]) -> str:
    return f"r.status in ({', '.join(repr(s) for s in statuses)})"


_TO_ACCEPT = _status_in(TO_ACCEPT)
_WORKING = _status_in(WORKING)
# An open case (the loop's OPEN statuses), as the partial indexes on open cases hold it
# (the reports' generated is_open, storage/models.py).
OPEN = "r.is_open"
_PENDING = "exists (select 1 from report_extensions x where x.report_id = r.id " \
           "and x.status = 'pending')"  # fmt: skip
_ATTENTION = f"{OPEN} and (r.supervised_at is not null or r.due_at < :now)"

# (what is waiting, condition), first match wins; :s, :d, :p are the caller's station,
# department and person.
WAITING: dict[str, tuple[tuple[str, str], ...]] = {
    "county_admin": (
        ("to_accept", f"r.route = 'triage' and {_TO_ACCEPT}"),
        ("to_dispatch", "r.route = 'triage' and r.status = 'accepted'"),
        ("to_close", "r.route = 'triage' and r.status = 'verified'"),
        ("extension_to_decide", f"r.dispatcher_role = 'county_admin' and {_PENDING}"),
        ("attention", _ATTENTION),
    ),
    "station": (
        ("to_accept", f"r.route = 'station' and r.station_id = :s and {_TO_ACCEPT}"),
        ("to_dispatch", "r.route = 'station' and r.station_id = :s and r.status = 'accepted'"),
        ("to_verify", "r.station_id = :s and r.status = 'resolved'"),
        ("to_close", "r.route = 'station' and r.station_id = :s and r.status = 'verified'"),
        ("extension_to_decide", f"r.dispatcher_role = 'station' and r.station_id = :s "
                                f"and {_PENDING}"),
        ("attention", f"r.station_id = :s and {_ATTENTION}"),
    ),
    "department": (
        ("to_accept", f"r.department_id = :d and {_TO_ACCEPT}"),
        ("to_dispatch", "r.department_id = :d and r.status = 'accepted'"),
        ("to_handle", f"r.handler_department_id = :d and {_WORKING}"),
        ("to_close", "r.department_id = :d and r.status = 'verified'"),
        ("extension_to_decide", f"r.dispatcher_role = 'department' and r.department_id = :d "
                                f"and {_PENDING}"),
    ),
    "grid_staff": (
        ("to_handle", f"r.handler_person_id = :p and {_WORKING}"),
        ("to_verify", "(r.leader_id = :p or r.officer_id = :p) and r.status = 'resolved'"),
    ),
}  # fmt: skip


@dataclass(frozen=True, slots=True)  # slots: the API keeps many (reports/inbox_cache.py)
class CaseFacts:
    """What the inbox says of a waiting case before its clock: what waits, and its deadline."""

    id: str
    waiting: str  # to_accept/dispatch/handle/verify/close, extension_to_decide, attention
    status: str
    category: str
    route: str
    reported_at: datetime
    urgent: bool
    supervised: bool
    rework_count: int
    due_at: datetime | None


@dataclass(frozen=True, slots=True)
class WaitingCase(CaseFacts):
    """A case waiting for the caller as stored: its settled deadline (a case not yet
    accepted without a stored one is counted from its receipt), not yet its clock."""

    due_mark: timedelta | None  # the deadline's working mark (WorkCalendar.working_mark)


@dataclass(frozen=True, slots=True)
class InboxItem(CaseFacts):
    """One case waiting for the caller, with where it stands against its deadline."""

    overdue: bool
    hours_left: float | None
    escalation: int


def inbox(conn: Connection, actor, *, calendar: WorkCalendar, now: datetime | None = None,
          limit: int = 100) -> list[InboxItem]:  # fmt: skip
    """What waits for the actor: supervised cases first, then by deadline (soonest first)."""
    now = now or china_now()
    cases = waiting_cases(conn, actor, calendar=calendar, now=now, limit=limit)
    return clocked(cases, calendar, now)


def waiting_cases(conn: Connection, actor, *, calendar: WorkCalendar, now: datetime,
                  limit: int = 100) -> list[WaitingCase]:  # fmt: skip
    """The cases waiting for the actor at `now`, in the inbox's order, without their clocks."""
    rules = WAITING.get(actor.role, ())
    if not rules:
        return []
    params = {"s": actor.station_id, "d": actor.department_id, "p": actor.person_id,
              "now": now, "limit": limit}  # fmt: skip
    # JIT compiling cost 0.9 s of a station's 1.9 s inbox (bench/bench_inbox.py): off.
    conn.execute(text("set local jit = off"))
    rows = conn.execute(_query(actor.role), params).mappings()
    return [_waiting(dict(row), calendar) for row in rows]


@lru_cache(maxsize=8)
def _query(role: str) -> TextClause:
    """A role's inbox query, built once (its text is the same at every call)."""
    rules = WAITING[role]
    label = "case " + " ".join(f"when {cond} then '{name}'" for name, cond in rules) + " end"
    # Every item is an open case: said outright, so the open cases' partial indexes serve.
    anywhere = f"{OPEN} and (" + " or ".join(f"({cond})" for _, cond in rules) + ")"
    # Every open case has its stage's deadline in the row (the intake stores the acceptance
    # deadline), so the order is the station inbox index's own: the first `limit` are read
    # off it. A case moved by the plain status change alone may have none: it comes last.
    return text(f"""
        select r.id, {label} as waiting, r.status, c.code as category, r.route, r.reported_at,
               r.urgent, r.supervised_at, r.rework_count, r.due_at, r.received_at,
               c.accept_hours, c.handle_days, c.verify_days
        from reports r join report_categories c on c.id = r.category_id
        where {anywhere}
        order by r.supervised_at is null, r.due_at, r.id
        limit :limit""")


def clocked(cases: list[WaitingCase], calendar: WorkCalendar, now: datetime) -> list[InboxItem]:
    """The waiting cases with their clocks at `now`: overdue, working hours left, escalation."""
    now_mark = calendar.working_mark(now)
    items = []
    for case in cases:
        when = timing_of_marks(case.due_at, case.due_mark, now, now_mark)
        items.append(InboxItem(
            case.id, case.waiting, case.status, case.category, case.route, case.reported_at,
            case.urgent, case.supervised, case.rework_count, case.due_at, when.overdue,
            when.hours_left, when.escalation))  # fmt: skip
    return items


def case_timing(calendar: WorkCalendar, row: dict, now: datetime) -> Timing:
    """A case's stage deadline against the clock, from a row with the reports' loop columns
    and its category's limits (a case not yet accepted is counted from its receipt)."""
    return timing(calendar, _settled_due(calendar, row), now)


def case_clocks(calendar: WorkCalendar, rows: list[dict], now: datetime) -> list[Timing | None]:
    """Each row's `case_timing` (None for a case no longer open), from one working mark of
    the clock and one of each deadline rather than the working days counted between them."""
    now_mark = calendar.working_mark(now)
    clocks: list[Timing | None] = []
    for row in rows:
        if row["status"] not in OPEN_STATUSES:
            clocks.append(None)
            continue
        due = _settled_due(calendar, row)
        mark = None if due is None else calendar.working_mark(due)
        clocks.append(timing_of_marks(due, mark, now, now_mark))
    return clocks


def _settled_due(calendar: WorkCalendar, row: dict) -> datetime | None:
    due = row["due_at"]
    if due is None and row["status"] in TO_ACCEPT:
        limits = Limits(row["accept_hours"], row["handle_days"], row["verify_days"])
        due = accept_due(calendar, row | {"limits": limits})
    return due


def _waiting(row: dict, calendar: WorkCalendar) -> WaitingCase:
    due = _settled_due(calendar, row)
    return WaitingCase(
        id=str(row["id"]), waiting=row["waiting"], status=row["status"],
        category=row["category"], route=row["route"], reported_at=row["reported_at"],
        urgent=row["urgent"], supervised=row["supervised_at"] is not None,
        rework_count=row["rework_count"], due_at=due,
        due_mark=None if due is None else calendar.working_mark(due),
    )  # fmt: skip
