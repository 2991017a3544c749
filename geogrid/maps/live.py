"""The console's live map: what a view needs besides the grid levels, drawn by geogrid-map.js.

The grid levels come as vector tiles (storage/tiles.py), which carry no people: who is on
duty is read for one grid at a time (maps/panel.py), where it is audited. Streets come by
bounding box, simplified to about a pixel at the view's zoom; a diff's changed grids by code.
Reports come for a period over the caller's area: heat cells per group and the newest markers
with their state, in the same compact shapes as the exported Folium pages (maps/encode.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

import shapely
from sqlalchemy import Connection, false, func, or_, select

from geogrid.errors import NotFoundError
from geogrid.maps.data import GridShape, read_streets
from geogrid.maps.encode import PeopleIndex, grid_rows, heat_cells, street_rows
from geogrid.maps.reports import (
    Area,
    ReportFilter,
    ReportPoint,
    degrees,
    read_newest_reports,
    read_report_cells,
)
from geogrid.maps.styles import STATUS_NAMES
from geogrid.reports.loop import WORKING
from geogrid.storage.models import Grid, Station, StationCommunity
from geogrid.storage.versions import active_version
from geogrid.vocabulary import CHINA_TZ, HEAT_GROUPS

STREETS_FROM_ZOOM = 11.0  # below it a county's streets are a grey smear
METRES_PER_PIXEL_Z0 = 156_543.034  # Web Mercator, 256-pixel tiles, at the equator
MARKER_LIMIT = 1000


@dataclass(frozen=True)
class View:
    """What a map shows: a WGS-84 box (min lon, min lat, max lon, max lat) at a zoom."""

    bbox: tuple[float, float, float, float]
    zoom: float

    def tolerance_m(self) -> float:
        """About half a screen pixel on the ground: simplification nobody sees."""
        latitude = math.radians((self.bbox[1] + self.bbox[3]) / 2)
        return max(0.5, METRES_PER_PIXEL_Z0 * math.cos(latitude) / 2**self.zoom / 2)


def _in_area(code_column, area: tuple[str, ...] | None):
    """Codes within the caller's area (code prefixes; None: the county)."""
    if area is None:
        return None
    return or_(false(), *[code_column.startswith(prefix) for prefix in area])


def version_grids(
    conn: Connection, version: int, codes: list[str], area: tuple[str, ...] | None
) -> dict:
    """Grids of any level of `version` by code (a diff's changed grids), in the caller's
    area, for geogrid.gridPolygon; simplified to a metre."""
    geom = func.ST_Simplify(Grid.geom, degrees(1.0), True)
    query = (
        select(Grid.level, Grid.code, Grid.name, Grid.households, func.ST_AsBinary(geom))
        .where(Grid.version_id == version, Grid.code.in_(codes))
        .order_by(Grid.code)
    )
    within = _in_area(Grid.code, area)
    if within is not None:
        query = query.where(within)
    rows = conn.execute(query).all()
    shapes = shapely.from_wkb([bytes(row[4]) for row in rows])
    grids = [GridShape(row.level, row.code, row.name, row.households or 0, shape)
             for row, shape in zip(rows, shapes, strict=True)]  # fmt: skip
    return grid_rows(0, grids, PeopleIndex())


def street_layer(conn: Connection, view: View) -> dict:
    """Named streets crossing the view, simplified for its zoom (none when zoomed far out)."""
    if view.zoom < STREETS_FROM_ZOOM:
        return street_rows([])
    return street_rows(read_streets(conn, view.bbox, view.tolerance_m()))


def station_points(conn: Connection, station_id: int | None) -> list[list]:
    """Stations with a location, [code, name, phone, lat, lon]: one, or all (None)."""
    query = select(Station.code, Station.name, Station.phone, func.ST_Y(Station.location),
                   func.ST_X(Station.location)).where(Station.location.is_not(None))  # fmt: skip
    if station_id is not None:
        query = query.where(Station.id == station_id)
    return [list(row) for row in conn.execute(query.order_by(Station.code))]


def area_bounds(conn: Connection, area: tuple[str, ...] | None) -> tuple[float, ...]:
    """The extent of the caller's communities (active version); NotFoundError when empty."""
    query = select(
        func.ST_XMin(func.ST_Extent(Grid.geom)),
        func.ST_YMin(func.ST_Extent(Grid.geom)),
        func.ST_XMax(func.ST_Extent(Grid.geom)),
        func.ST_YMax(func.ST_Extent(Grid.geom)),
    )
    query = query.where(Grid.version_id == active_version(conn), Grid.level == 1)  # fmt: skip
    within = _in_area(Grid.code, area)
    if within is not None:
        query = query.where(within)
    found = conn.execute(query).one()
    if found[0] is None:
        raise NotFoundError("no grids in the caller's area")
    return tuple(float(v) for v in found)


def station_communities(conn: Connection, station_id: int) -> tuple[str, ...]:
    """A station's communities (12-digit codes)."""
    query = select(StationCommunity.community_code).where(StationCommunity.station_id == station_id)
    return tuple(conn.scalars(query.order_by(StationCommunity.community_code)))


def report_layer(
    conn: Connection,
    communities: tuple[str, ...] | None,
    date_from: date | None,
    date_to: date | None,
    *,
    now: datetime,
) -> dict:
    """The period's reports in the caller's communities (None: the county): heat cells per
    group and the newest MARKER_LIMIT markers by state, with how many there are in all."""
    bounds = area_bounds(conn, communities)
    area = Area(communities, None if communities is None else bounds)
    filters = ReportFilter(date_from, date_to, marker_limit=MARKER_LIMIT)
    cells = read_report_cells(conn, area, filters, bounds)
    markers = read_newest_reports(conn, area, filters)
    return {
        "heat": {group: heat_cells(cells[group]) for group in HEAT_GROUPS},
        "total": int(sum(int(c.count.sum()) for c in cells.values())),
        "markers": marker_rows(markers, now),
    }


def marker_rows(reports: list[ReportPoint], now: datetime) -> dict:
    """Markers for geogrid.reportMarkers on the console: no report text (it may hold personal
    details), the state and whether a working case is past its deadline."""
    categories: dict[tuple[str, str], int] = {}
    rows = []
    for report in reports:
        position = categories.setdefault((report.category, report.group), len(categories))
        when = report.reported_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
        overdue = report.status in WORKING and report.due_at is not None and report.due_at < now
        rows.append([round(report.lat, 5), round(report.lon, 5), position, when,
                     STATUS_NAMES.get(report.status, report.status), report.grid, "",
                     report.id, report.status, overdue])  # fmt: skip
    return {"categories": [list(key) for key in categories], "colors": {}, "rows": rows}
