"""What a web map shows, read from PostGIS: the active grids with the people on duty, the
streets, and the reports (aggregated on the server, see geogrid.maps.reports)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import shapely
from sqlalchemy import Connection, func, select

from geogrid.errors import NotFoundError
from geogrid.maps.reports import (
    Area,
    HeatCells,
    ReportFilter,
    ReportPoint,
    degrees,
    read_month_counts,
    read_newest_reports,
    read_report_cells,
)
from geogrid.storage.duty import people_on_duty
from geogrid.storage.models import (
    Grid,
    Station,
    StationCommunity,
)
from geogrid.storage.source_tables import SourceCounty, SourceStreet
from geogrid.storage.versions import active_version
from geogrid.vocabulary import HEAT_GROUPS, china_today


@dataclass(frozen=True)
class DutyPerson:
    """Someone on duty, as a popup shows them."""

    name: str
    phone: str


@dataclass
class GridShape:
    """One grid of any level with its people on duty (leaders of its level-2 grid)."""

    level: int
    code: str
    name: str
    households: int
    geometry: shapely.Geometry
    leaders: list[DutyPerson] = field(default_factory=list)
    officers: list[DutyPerson] = field(default_factory=list)
    police: list[DutyPerson] = field(default_factory=list)


@dataclass(frozen=True)
class StreetLine:
    """A named street, road or alley of the base map."""

    name: str
    geometry: shapely.Geometry


@dataclass
class MapData:
    """Everything a county or station map shows, as plain data."""

    title: str
    grids: dict[int, list[GridShape]]
    streets: list[StreetLine]
    filters: ReportFilter
    station: str | None = None  # the station's name; None on the county map
    heat: dict[str, HeatCells] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)  # reports per group in the filter
    reports: list[ReportPoint] = field(default_factory=list)
    month_counts: dict[str, int] = field(default_factory=dict)  # level-2 code -> reports

    @property
    def report_total(self) -> int:
        """Reports matching the filter, of every selected group."""
        return sum(self.totals.values())

    def bounds(self) -> tuple[float, float, float, float]:
        """(min lon, min lat, max lon, max lat) of the grids shown."""
        shapes = [g.geometry for level in self.grids.values() for g in level]
        if not shapes:
            raise NotFoundError("the map has no grids to show")
        return tuple(shapely.total_bounds(np.array(shapes, dtype=object)).tolist())


def read_map_data(
    conn: Connection,
    *,
    station: int | str | None = None,
    filters: ReportFilter | None = None,
    day: date | None = None,
    simplify_m: float = 2.0,
) -> MapData:
    """Read a county map's data, or a station's (by id or code) limited to its communities."""
    filters = filters or ReportFilter()
    day = day or china_today()
    version = active_version(conn)
    title, station_name, communities = _scope(conn, station)
    grids = read_grids(conn, version, communities, day, simplify_m)
    data = MapData(title, grids, [], filters, station_name)
    bounds = data.bounds()
    data.streets = read_streets(conn, bounds, simplify_m)
    area = Area(None) if communities is None else Area(tuple(communities), bounds)
    cells = read_report_cells(conn, area, filters, bounds)
    data.totals = {group: int(c.count.sum()) for group, c in cells.items()}
    data.heat = {group: c for group, c in cells.items() if group in HEAT_GROUPS}
    data.reports = read_newest_reports(conn, area, filters)
    data.month_counts = read_month_counts(conn, area, filters)
    return data


def _scope(conn: Connection, station: int | str | None) -> tuple[str, str | None, list[str] | None]:
    """The map's title, the station's name and its community codes (None: the whole county)."""
    if station is None:
        county = conn.scalar(select(SourceCounty.name).limit(1))
        return f"{county or '全县'} 网格与上报", None, None
    key = Station.id == station if isinstance(station, int) else Station.code == station
    row = conn.execute(select(Station.id, Station.name).where(key)).first()
    if row is None:
        raise NotFoundError(f"station {station!r} does not exist", field="station")
    codes = conn.scalars(
        select(StationCommunity.community_code)
        .where(StationCommunity.station_id == row.id)
        .order_by(StationCommunity.community_code)
    ).all()
    return f"{row.name} 辖区网格与上报", row.name, list(codes)


def read_grids(
    conn: Connection, version: int, communities: list[str] | None, day: date, simplify_m: float
) -> dict[int, list[GridShape]]:
    """Grids of a version per level (simplified to `simplify_m`), with the people on duty."""
    tolerance = degrees(simplify_m)
    # Douglas-Peucker per grid (30x faster than the topology-preserving kind over a county);
    # neighbours may part by up to `simplify_m`, which a screen does not show below zoom 17.
    geom = Grid.geom if tolerance <= 0 else func.ST_Simplify(Grid.geom, tolerance, True)
    query = select(Grid.level, Grid.code, Grid.name, Grid.households, func.ST_AsBinary(geom))
    query = query.where(Grid.version_id == version).order_by(Grid.level, Grid.code)
    if communities is not None:
        query = query.where(func.left(Grid.code, 12).in_(communities))
    rows = conn.execute(query).all()
    shapes = shapely.from_wkb([bytes(row[4]) for row in rows])
    duty = read_duty(conn, communities, day)
    grids: dict[int, list[GridShape]] = {1: [], 2: [], 3: []}
    for row, shape in zip(rows, shapes, strict=True):
        grid = GridShape(row.level, row.code, row.name, row.households or 0, shape)
        grid.leaders = duty[row.code[:15]]["grid_leader"] if row.level >= 2 else []
        grid.officers = duty[row.code]["information_officer"] if row.level == 3 else []
        grid.police = duty[row.code[:12]]["community_police"]
        grids[row.level].append(grid)
    return grids


def read_duty(
    conn: Connection, communities: list[str] | None, day: date
) -> defaultdict[str, defaultdict[str, list[DutyPerson]]]:
    """People on duty on `day`: grid code -> role -> people."""
    rows = people_on_duty(conn, day, communities=communities, by_name=True)
    duty: defaultdict[str, defaultdict[str, list[DutyPerson]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in rows:
        duty[row.grid_code][row.role].append(DutyPerson(row.name, row.phone or ""))
    return duty


def read_streets(
    conn: Connection, bounds: tuple[float, float, float, float], simplify_m: float
) -> list[StreetLine]:
    """Named streets crossing the map's extent."""
    envelope = func.ST_MakeEnvelope(*bounds, 4326)
    geom = func.ST_Simplify(SourceStreet.geom, degrees(simplify_m))
    rows = conn.execute(
        select(SourceStreet.name, func.ST_AsBinary(geom))
        .where(func.ST_Intersects(SourceStreet.geom, envelope))
        .order_by(SourceStreet.id)
    ).all()
    shapes = shapely.from_wkb([bytes(row[1]) for row in rows])
    return [StreetLine(row.name or "", shape) for row, shape in zip(rows, shapes, strict=True)]
