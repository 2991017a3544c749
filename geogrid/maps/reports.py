"""Reports as a map needs them, aggregated in the database so a page stays small at any count.

Heatmaps get one count per square cell (a GROUP BY on coordinates snapped to ~75 m, coarser
when the map's extent would hold more than `max_cells`), the choropleth one count per level-2
grid for a month, and markers only the newest `marker_limit` reports, the total beside them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from sqlalchemy import Connection, Integer, Select, Text, cast, func, select

from geogrid.errors import InputError
from geogrid.storage.models import Grid, Report, ReportCategory
from geogrid.vocabulary import HEAT_GROUPS, china_midnight, china_today  # days are China days

REPORT_GROUPS = (*HEAT_GROUPS, "other")  # "other": categories that feed no heatmap
MAX_MARKERS = 5000
METRES_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class ReportFilter:
    """Which reports a map shows: a date range, category groups, the choropleth's month."""

    date_from: date | None = None
    date_to: date | None = None
    groups: tuple[str, ...] = REPORT_GROUPS
    month: date | None = None  # any day of the month; default: the month of date_to, or today's
    marker_limit: int = 500
    cell_m: float = 75.0
    max_cells: int = 30_000  # per heatmap; cells double in size until there are no more

    def __post_init__(self) -> None:
        unknown = [g for g in self.groups if g not in REPORT_GROUPS]
        if unknown or not self.groups:
            raise InputError(
                f"groups {list(self.groups)!r} must be some of {', '.join(REPORT_GROUPS)}",
                field="groups",
            )
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InputError(
                f"date_from {self.date_from} is after date_to {self.date_to}", field="date_from"
            )
        if not 0 <= self.marker_limit <= MAX_MARKERS:
            raise InputError(
                f"marker_limit {self.marker_limit} is not within 0-{MAX_MARKERS}",
                field="marker_limit",
            )
        if not self.cell_m > 0 or self.max_cells < 1:
            raise InputError(f"cell_m {self.cell_m} must be > 0", field="cell_m")

    def month_start(self) -> date:
        """First day of the choropleth's month."""
        day = self.month or self.date_to or china_today()
        return day.replace(day=1)


@dataclass(frozen=True)
class Area:
    """Where a map's reports come from: a station's communities, or the county (None)."""

    communities: tuple[str, ...] | None = None
    # The communities' extent: lets the spatial index skip the rest of the county's reports.
    bounds: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class ReportPoint:
    """One report shown as a marker."""

    lat: float
    lon: float
    category: str
    group: str
    reported_at: datetime
    status: str
    grid: str
    text: str
    id: str | None = None  # the console links a marker to its case page
    due_at: datetime | None = None  # and rings it when overdue


@dataclass
class HeatCells:
    """Report counts of one group per square cell: cell (ix, iy) spans ix*dx..(ix+1)*dx degrees."""

    ix: np.ndarray
    iy: np.ndarray
    count: np.ndarray
    dx: float
    dy: float
    cell_m: float


def degrees(metres: float) -> float:
    """Metres as degrees of latitude."""
    return metres / METRES_PER_DEGREE


def _group_column():
    return func.coalesce(ReportCategory.heat_group, "other")


def _report_conditions(conn: Connection, area: Area, filters: ReportFilter) -> list:
    """WHERE conditions shared by every report query: groups, dates, the station's area."""
    conditions = [Report.geom.is_not(None)]
    if set(filters.groups) != set(REPORT_GROUPS):
        # Category ids, not a condition on the joined categories: the planner estimates those
        # from the column's statistics, and a bad guess turns "newest 500" into a full sort.
        ids = conn.scalars(select(ReportCategory.id).where(_group_column().in_(filters.groups)))
        conditions.append(Report.category_id.in_(ids.all()))
    if filters.date_from:
        conditions.append(Report.reported_at >= china_midnight(filters.date_from))
    if filters.date_to:
        conditions.append(Report.reported_at < china_midnight(filters.date_to + timedelta(1)))
    if area.communities is not None:
        codes = func.left(Grid.code, 12).in_(area.communities)
        conditions.append(Report.level2_id.in_(select(Grid.id).where(Grid.level == 2, codes)))
    if area.bounds is not None:
        conditions.append(Report.geom.intersects(func.ST_MakeEnvelope(*area.bounds, 4326)))
    return conditions


def _with_category(query: Select) -> Select:
    return query.select_from(Report).join(ReportCategory, ReportCategory.id == Report.category_id)


def read_report_cells(
    conn: Connection, area: Area, filters: ReportFilter, bounds: tuple[float, float, float, float]
) -> dict[str, HeatCells]:
    """Report counts per square cell, per group, grouped in the database.

    Cells are `cell_m` wide, doubled until the map's extent holds at most `max_cells` of them,
    so the database returns a few thousand rows whatever the number of reports.
    """
    _minx, miny, _maxx, maxy = bounds
    factor = _cell_factor(bounds, filters)
    dy = degrees(filters.cell_m * factor)
    dx = dy / math.cos(math.radians((miny + maxy) / 2))
    ix = func.floor(func.ST_X(Report.geom) / dx).cast(Integer)
    iy = func.floor(func.ST_Y(Report.geom) / dy).cast(Integer)
    query = _with_category(
        select(_group_column().label("grp"), ix.label("ix"), iy.label("iy"), func.count())
    )
    # By label: the same expression twice would carry two bind parameters Postgres can't match.
    query = query.where(*_report_conditions(conn, area, filters)).group_by("grp", "ix", "iy")
    rows = conn.execute(query).all()
    cells = {}
    for group in filters.groups:
        picked = np.array([row[1:] for row in rows if row[0] == group], dtype=np.int64)
        cells[group] = _coarsen(picked.reshape(-1, 3), dx, dy, filters.cell_m * factor, filters)
    return cells


def _cell_factor(bounds: tuple[float, float, float, float], filters: ReportFilter) -> int:
    """The power of two by which cells grow to cover the extent in at most `max_cells`."""
    minx, miny, maxx, maxy = bounds
    width = _metres(maxx - minx) * math.cos(math.radians((miny + maxy) / 2))
    height = _metres(maxy - miny)
    factor = 1
    while (width / (filters.cell_m * factor) + 1) * (
        height / (filters.cell_m * factor) + 1
    ) > filters.max_cells:
        factor *= 2
    return factor


def _metres(degrees: float) -> float:
    return degrees * METRES_PER_DEGREE


def _coarsen(
    cells: np.ndarray, dx: float, dy: float, cell_m: float, filters: ReportFilter
) -> HeatCells:
    """Merge 2x2 cells until at most `max_cells` are left (a fallback: the extent decides)."""
    factor = 1
    while len(cells) > filters.max_cells:
        factor *= 2
        merged, inverse = np.unique(cells[:, :2] // 2, axis=0, return_inverse=True)
        counts = np.bincount(inverse.ravel(), weights=cells[:, 2]).astype(np.int64)
        cells = np.column_stack([merged, counts])
    return HeatCells(
        cells[:, 0], cells[:, 1], cells[:, 2], dx * factor, dy * factor, cell_m * factor
    )


def read_newest_reports(conn: Connection, area: Area, filters: ReportFilter) -> list[ReportPoint]:
    """The newest `marker_limit` reports matching the filter."""
    if filters.marker_limit == 0:
        return []
    query = _with_category(
        select(
            func.ST_Y(Report.geom),
            func.ST_X(Report.geom),
            ReportCategory.name_zh,
            _group_column(),
            Report.reported_at,
            Report.status,
            func.coalesce(Grid.name, ""),
            Report.text,
            cast(Report.id, Text),
            Report.due_at,
        )
    ).outerjoin(Grid, Grid.id == Report.level2_id)
    query = query.where(*_report_conditions(conn, area, filters))
    query = query.order_by(Report.reported_at.desc(), Report.id).limit(filters.marker_limit)
    return [ReportPoint(*row) for row in conn.execute(query)]


def read_month_counts(conn: Connection, area: Area, filters: ReportFilter) -> dict[str, int]:
    """Reports per level-2 grid code in the filter's month (by code, so older versions count)."""
    start = filters.month_start()
    end = (start + timedelta(days=32)).replace(day=1)
    month = ReportFilter(start, end - timedelta(1), filters.groups)
    query = _with_category(select(Grid.code, func.count())).join(Grid, Grid.id == Report.level2_id)
    query = query.where(*_report_conditions(conn, area, month)).group_by(Grid.code)
    return {code: int(count) for code, count in conn.execute(query)}
