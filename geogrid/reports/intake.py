"""Report intake: one pipeline behind every door (a phone's POST, a batch, a file).

check -> settle retries -> assign -> people on duty -> route -> duplicate hints -> store
(-> a registry proposal of each basic-information report, in the same transaction),
written once in `intake_steps`, which yields its reads and its COPY so that a blocking
connection (`store_steps`: the batch route, the file ingest) and the API writer's async
one (`store_steps_async`) run the same rules. A rejected item never stops the others: the
result holds, for each item, its report id or the reason it was rejected. A client request
id makes a retry safe: the same id with the same body returns the first result; the same
id with another body is a conflict.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Generator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import psycopg
from sqlalchemy import Connection, Engine

from geogrid.errors import ConflictError, GeogridError, InputError
from geogrid.registry.from_reports import proposals_from_reports
from geogrid.reports import store
from geogrid.reports.assign import DEFAULT_TOLERANCE_M
from geogrid.reports.assignment import Assignment
from geogrid.reports.checks import DEFAULT_CRS, CheckedItems, ItemError, check_items, items_frame
from geogrid.reports.checks_few import check_few
from geogrid.reports.deadlines import Limits, WorkCalendar, calendar_of, due_at
from geogrid.reports.duplicates import earliest_repeated, open_reports_near
from geogrid.reports.index import AssignmentIndex, IndexCache, load_index
from geogrid.reports.routing import CategoryCache, CategoryTable, read_categories
from geogrid.storage.driver import Read, run, run_async_together

DUPLICATE_DISTANCE_M = 50.0
DUPLICATE_WINDOW_HOURS = 24.0
ASK_TOGETHER = 1000  # up to this many items, retries and open reports near in one trip
Outcome = tuple[str, str] | GeogridError  # (report id, 'accepted' | 'repeated') or the error


@dataclass
class IntakeOptions:
    """How a batch is read and assigned."""

    default_crs: str = DEFAULT_CRS
    tolerance_m: float = DEFAULT_TOLERANCE_M
    duplicate_distance_m: float = DUPLICATE_DISTANCE_M
    duplicate_window_hours: float = DUPLICATE_WINDOW_HOURS
    now: datetime | None = None
    # The working-day calendar of the acceptance deadline each new report is given
    # (None: the shipped one; the fronts pass the one of GEOGRID_HOLIDAYS_FILE).
    calendar: WorkCalendar | None = None


@dataclass
class IntakeResult:
    """Per item: 'accepted', 'repeated' (an earlier request's result) or 'rejected'."""

    outcome: np.ndarray  # object, one per input item
    report_id: np.ndarray  # object: the report's id (accepted or repeated), else None
    errors: list[ItemError]
    methods: Counter = field(default_factory=Counter)  # accepted items by assignment method
    routes: Counter = field(default_factory=Counter)  # accepted items by route
    duplicates: int = 0

    @property
    def accepted(self) -> int:
        """How many new reports were stored."""
        return int((self.outcome == "accepted").sum())

    def outcomes(self) -> list[Outcome]:
        """Per item: (report id, outcome), or its error naming the field (a conflict for a
        client request id used with another body, else an input error)."""
        errors = {e.row: e for e in self.errors}
        outcomes: list[Outcome] = []
        for row, outcome in enumerate(self.outcome):
            if outcome == "rejected":
                problem = errors[row]
                kind = ConflictError if problem.conflict else InputError
                outcomes.append(kind(f"{problem.field}: {problem.message}", field=problem.field))
            else:
                outcomes.append((str(self.report_id[row]), str(outcome)))
        return outcomes


def submit_reports(
    engine: Engine,
    items: pd.DataFrame | Sequence[Mapping],
    options: IntakeOptions | None = None,
    *,
    index: AssignmentIndex | IndexCache | None = None,
    categories: CategoryCache | None = None,
    connection: Connection | None = None,
) -> IntakeResult:
    """Check, assign, route and store a batch of report items (a DataFrame, one row each,
    or a list of mappings: a few plain ones are checked without pandas), in a transaction
    of its own on `connection` if given (a writer keeping one), else on one from the pool.
    The categories are read in the transaction unless a cache of them is given."""
    options = options or IntakeOptions()
    with _transaction(engine, connection) as conn:
        table = read_categories(conn) if categories is None else categories.get(conn)
        return store_steps(conn, item_steps(items, table, _current_index(engine, index), options))


def submit_checked(
    engine: Engine,
    n: int,
    checked: CheckedItems,
    errors: list[ItemError],
    table: CategoryTable,
    options: IntakeOptions,
    *,
    index: AssignmentIndex | IndexCache | None = None,
) -> IntakeResult:
    """Assign, route and store n items checked beforehand against `table` (a file's next
    chunk is checked while the one before it is stored), in a transaction of their own."""
    steps = intake_steps(n, checked, errors, table, _current_index(engine, index), options)
    with engine.begin() as conn:
        return store_steps(conn, steps)


@dataclass(frozen=True)
class Copy:
    """A step of the intake: COPY these rows (as `store.copy_reports` takes them)."""

    rows: dict[str, np.ndarray]


Step = tuple[Read, ...] | Copy  # reads to answer together, or rows to store
Steps = Generator[Step, Any, IntakeResult]


def item_steps(items: pd.DataFrame | Sequence[Mapping], table: CategoryTable,
               index: AssignmentIndex, options: IntakeOptions) -> Steps:  # fmt: skip
    """The whole pipeline for raw items: the checks, then `intake_steps`."""
    checked, errors = check(items, set(table.codes), options)
    return intake_steps(len(items), checked, errors, table, index, options)


def intake_steps(n: int, checked: CheckedItems, errors: list[ItemError], table: CategoryTable,
                 index: AssignmentIndex, options: IntakeOptions) -> Steps:  # fmt: skip
    """The intake after the checks, written once for every door: settle retries -> assign
    -> people on duty -> route -> duplicate hints -> store. It yields what it needs from
    the database (reads, answered as a list; then one COPY) and returns the result, so a
    blocking connection (`store_steps`) and the API's async one (`store_steps_async`) run
    the same rules. A few items ask for their retries and for the open reports near them
    in one round trip (a superset of what the new ones need); many ask for the retries
    first, so that a file's rerun does not scan the open reports near what it already
    stored."""
    result = new_result(n, errors)
    together = len(checked) <= ASK_TOGETHER
    if together:
        near_any = open_reports_near_any(checked, table, options)
        earlier, open_near = yield (earlier_requests_of(checked), near_any)
    else:
        (earlier,) = yield (earlier_requests_of(checked),)
    fresh = settle_retries(checked, earlier, result)
    if len(fresh):
        new = NewReports.of(fresh, table, index, options)
        if not together:
            (open_near,) = yield (new.open_reports_near(),)
        yield Copy(new.rows(open_near, result))
        filed = new.registry_ids()
        if filed:  # in the same transaction: a basic report is never stored without its proposal
            yield (proposals_from_reports(filed),)
    return result


def store_steps(conn: Connection, steps: Steps) -> IntakeResult:
    """Run the intake's steps on a blocking connection (in the caller's transaction)."""
    answer = None
    try:
        while True:
            step = steps.send(answer)
            if isinstance(step, Copy):
                answer = store.copy_reports(conn, step.rows)
            else:
                answer = [run(conn, read) for read in step]
    except StopIteration as done:
        return done.value


async def store_steps_async(conn: psycopg.AsyncConnection, steps: Steps) -> IntakeResult:
    """Run the intake's steps on an async connection, each step's reads in one round trip."""
    answer = None
    try:
        while True:
            step = steps.send(answer)
            if isinstance(step, Copy):
                answer = await store.copy_reports_async(conn, step.rows)
            else:
                answer = await run_async_together(conn, *step)
    except StopIteration as done:
        return done.value


@contextmanager
def _transaction(engine: Engine, connection: Connection | None) -> Iterator[Connection]:
    if connection is None:
        with engine.begin() as conn:
            yield conn
    else:
        with connection.begin():
            yield connection


def check(items, categories: set[str], options: IntakeOptions):
    """The checks of items: a few plain ones without pandas (`check_few`), else vectorised."""
    if not isinstance(items, pd.DataFrame):
        few = check_few(items, categories, default_crs=options.default_crs, now=options.now)
        if few is not None:
            return few
        items = items_frame(list(items))
    return check_items(items, categories, default_crs=options.default_crs, now=options.now)


def _current_index(engine: Engine, index) -> AssignmentIndex:
    if isinstance(index, IndexCache):
        return index.get()
    return index if index is not None else load_index(engine)


def new_result(n: int, errors: list[ItemError]) -> IntakeResult:
    """The result of n items before any is stored: each rejected, with the checks' errors."""
    outcome = np.full(n, "rejected", dtype=object)
    return IntakeResult(outcome, np.full(n, None, dtype=object), sorted(errors, key=_row))


def _row(error: ItemError) -> int:
    return error.row


def earlier_requests_of(checked: CheckedItems) -> Read[dict[str, tuple[str, str]]]:
    """The stored reports of the items' client request ids (a `Read`)."""
    has_id = [i for i in checked.client_request_id if i is not None]
    return store.earlier_requests(sorted(set(has_id)))


def settle_retries(checked: CheckedItems, earlier: dict, result: IntakeResult) -> CheckedItems:
    """Answer retries from what is stored (`earlier`, read by `earlier_requests_of`);
    returns the items that are new."""
    has_id = np.array([i is not None for i in checked.client_request_id], dtype=bool)
    keep = np.ones(len(checked), dtype=bool)
    seen: dict[str, str] = {}  # within this batch: id -> body hash of its first item
    for k in np.flatnonzero(has_id):
        request, body, row = checked.client_request_id[k], checked.body_hash[k], checked.rows[k]
        if request in earlier or request in seen:
            first_body = earlier[request][1] if request in earlier else seen[request]
            keep[k] = False
            if first_body == body:
                result.outcome[row] = "repeated"
                result.report_id[row] = earlier[request][0] if request in earlier else request
            else:
                result.errors.append(ItemError(int(row), "client_request_id",
                    f"{request!r} was already used with a different body (conflict)"))  # fmt: skip
        else:
            seen[request] = body
    result.errors.sort(key=_row)
    return checked if keep.all() else checked.take(keep)


@dataclass
class NewReports:
    """New items assigned and routed, with their ids: all but the duplicate search, which
    needs the open reports near them (`open_reports_near`), and the COPY (`rows`)."""

    items: CheckedItems
    table: CategoryTable
    assignment: Assignment
    ids: np.ndarray
    probes: dict[str, np.ndarray]  # what the duplicate search compares
    options: IntakeOptions

    @classmethod
    def of(cls, items: CheckedItems, table: CategoryTable, index: AssignmentIndex,
           options: IntakeOptions) -> NewReports:  # fmt: skip
        """Assign and route checked, new items."""
        category = table.positions(items.category)
        probes = _probes(items, table, category)
        assignment = Assignment.of(index, table, category, items.lon, items.lat,
                                   probes["seconds"], options.tolerance_m)  # fmt: skip
        ids = probes["id"] = store.new_ids(len(items))
        return cls(items, table, assignment, ids, probes, options)

    def open_reports_near(self) -> Read[dict[str, np.ndarray]]:
        """The open reports these may repeat (a `Read`)."""
        return _open_near(self.probes, self.options)

    def rows(self, open_near: dict[str, np.ndarray], result: IntakeResult) -> dict:
        """The rows to COPY, duplicates flagged from `open_near`; `result` records them."""
        duplicate_of = earliest_repeated(
            self.probes, open_near, self.assignment.index.to_metres,
            distance_m=self.options.duplicate_distance_m,
            window_hours=self.options.duplicate_window_hours,
        )  # fmt: skip
        items, ids, assignment = self.items, self.ids, self.assignment
        result.outcome[items.rows] = "accepted"
        result.report_id[items.rows] = [_dashed(i) for i in ids]
        _point_repeats_at_first(items, ids, result)
        result.methods.update(assignment.placement.method_names())
        result.routes.update(assignment.routes.names())
        result.duplicates = int(sum(d is not None for d in duplicate_of))
        status = np.where(assignment.assigned, "assigned", "received").astype(object)
        status[~self.probes["dynamic"]] = "registry"  # basic information: not a case
        received = datetime.now(UTC)
        return {
            "id": ids, "client_request_id": items.client_request_id,
            "body_hash": items.body_hash, "category_id": self.probes["category_id"],
            "lon": items.lon, "lat": items.lat, "received_x": items.received_x,
            "received_y": items.received_y, "received_crs": items.received_crs,
            "reported_at": items.reported_at, "reporter": items.reporter, "text": items.text,
            **assignment.columns(), "status": status, "duplicate_of": duplicate_of,
            "urgent": items.urgent, "received_at": np.full(len(ids), received),
            "due_at": self.accept_deadlines(received),
        }  # fmt: skip

    def accept_deadlines(self, received: datetime) -> np.ndarray:
        """Each new report's acceptance deadline, stored at intake so every open case has
        its deadline in the row (the inbox reads them in index order): one working-time
        sum per category and urgency, as a batch is received at one moment."""
        calendar = self.options.calendar or calendar_of()
        hours = self.table.accept_hours[self.table.positions(self.items.category)]
        out = np.empty(len(hours), dtype=object)
        for limit, urgent in set(zip(hours.tolist(), self.items.urgent.tolist(), strict=True)):
            due = due_at(calendar, received, Limits(limit, 1, 1), "accept", urgent=urgent)
            out[(hours == limit) & (self.items.urgent == urgent)] = due
        out[~self.probes["dynamic"]] = None  # a registry proposal has no case deadline
        return out

    def registry_ids(self) -> list[str]:
        """The ids of the new basic-information reports, which become registry proposals."""
        return self.ids[~self.probes["dynamic"]].tolist()


def open_reports_near_any(checked: CheckedItems, table: CategoryTable,
                          options: IntakeOptions) -> Read[dict[str, np.ndarray]]:  # fmt: skip
    """The open reports that any checked item may repeat, new or a retry (a `Read`): a
    superset of `NewReports.open_reports_near`, which `NewReports.rows` takes as well, for
    asking it before the retries are known (in one round trip with them)."""
    return _open_near(_probes(checked, table, table.positions(checked.category)), options)


def _open_near(probes: dict, options: IntakeOptions) -> Read[dict[str, np.ndarray]]:
    return open_reports_near(probes, distance_m=options.duplicate_distance_m,
                             window_hours=options.duplicate_window_hours)  # fmt: skip


def _probes(items: CheckedItems, table: CategoryTable, category: np.ndarray) -> dict:
    """What the duplicate search compares of each item (the ids aside)."""
    seconds = items.reported_at.asi8 // 1_000_000  # microseconds in both checking paths
    return {"category_id": table.ids[category], "dynamic": table.dynamic[category],
            "lon": items.lon, "lat": items.lat, "seconds": seconds}  # fmt: skip


def _point_repeats_at_first(items: CheckedItems, ids, result: IntakeResult) -> None:
    """A repeat inside the batch was given its request id: give it the first item's report."""
    by_request = {r: _dashed(i) for r, i in zip(items.client_request_id, ids, strict=True) if r}
    for row in np.flatnonzero(result.outcome == "repeated"):
        if result.report_id[row] in by_request:
            result.report_id[row] = by_request[result.report_id[row]]


def _dashed(hex32: str) -> str:
    return f"{hex32[:8]}-{hex32[8:12]}-{hex32[12:16]}-{hex32[16:20]}-{hex32[20:]}"
