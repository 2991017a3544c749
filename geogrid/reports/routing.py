"""Routing: which desk a report goes to. The table is data (report_categories, departments).

- a security category on an assigned report goes to the grid's police station, with the
  community police officer on duty;
- any other category on an assigned report goes to the category's responsible department;
- an unassigned report, or a security report in a community no station covers, goes to the
  county triage queue;
- a basic-information category (一标三实) goes to the registry, assigned or not: it becomes a
  registry proposal for the confirming officer (or the county), not a case.
The grid's station is kept on every assigned report: it is the jurisdiction the station sees.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection

from geogrid.reports.assign import People, Placement
from geogrid.storage.categories import category_rows
from geogrid.vocabulary import ROUTES

STATION, DEPARTMENT, TRIAGE, REGISTRY = range(4)


@dataclass
class CategoryTable:
    """The categories as arrays, in sort order; position = category index."""

    codes: np.ndarray
    ids: np.ndarray
    is_security: np.ndarray
    department: np.ndarray  # department id, -1 for none
    heat_group: np.ndarray  # object: 'hazard', 'incident' or None
    sensitive: np.ndarray
    dynamic: np.ndarray
    accept_hours: np.ndarray  # the acceptance limit (working hours) a new report is given

    def positions(self, codes: np.ndarray) -> np.ndarray:
        """Category index of each code (codes must be known)."""
        order = np.argsort(self.codes)
        return order[np.searchsorted(self.codes[order], codes)]


def read_categories(conn: Connection) -> CategoryTable:
    """The category table as stored (seed it with `seed_categories` first)."""
    rows = [
        (r.code, r.id, r.is_security, -1 if r.department_id is None else r.department_id,
         r.heat_group, r.sensitive, r.kind == "dynamic", r.accept_hours)
        for r in category_rows(conn)
    ]  # fmt: skip
    columns = list(zip(*rows, strict=True)) if rows else [()] * 8
    return CategoryTable(
        np.array(columns[0], dtype=object), np.array(columns[1], dtype=np.int64),
        np.array(columns[2], dtype=bool), np.array(columns[3], dtype=np.int64),
        np.array(columns[4], dtype=object), np.array(columns[5], dtype=bool),
        np.array(columns[6], dtype=bool), np.array(columns[7], dtype=np.int64),
    )  # fmt: skip


class CategoryCache:
    """The category table, read again at most every `ttl` seconds: for a server taking
    one report at a time, where reading it costs a round trip per transaction. A category
    loaded meanwhile is known within `ttl` seconds."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._table: CategoryTable | None = None
        self._read_at = 0.0

    def get(self, conn: Connection) -> CategoryTable:
        """The cached table, or the stored one (read on `conn`) when the cache is stale."""
        if self.cached() is None:
            self._table, self._read_at = read_categories(conn), time.monotonic()
        return self._table

    def cached(self) -> CategoryTable | None:
        """The cached table while it is fresh, else None (then `get` reads it)."""
        if self._table is None or time.monotonic() - self._read_at >= self.ttl:
            return None
        return self._table


@dataclass
class Routes:
    """The desk of each report: route index, department id (-1) and police officer (-1)."""

    route: np.ndarray
    department: np.ndarray
    police: np.ndarray

    def names(self) -> np.ndarray:
        """The route of each report as text."""
        return np.asarray(ROUTES, dtype=object)[self.route]


def route_reports(
    table: CategoryTable, category: np.ndarray, placement: Placement, people: People
) -> Routes:
    """Route each report (category = index into table) by the rules above."""
    security = table.is_security[category]
    assigned = placement.unit >= 0
    basic = ~table.dynamic[category]
    to_station = assigned & security & ~basic & (people.station >= 0)
    to_department = assigned & ~security & ~basic & (table.department[category] >= 0)
    route = np.full(len(category), TRIAGE, dtype=np.int8)
    route[to_station] = STATION
    route[to_department] = DEPARTMENT
    route[basic] = REGISTRY
    return Routes(
        route=route,
        department=np.where(to_department, table.department[category], -1),
        police=np.where(to_station, people.police, -1),
    )
