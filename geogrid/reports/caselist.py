"""The case list of a desk: reports of a filter in the reader's scope, by deadline, paged;
and which loop steps a reader may take on one case now.

Beyond the reports' filter (reports.queries.ReportFilter) a desk asks for overdue cases,
supervised ones, and words of the text (off the index of the texts' character pairs,
storage/text_grams.py). Open cases come first, soonest deadline first (a
case not yet accepted by its acceptance limit from receipt), then the finished ones, newest
first. The text of a sensitive category is searched only for a reader who may see it, so a
search never reveals what a redacted row hides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from sqlalchemy import (
    Connection,
    Select,
    and_,
    case,
    false,
    func,
    literal,
    literal_column,
    not_,
    null,
    select,
    union_all,
)

from geogrid.errors import InputError
from geogrid.reports.loop import OPEN, RULES, TO_ACCEPT, may_take
from geogrid.reports.queries import C, R, ReportFilter, ReportScope, _uuid
from geogrid.storage.loop_tables import ReportExtension
from geogrid.storage.models import Grid
from geogrid.storage.text_grams import holds_text, holds_words, words_share

MAX_TEXT = 100
# Words in at least this share of reports: a page of them is read off the deadline's index
# (~50 / share rows), sooner than all their reports off the grams' index.
COMMON_WORDS = 0.01
# "more than 500" (ten pages) is all a desk needs: counting further costs more than the page
MAX_COUNTED = 500


def _constant_statuses(statuses: tuple[str, ...]) -> list:
    """The loop's own statuses written into the statement: an expanding list of parameters
    is rendered anew on every execution (a third of a millisecond a statement)."""
    return [literal_column(f"'{status}'") for status in statuses]


# The reports' generated is_open (the loop's OPEN): the open cases' partial indexes are made
# on it, and a condition on the statuses cost 0.2 ms of planning per read to match them.
_IS_OPEN = R.c.is_open
_IS_FINISHED = not_(R.c.is_open)
_IS_WAITING = R.c.status.in_(_constant_statuses(TO_ACCEPT))


@dataclass(frozen=True)
class CaseQuery:
    """A desk's question: the reports' filter, and the case list's own conditions."""

    filters: ReportFilter = field(default_factory=ReportFilter)
    overdue: bool = False
    supervised: bool = False
    text: str = ""

    def __post_init__(self) -> None:
        if len(self.text) > MAX_TEXT:
            raise InputError(f"the search text is at most {MAX_TEXT} characters", field="q")

    def conditions(self, scope: ReportScope, now: datetime, *, indexed: bool = True) -> list:
        """The question as conditions on the reports and categories tables; `indexed`: the
        text's words also asked of the grams' index (storage/text_grams.py)."""
        where = [*self.filters.conditions(), scope.condition()]
        if self.overdue:
            where += [_IS_OPEN, R.c.due_at < now]
        if self.supervised:
            where.append(R.c.supervised_at.is_not(None))
        if self.text:
            found = holds_text(R.c.text, self.text)  # exact, on what the index finds
            if indexed:
                found = and_(holds_words(R.c.text_grams, self.text), found)
            readable = literal(True) if scope.details else not_(C.c.sensitive)
            where.append(and_(readable, found))
        return where

    def paged_conditions(self, conn: Connection, scope: ReportScope, now: datetime) -> list:
        """The conditions for reading a page in deadline order: words common enough that
        the deadline's index meets a page of them soon are asked of the text alone."""
        common = bool(self.text) and words_share(conn, self.text) >= COMMON_WORDS
        return self.conditions(scope, now, indexed=not common)

    def wants_open(self) -> bool:
        """Whether open cases can match (no status asked, or an open one)."""
        return not self.filters.statuses or any(s in OPEN for s in self.filters.statuses)

    def wants_finished(self) -> bool:
        """Whether finished cases can match (an overdue case is an open one)."""
        statuses = self.filters.statuses
        return not self.overdue and (not statuses or any(s not in OPEN for s in statuses))


def _deadline():
    """A case's deadline: stored, else acceptance from receipt (older rows)."""
    return func.coalesce(
        R.c.due_at, R.c.received_at + func.make_interval(0, 0, 0, 0, C.c.accept_hours)
    )


@dataclass(frozen=True)
class CasePage:
    """One page of a desk's list and how many cases match: exactly `total` when `exact`,
    else more than `total` (beyond MAX_COUNTED, or a text search left uncounted); `more`:
    a next page holds some."""

    rows: list[dict]
    total: int
    exact: bool
    more: bool
    size: int  # rows a page

    @property
    def pages(self) -> int | None:
        """How many pages the matches fill, when counted exactly."""
        return max(1, -(-self.total // self.size)) if self.exact else None


def list_cases(
    conn: Connection, query: CaseQuery, scope: ReportScope, *, now: datetime, limit: int,
    offset: int = 0,
) -> CasePage:  # fmt: skip
    """One page of the cases asked for, in deadline order, and how many match in all.

    The open cases and the finished ones are read apart, each off its own index in its own
    order (open by deadline, finished newest first), so a page never sorts a station's
    whole history; the finished ones are asked for only when the open ones run out. A row
    beyond the page says whether a next page exists; the count stops at MAX_COUNTED, and a
    text search is counted only when its matches end on the page (each match costs the
    text's comparison: thousands of them cost more than the page). Without a text the
    capped count rides on the page's own statement (a statement of its own cost the list
    more than the count itself)."""
    where = query.paged_conditions(conn, scope, now)
    counting = None if query.text or offset + limit >= MAX_COUNTED else _counting(query, where)
    rows, counted = _read_page(conn, query, scope, where, limit + 1, offset, counting)
    more, rows = len(rows) > limit, rows[:limit]
    if not more and (rows or offset == 0):
        return CasePage(rows, offset + len(rows), True, False, limit)  # the last page
    if more and (query.text or offset + limit >= MAX_COUNTED):
        return CasePage(rows, offset + limit, False, True, limit)  # more than counting shows
    # a page past the end, or one before MAX_COUNTED: the grams' index counts a text best
    if counted is None:
        counted = conn.execute(_counting(query, query.conditions(scope, now))).scalar_one()
    if counted > MAX_COUNTED:
        return CasePage(rows, MAX_COUNTED, False, more, limit)
    return CasePage(rows, counted, True, more, limit)


def _read_page(conn: Connection, query: CaseQuery, scope: ReportScope, where: list, limit: int,
               offset: int, counting: Select | None) -> tuple[list[dict], int | None]:  # fmt: skip
    """The page's rows (open ones by deadline, then finished ones newest first) and the
    capped count if `counting` was given and a row came to carry it."""
    extras = [] if counting is None else [counting.scalar_subquery().label(_COUNTED)]
    opened = _opened(query, where)
    rows = _open_page(conn, scope, opened, limit, offset, extras) if query.wants_open() else []
    if len(rows) < limit and query.wants_finished():
        skip = 0 if rows else offset - _open_before(conn, opened, offset, query.wants_open())
        finished = _list_select(scope).where(*where, _IS_FINISHED)
        finished = finished.order_by(R.c.reported_at.desc(), R.c.id)
        finished = finished.add_columns(*extras) if extras and not rows else finished
        rows += conn.execute(finished.limit(limit - len(rows)).offset(skip)).mappings().all()
    rows = [dict(r) for r in rows]
    counted = rows[0].get(_COUNTED) if extras and rows else None
    for row in rows:
        row.pop(_COUNTED, None)
        row.pop(_DERIVES, None)
    return rows, counted


_COUNTED, _DERIVES = "counted_", "derives_"  # what a page's first statement carries beside


def _opened(query: CaseQuery, where: list) -> list:
    """`where` narrowed to the open cases (an overdue question's are already: the planner
    would count the condition's share twice, expect a tenth of the rows, and sort them all
    rather than read the deadline's index)."""
    return where if query.overdue else [*where, _IS_OPEN]


def _open_page(conn: Connection, scope: ReportScope, opened: list, limit: int, offset: int,
               extras: list):  # fmt: skip
    """The open cases of the page by deadline: those with a stored deadline off the open
    cases' deadline index, the rare ones without one (acceptance from receipt) beside.
    The first read says beside its rows whether any such case is there; `extras` ride on
    it too."""
    # A verified case awaiting its close has no deadline: it comes after the open cases
    # with one (nulls last, as the index keeps them); only a waiting case without a stored
    # deadline gets one derived from its receipt.
    derives = and_(R.c.due_at.is_(None), _IS_WAITING)
    stored = _list_select(scope, "stored").where(*opened, not_(derives))
    stored = stored.order_by(R.c.due_at, R.c.reported_at.desc(), R.c.id)
    # ordered, so the planner reads it off the deadline index (a bare LIMIT 1 scans the table)
    unstored = _matching(opened).where(derives).order_by(R.c.due_at).limit(1).correlate(None)
    flag = unstored.scalar_subquery().is_not(None).label(_DERIVES)
    page = stored.add_columns(flag, *extras).limit(limit).offset(offset)
    rows = conn.execute(page).mappings().all()
    if rows and not rows[0][_DERIVES]:  # the usual case: a plain read off the index
        return rows
    derived = _list_select(scope, "derived").where(*opened, derives)
    derived = derived.order_by(_deadline(), R.c.reported_at.desc(), R.c.id)
    both = union_all(stored.limit(offset + limit), derived.limit(offset + limit)).subquery()
    page = select(both, *extras).order_by(both.c.deadline, both.c.reported_at.desc(), both.c.id)
    return conn.execute(page.limit(limit).offset(offset)).mappings().all()


def _open_before(conn: Connection, opened: list, offset: int, wanted: bool) -> int:
    """How many open cases match (at most `offset`): the finished ones start after them."""
    if not wanted or offset == 0:
        return 0
    first = _matching(opened).order_by(R.c.due_at).limit(offset).subquery()
    return conn.execute(select(func.count()).select_from(first)).scalar_one()


def _counting(query: CaseQuery, where: list) -> Select:
    """How many cases match, at most MAX_COUNTED + 1, read in the page's own orders: off
    the open cases' deadline index and the finished ones' by time. A bare capped count
    would scan the table from wherever a concurrent scan stands (PostgreSQL's synchronised
    scans), far from a station's rows: a second under load, where these read a few pages.
    Stands apart from any outer statement (it may ride on one)."""
    cap, parts = MAX_COUNTED + 1, []
    if query.wants_open():
        parts.append(_matching(_opened(query, where)).order_by(R.c.due_at).limit(cap))
    if query.wants_finished():
        finished = _matching(where).where(_IS_FINISHED)
        parts.append(finished.order_by(R.c.reported_at.desc()).limit(cap))
    if not parts:
        return select(literal(0))
    # the finished ones are read only if the open ones fall short of the cap
    both = union_all(*parts).limit(cap).subquery() if len(parts) > 1 else parts[0].subquery()
    return select(func.count()).select_from(both).correlate(None)


def _matching(where: list) -> Select:
    """The ids of the reports `where` holds, joined to their categories only if a condition
    asks of them: else an index of the conditions' columns answers alone (a count of 500
    overdue cases off the open cases' index: 0.1 ms rather than 0.4)."""
    # the tables a condition names itself (a subquery's own tables are its own)
    asks = any(C in w._from_objects for w in where)
    return (
        select(R.c.id)
        .select_from(R.join(C, C.c.id == R.c.category_id) if asks else R)
        .where(*where)
    )


def _list_select(scope: ReportScope, deadline: str | None = None) -> Select:
    """What a row of the list shows and its clock needs, with the `deadline` its order
    goes by ("stored", "derived" or none)."""
    return _list_columns(scope.details, deadline)


@lru_cache(maxsize=8)
def _list_columns(details: bool, deadline: str | None) -> Select:
    """Fewer joins than a report's page (the planner's time grows with each); built once
    per kind, as a statement never changes once built (each use derives a new one)."""
    G = Grid.__table__
    # each a look-up by primary key per row: a join apiece would more than double the
    # planner's time (0.8 ms a page for a 0.25 ms read)
    grid = select(G.c.name).where(G.c.id == R.c.level2_id).scalar_subquery()
    community = select(G.c.name).where(G.c.id == R.c.level1_id).scalar_subquery()
    hidden = and_(C.c.sensitive, false() if details else literal(True))
    columns = [
        R.c.id, C.c.code.label("category"), C.c.name_zh.label("category_name"), C.c.sensitive,
        R.c.status, R.c.reported_at, R.c.received_at, R.c.due_at, R.c.urgent, R.c.supervised_at,
        R.c.rework_count, R.c.route, C.c.accept_hours, C.c.handle_days, C.c.verify_days,
        case((hidden, null()), else_=R.c.text).label("text"), hidden.label("redacted"),
        grid.label("grid_name"), community.label("community_name"),
    ]  # fmt: skip
    if deadline is not None:
        columns.append((R.c.due_at if deadline == "stored" else _deadline()).label("deadline"))
    return select(*columns).select_from(R.join(C, C.c.id == R.c.category_id))


def open_steps(conn: Connection, report_id: str, actor) -> list[str]:
    """The loop steps `actor` may take on the case now (its relation and the case's status
    allow them), in the loop's order; the case must already be in the actor's sight."""
    row = conn.execute(
        select(R.c.id, R.c.status, R.c.route, R.c.station_id, R.c.department_id, R.c.leader_id,
               R.c.officer_id, R.c.handler_person_id, R.c.handler_department_id,
               R.c.dispatcher_role).where(R.c.id == _uuid(report_id))
    ).mappings().first()  # fmt: skip
    if row is None:
        return []
    case_ = dict(row)
    steps = [step for step, rule in RULES.items()
             if case_["status"] in rule.from_statuses and may_take(step, case_, actor)]  # fmt: skip
    if "extension_decide" in steps and not _extension_pending(conn, case_["id"]):
        steps.remove("extension_decide")  # nothing to decide until the handler asks
    return steps


def _extension_pending(conn: Connection, report_id) -> bool:
    X = ReportExtension.__table__
    pending = select(X.c.id).where(X.c.report_id == report_id, X.c.status == "pending")
    return conn.execute(pending.limit(1)).first() is not None
