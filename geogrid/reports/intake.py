"""Report intake: one core behind three doors (one report, a batch, a file).

Every item is checked, assigned and routed, then stored in one transaction with COPY.
A rejected item never stops the others: the result holds, for each item, its report id
or the reason it was rejected. A client request id makes a retry safe: the same id with the
same body returns the first result; the same id with another body is a conflict.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine

from geogrid.errors import ConflictError, InputError
from geogrid.reports import store
from geogrid.reports.assign import DEFAULT_TOLERANCE_M, china_days, people_on_duty, place_points
from geogrid.reports.checks import DEFAULT_CRS, CheckedItems, ItemError, check_items
from geogrid.reports.checks_few import check_few
from geogrid.reports.duplicates import find_duplicates
from geogrid.reports.index import AssignmentIndex, IndexCache, load_index
from geogrid.reports.routing import (
    CategoryCache,
    CategoryTable,
    read_categories,
    route_reports,
)

DUPLICATE_DISTANCE_M = 50.0
DUPLICATE_WINDOW_HOURS = 24.0


@dataclass
class IntakeOptions:
    """How a batch is read and assigned."""

    default_crs: str = DEFAULT_CRS
    tolerance_m: float = DEFAULT_TOLERANCE_M
    duplicate_distance_m: float = DUPLICATE_DISTANCE_M
    duplicate_window_hours: float = DUPLICATE_WINDOW_HOURS
    now: datetime | None = None


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
        checked, errors = _check(items, set(table.codes), options)
        return _store_checked(engine, conn, len(items), checked, errors, table, options, index)


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
    with engine.begin() as conn:
        return _store_checked(engine, conn, n, checked, errors, table, options, index)


def _store_checked(engine, conn, n, checked, errors, table, options, index) -> IntakeResult:
    outcome = np.full(n, "rejected", dtype=object)
    report_id = np.full(n, None, dtype=object)
    fresh = _settle_retries(conn, checked, outcome, report_id, errors)
    result = IntakeResult(outcome, report_id, sorted(errors, key=lambda e: e.row))
    if len(fresh):
        assigned = _current_index(engine, index)
        _store_new(conn, fresh, table, assigned, options, result)
    return result


def submit_one(engine: Engine, item: dict, options: IntakeOptions | None = None,
               *, index: AssignmentIndex | IndexCache | None = None,
               categories: CategoryCache | None = None) -> str:  # fmt: skip
    """Store one report; returns its id, or raises the item's error naming its field."""
    result = submit_reports(engine, [item], options, index=index, categories=categories)
    if result.outcome[0] == "rejected":
        problem = result.errors[0]
        kind = ConflictError if problem.field == "client_request_id" else InputError
        raise kind(f"{problem.field}: {problem.message}", field=problem.field)
    return str(result.report_id[0])


@contextmanager
def _transaction(engine: Engine, connection: Connection | None) -> Iterator[Connection]:
    if connection is None:
        with engine.begin() as conn:
            yield conn
    else:
        with connection.begin():
            yield connection


def _check(items, categories: set[str], options: IntakeOptions):
    if not isinstance(items, pd.DataFrame):
        few = check_few(items, categories, default_crs=options.default_crs, now=options.now)
        if few is not None:
            return few
        items = pd.DataFrame(list(items))
    return check_items(items, categories, default_crs=options.default_crs, now=options.now)


def _current_index(engine: Engine, index) -> AssignmentIndex:
    if isinstance(index, IndexCache):
        return index.get()
    return index if index is not None else load_index(engine)


def _settle_retries(conn: Connection, checked: CheckedItems, outcome, report_id, errors):
    """Answer retries from what is stored; returns the items that are new."""
    has_id = np.array([i is not None for i in checked.client_request_id], dtype=bool)
    earlier = store.earlier_requests(conn, sorted(set(checked.client_request_id[has_id])))
    keep = np.ones(len(checked), dtype=bool)
    seen: dict[str, str] = {}  # within this batch: id -> body hash of its first item
    for k in np.flatnonzero(has_id):
        request, body, row = checked.client_request_id[k], checked.body_hash[k], checked.rows[k]
        if request in earlier or request in seen:
            first_body = earlier[request][1] if request in earlier else seen[request]
            keep[k] = False
            if first_body == body:
                outcome[row] = "repeated"
                report_id[row] = earlier[request][0] if request in earlier else request
            else:
                errors.append(ItemError(int(row), "client_request_id",
                    f"{request!r} was already used with a different body (conflict)"))  # fmt: skip
        else:
            seen[request] = body
    return checked if keep.all() else checked.take(keep)


def _store_new(conn, items: CheckedItems, table: CategoryTable, index: AssignmentIndex,
               options: IntakeOptions, result: IntakeResult) -> None:  # fmt: skip
    category = table.positions(items.category)
    placement = place_points(index, items.lon, items.lat, options.tolerance_m)
    seconds = items.reported_at.asi8 // 1_000_000  # microseconds in both checking paths
    people = people_on_duty(index, placement, china_days(seconds))
    routes = route_reports(table, category, placement, people)
    ids = store.new_ids(len(items))
    new = {"id": ids, "category_id": table.ids[category], "dynamic": table.dynamic[category],
           "lon": items.lon, "lat": items.lat, "seconds": seconds}  # fmt: skip
    duplicate_of = find_duplicates(
        conn, new, index.to_metres, distance_m=options.duplicate_distance_m,
        window_hours=options.duplicate_window_hours,
    )  # fmt: skip
    rows = _rows(items, ids, table, category, index, placement, people, routes)
    store.copy_reports(conn, rows | {"duplicate_of": duplicate_of})
    result.outcome[items.rows] = "accepted"
    result.report_id[items.rows] = [_dashed(i) for i in ids]
    _point_repeats_at_first(items, ids, result)
    result.methods.update(placement.method_names())
    result.routes.update(routes.names())
    result.duplicates = int(sum(d is not None for d in duplicate_of))


def _point_repeats_at_first(items: CheckedItems, ids, result: IntakeResult) -> None:
    """A repeat inside the batch was given its request id: give it the first item's report."""
    by_request = {r: _dashed(i) for r, i in zip(items.client_request_id, ids, strict=True) if r}
    for row in np.flatnonzero(result.outcome == "repeated"):
        if result.report_id[row] in by_request:
            result.report_id[row] = by_request[result.report_id[row]]


def _rows(items, ids, table, category, index, placement, people, routes) -> dict:
    assigned = placement.unit >= 0
    return {
        "id": ids, "client_request_id": items.client_request_id, "body_hash": items.body_hash,
        "category_id": table.ids[category], "lon": items.lon, "lat": items.lat,
        "received_x": items.received_x, "received_y": items.received_y,
        "received_crs": items.received_crs, "reported_at": items.reported_at,
        "reporter": items.reporter, "text": items.text,
        "version_id": np.where(assigned, index.version_id, -1),
        "level1_id": index.grid_ids(1, placement.community),
        "level2_id": index.grid_ids(2, placement.grid),
        "level3_id": index.grid_ids(3, placement.unit), "leader_id": people.leader,
        "officer_id": people.officer, "police_id": routes.police, "station_id": people.station,
        "department_id": routes.department, "route": routes.names(),
        "assignment_method": placement.method_names(), "distance_m": placement.distance_m,
        "status": np.where(assigned, "assigned", "received").astype(object),
    }  # fmt: skip


def _dashed(hex32: str) -> str:
    return f"{hex32[:8]}-{hex32[8:12]}-{hex32[12:16]}-{hex32[16:20]}-{hex32[20:]}"
