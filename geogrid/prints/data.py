"""What printed maps need from PostGIS, read once per print job and projected to metres.

Every function takes a SQLAlchemy Connection (tests pass a rolled-back one) and returns
plain dataclasses and GeoDataFrames in the CGCS2000 Gauss-Krüger zone of the grids; the
drawing code never touches the database.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from shapely.geometry import Point
from sqlalchemy import Connection, text

from geogrid.errors import InputError
from geogrid.geo.crs import projected_crs_for
from geogrid.storage.duty import people_on_duty
from geogrid.vocabulary import china_today

KEY_PLACE_NAMES = {
    "rental_housing": "出租房屋",
    "key_unit": "重点单位",
    "dangerous_goods": "危险物品",
}
KEY_PLACES_PER_GRID = 150  # more symbols than this hide the streets under them


@dataclass(frozen=True)
class Contact:
    """A person on duty and the phone to reach them."""

    name: str
    phone: str


@dataclass(frozen=True)
class StationInfo:
    """A police station, its phone and its location in projected metres (if known)."""

    code: str
    name: str
    phone: str
    location: Point | None


@dataclass
class PrintData:
    """The level-2 grids of one print job with their units, people, stations and key places."""

    version_id: int
    epsg: int
    grids: gpd.GeoDataFrame  # code, name, kind, households, community_code, community_name
    units: gpd.GeoDataFrame  # code, grid_code, households
    contacts: dict[tuple[str, str], list[Contact]]  # (grid code, role) -> people on duty
    stations: dict[str, StationInfo]  # community code -> its station
    key_places: gpd.GeoDataFrame  # grid_code, category (capped per grid)
    key_place_counts: dict[str, int]  # grid code -> distinct places before the cap


@dataclass
class BaseMap:
    """The surroundings of the printed grids inside one extent: streets, grids, stations."""

    streets: gpd.GeoDataFrame  # name, kind
    grids: gpd.GeoDataFrame  # level-2 grids: code, name
    communities: gpd.GeoDataFrame  # level-1 grids: code, name
    stations: list[StationInfo]

    def within(self, extent: tuple[float, float, float, float]) -> BaseMap:
        """The features that touch an extent, whole (the map frame clips them)."""
        window = shapely.box(*extent)

        def pick(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
            return frame.iloc[np.sort(frame.sindex.query(window))]

        stations = [
            s for s in self.stations if s.location is not None and window.covers(s.location)
        ]
        return BaseMap(pick(self.streets), pick(self.grids), pick(self.communities), stations)


def station_grid_codes(conn: Connection, station_code: str, version_id: int) -> list[str]:
    """Codes of the level-2 grids in a station's communities, in code order."""
    sql = """select g.code from stations s
             join station_communities sc on sc.station_id = s.id
             join grids g on g.version_id = :v and g.level = 2
                  and left(g.code, 12) = sc.community_code
             where s.code = :station order by g.code"""
    codes = list(conn.execute(text(sql), {"v": version_id, "station": station_code}).scalars())
    if codes:
        return codes
    known = conn.execute(text("select 1 from stations where code = :c"), {"c": station_code})
    if known.scalar() is None:
        raise InputError(f"no police station with code {station_code!r}")
    raise InputError(f"station {station_code} has no level-2 grids in grid version {version_id}")


def station_info(conn: Connection, station_code: str, epsg: int) -> StationInfo:
    """One station by its code, located in the projected CRS."""
    rows = _station_rows(conn, "s.code = :code", {"code": station_code}, epsg)
    if not rows:
        raise InputError(f"no police station with code {station_code!r}")
    return rows[0][1]


_GRIDS_SQL = """
select g.code, g.name, g.kind, g.households, c.code as community_code,
       c.name as community_name, g.geom
from grids g join grids c on c.id = g.parent_id
where g.version_id = :v and g.level = 2 and g.code = any(:codes) order by g.code
"""
_UNITS_SQL = """
select u.code, g.code as grid_code, u.households, u.geom
from grids u join grids g on g.id = u.parent_id
where u.version_id = :v and u.level = 3 and g.code = any(:codes) order by u.code
"""


def read_print_data(
    conn: Connection, grid_codes: list[str], version_id: int, day: date | None = None
) -> PrintData:
    """Everything the sheets of these level-2 grids show, people on duty on `day`."""
    day = day or china_today()
    params = {"v": version_id, "codes": list(grid_codes)}
    grids = gpd.read_postgis(text(_GRIDS_SQL), conn, geom_col="geom", params=params)
    missing = sorted(set(grid_codes) - set(grids["code"]))
    if missing:
        raise InputError(f"no level-2 grid {', '.join(missing[:5])} in grid version {version_id}")
    epsg = projected_crs_for(float(grids.geometry.union_all().centroid.x))
    units = gpd.read_postgis(text(_UNITS_SQL), conn, geom_col="geom", params=params)
    communities = sorted(set(grids["community_code"]))
    wanted = [*grid_codes, *units["code"], *communities]
    places, counts = _key_places(conn, params)
    return PrintData(
        version_id=version_id,
        epsg=epsg,
        grids=grids.to_crs(epsg),
        units=units.to_crs(epsg),
        contacts=_contacts(conn, wanted, day),
        stations=_community_stations(conn, communities, epsg),
        key_places=places.to_crs(epsg),
        key_place_counts=counts,
    )


def _contacts(
    conn: Connection, codes: list[str], day: date
) -> dict[tuple[str, str], list[Contact]]:
    found: dict[tuple[str, str], list[Contact]] = defaultdict(list)
    for row in people_on_duty(conn, day, codes=codes):
        found[(row.grid_code, row.role)].append(Contact(row.name, row.phone or ""))
    return dict(found)


def _station_rows(
    conn: Connection, where: str, params: dict, epsg: int
) -> list[tuple[str, StationInfo]]:
    sql = f"""select sc.community_code, s.code, s.name, s.phone,
                     st_x(s.location) as lon, st_y(s.location) as lat
              from stations s left join station_communities sc on sc.station_id = s.id
              where {where} order by s.code, sc.community_code"""
    to_metres = pyproj.Transformer.from_crs(4326, epsg, always_xy=True)
    rows = []
    for community, code, name, phone, lon, lat in conn.execute(text(sql), params):
        location = None if lon is None else Point(to_metres.transform(lon, lat))
        rows.append((community, StationInfo(code, name, phone or "", location)))
    return rows


def _community_stations(conn: Connection, communities: list[str], epsg: int) -> dict:
    rows = _station_rows(conn, "sc.community_code = any(:c)", {"c": communities}, epsg)
    return dict(rows)


# Distinct (category, location) pairs per grid, newest first; rejected reports are not
# places. The cap is applied here so a grid with thousands of reports costs nothing.
_KEY_PLACES_SQL = """
with places as (
  select g.code as grid_code, c.code as category, r.geom, max(r.reported_at) as latest
  from grids g
  join reports r on st_covers(g.geom, r.geom)
  join report_categories c on c.id = r.category_id
  where g.version_id = :v and g.level = 2 and g.code = any(:codes)
    and c.code = any(:kinds) and r.status <> 'rejected'
  group by g.code, c.code, r.geom
), ranked as (
  select *, row_number() over (partition by grid_code order by latest desc, category) as n,
         count(*) over (partition by grid_code) as total
  from places
)
select grid_code, category, total, geom from ranked where n <= :cap order by grid_code, n
"""


def _key_places(conn: Connection, params: dict) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    params = {**params, "kinds": list(KEY_PLACE_NAMES), "cap": KEY_PLACES_PER_GRID}
    places = gpd.read_postgis(text(_KEY_PLACES_SQL), conn, geom_col="geom", params=params)
    if places.crs is None:  # an empty result carries no SRID
        places = places.set_crs(4326)
    counts = places.groupby("grid_code")["total"].first().astype(int).to_dict()
    return places.drop(columns="total"), counts


def read_base_map(
    conn: Connection, version_id: int, extent: tuple[float, float, float, float], epsg: int
) -> BaseMap:
    """Streets, grids, communities and stations that touch an extent in projected metres."""
    lon0, lat0, lon1, lat1 = pyproj.Transformer.from_crs(
        epsg, 4326, always_xy=True
    ).transform_bounds(*extent)
    box = "st_makeenvelope(:x0, :y0, :x1, :y1, 4326)"
    params = {"v": version_id, "x0": lon0, "y0": lat0, "x1": lon1, "y1": lat1}
    streets = _frame(
        conn, f"select name, kind, geom from source_streets where geom && {box}", params, epsg
    )
    levels = {}
    for level in (1, 2):
        sql = f"""select code, name, geom from grids
                  where version_id = :v and level = {level} and geom && {box} order by code"""
        levels[level] = _frame(conn, sql, params, epsg)
    where = f"s.location && {box}"
    stations = [info for _, info in _station_rows(conn, where, params, epsg)]
    unique = list({info.code: info for info in stations}.values())
    return BaseMap(streets=streets, grids=levels[2], communities=levels[1], stations=unique)


def _frame(conn: Connection, sql: str, params: dict, epsg: int) -> gpd.GeoDataFrame:
    frame = gpd.read_postgis(text(sql), conn, geom_col="geom", params=params)
    if frame.crs is None:
        frame = frame.set_crs(4326)
    return frame.to_crs(epsg)


@dataclass
class GridSheet:
    """What one sheet shows about its level-2 grid; the drawing input, free of the database."""

    code: str
    name: str
    kind: str
    households: int
    community_code: str
    community_name: str
    geometry: object  # shapely (Multi)Polygon in projected metres
    units: gpd.GeoDataFrame  # code, households, officer, phone
    key_places: gpd.GeoDataFrame  # category
    key_place_total: int
    leaders: list[Contact]
    officers: list[Contact]
    police: list[Contact]
    station: StationInfo | None
    version_id: int
    epsg: int
    printed_on: date


def grid_sheets(data: PrintData, printed_on: date | None = None) -> list[GridSheet]:
    """One GridSheet per printed grid, in code order."""
    printed_on = printed_on or china_today()
    units = _units_with_officers(data)
    by_grid = dict(iter(units.groupby("grid_code")))
    places = dict(iter(data.key_places.groupby("grid_code")))
    empty_units, empty_places = units.iloc[:0], data.key_places.iloc[:0]
    sheets = []
    for row in data.grids.itertuples():
        grid_units = by_grid.get(row.code, empty_units)
        officers = [c for u in grid_units["code"] for c in _role(data, u, "information_officer")]
        sheets.append(
            GridSheet(
                code=row.code,
                name=row.name,
                kind=row.kind,
                households=int(row.households),
                community_code=row.community_code,
                community_name=row.community_name,
                geometry=row.geom,
                units=grid_units,
                key_places=places.get(row.code, empty_places),
                key_place_total=data.key_place_counts.get(row.code, 0),
                leaders=_role(data, row.code, "grid_leader"),
                officers=officers,
                police=_role(data, row.community_code, "community_police"),
                station=data.stations.get(row.community_code),
                version_id=data.version_id,
                epsg=data.epsg,
                printed_on=printed_on,
            )
        )
    return sheets


def _role(data: PrintData, code: str, role: str) -> list[Contact]:
    return data.contacts.get((code, role), [])


def _units_with_officers(data: PrintData) -> gpd.GeoDataFrame:
    units = data.units.copy()
    first = [
        (_role(data, code, "information_officer") or [Contact("", "")])[0] for code in units["code"]
    ]
    units["officer"] = [c.name for c in first]
    units["phone"] = [c.phone for c in first]
    return units
