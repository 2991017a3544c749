"""A desk's inbox kept in this process while the database has not changed: exact at every read.

The cases waiting for a desk (per role, scope and page size) are kept with what says they
are still the answer:
- the database snapshot they were read under (`pg_current_snapshot()`): the same snapshot
  means no transaction has committed since, so every table reads the same; a step, a new
  report, a reassignment or a supervision by any process or worker commits, and so
  changes it;
- the horizon, the earliest deadline of any open case still to come: until it passes no
  case turns overdue, the only way the clock alone changes what waits (and a read at an
  earlier moment than the kept one reads afresh).
A read asks the database for its snapshot (no table is touched) and serves the kept cases
with their clocks (overdue, hours left, escalation) worked out at the read, or reads the
inbox again. Nothing served is ever stale. Under a steady stream of writes the cache just
misses, at the cost of that one small query.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, text

from geogrid.reports.deadlines import WorkCalendar
from geogrid.reports.inbox import OPEN, InboxItem, WaitingCase, clocked, waiting_cases
from geogrid.vocabulary import china_now

# Cases kept over all desks (a few hundred bytes each); beyond it every desk is forgotten
# at once, as the token cache does (a station's 100, a grid member's handful).
MAX_CASES = 100_000
_SNAPSHOT = text("select pg_current_snapshot()::text")
# The open cases' deadline index (ix_reports_open_due) finds the horizon with one probe.
_HORIZON = text("select pg_current_snapshot()::text, (select min(r.due_at) from reports r "
                f"where {OPEN} and r.due_at >= :now)")  # fmt: skip


@dataclass(frozen=True)
class KeptInbox:
    """A desk's waiting cases as read at `read_at` under `snapshot`, good until `horizon`."""

    snapshot: str
    read_at: datetime
    horizon: datetime | None  # None: no open case has a deadline to come
    calendar: WorkCalendar
    cases: list[WaitingCase]

    def serves(self, snapshot: str, now: datetime, calendar: WorkCalendar) -> bool:
        """Whether these cases are what waits at `now` in the database seen as `snapshot`."""
        return (snapshot == self.snapshot and self.read_at <= now and calendar is self.calendar
                and (self.horizon is None or now <= self.horizon))  # fmt: skip


class InboxCache:
    """The inboxes of one process's desks, each served while it is still exact."""

    def __init__(self, max_cases: int = MAX_CASES) -> None:
        self.max_cases = max_cases
        self._kept: dict[tuple, KeptInbox] = {}
        self._cases = 0  # kept over all desks
        self._lock = threading.Lock()
        self.hits = self.misses = 0  # reads served from what was kept, and read afresh

    def cases(self, engine: Engine, actor, *, calendar: WorkCalendar, now: datetime,
              limit: int = 100) -> list[WaitingCase]:  # fmt: skip
        """The cases waiting for the actor at `now` (kept, or read again), in inbox order."""
        key = (actor.role, actor.station_id, actor.department_id, actor.person_id, limit)
        kept = self._kept.get(key)
        if kept is not None and kept.serves(_snapshot(engine), now, calendar):
            self.hits += 1
            return kept.cases
        self.misses += 1
        with engine.begin() as conn:
            kept = _read(conn, actor, calendar, now, limit)
        self._keep(key, kept)
        return kept.cases

    def inbox(self, engine: Engine, actor, *, calendar: WorkCalendar,
              now: datetime | None = None, limit: int = 100) -> list[InboxItem]:  # fmt: skip
        """What `reports.inbox.inbox` answers, from the kept cases when they still hold."""
        now = now or china_now()
        return clocked(self.cases(engine, actor, calendar=calendar, now=now, limit=limit),
                       calendar, now)  # fmt: skip

    def _keep(self, key: tuple, kept: KeptInbox) -> None:
        with self._lock:
            replaced = self._kept.pop(key, None)
            self._cases -= 0 if replaced is None else len(replaced.cases)
            if self._cases + len(kept.cases) > self.max_cases:
                self._kept.clear()
                self._cases = 0
            self._kept[key] = kept
            self._cases += len(kept.cases)


def _snapshot(engine: Engine) -> str:
    """The database's snapshot now: one statement, outside any transaction."""
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        return conn.execute(_SNAPSHOT).scalar_one()


def _read(conn: Connection, actor, calendar: WorkCalendar, now: datetime,
          limit: int) -> KeptInbox:  # fmt: skip
    """The desk's cases with the snapshot and horizon, taken first in the transaction: a
    commit before the cases are read makes the kept snapshot older than what was read, so
    the next read misses; never the other way round."""
    snapshot, horizon = conn.execute(_HORIZON, {"now": now}).one()
    cases = waiting_cases(conn, actor, calendar=calendar, now=now, limit=limit)
    return KeptInbox(snapshot, now, horizon, calendar, cases)
