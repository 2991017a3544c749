"""Geotag lookup: one point -> unit, grid, community, the people on duty and the station.

The same spatial join as the intake (the rules of `assign.place_points`, the people of
`assign.people_on_duty`, on the same in-memory index), for one point, with names and phones
and the distance from the point to the unit's edge in metres: how far inside it lies
(`inside`), 0 on a shared edge (`boundary`), or how far outside (`nearest`). The field
phones call it before they report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import shapely

from geogrid.errors import CoordinateError, UnknownCRSError
from geogrid.geo.crs import parse_crs, to_wgs84
from geogrid.reports.assign import DEFAULT_TOLERANCE_M, Placement, people_on_duty
from geogrid.reports.checks import lon_lat_problem
from geogrid.reports.index import AssignmentIndex
from geogrid.vocabulary import EPOCH_DAY, china_day_number


@dataclass(frozen=True)
class GridName:
    """A grid's code and name."""

    code: str
    name: str


@dataclass(frozen=True)
class Contact:
    """A person's or a station's name and phone (and code, for a station)."""

    name: str
    phone: str
    code: str | None = None


@dataclass(frozen=True)
class Duty:
    """Who answers for a unit on a day: grid leader, information officer, police, station."""

    leader: Contact | None
    officer: Contact | None
    police: Contact | None
    station: Contact | None


@dataclass(frozen=True)
class Lookup:
    """The answer for one point; grids and people are None when the point is unassigned."""

    lon: float
    lat: float
    method: str
    edge_distance_m: float | None
    unit: GridName | None
    grid: GridName | None
    community: GridName | None
    duty: Duty
    version_id: int
    unit_index: int = -1  # position in the index's units: with `day`, what a memo keys on
    day: int = 0  # the duty day, as days since 1970-01-01

    @property
    def community_code(self) -> str | None:
        """The 12-digit code of the point's community (its station's jurisdiction unit)."""
        return self.community.code if self.community else None


def to_lon_lat(x: float, y: float, crs: str | None = None) -> tuple[float, float]:
    """A point given in any accepted CRS, as WGS-84 lon/lat; CoordinateError if unusable."""
    try:
        spec = parse_crs(crs or "EPSG:4326")
    except UnknownCRSError as exc:
        raise UnknownCRSError(str(exc), field="crs") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise CoordinateError("coordinates must be finite numbers", field="lon")
    if spec.offset or spec.pyproj_crs.is_geographic:
        problem = lon_lat_problem(x, y)  # out of range, swapped, 0,0: as the intake says
        if problem is not None:
            raise CoordinateError(problem[1], field=problem[0])
    if spec.name == "EPSG:4326":
        return x, y
    lon, lat = to_wgs84(np.array([x]), np.array([y]), spec)
    if not (np.isfinite(lon[0]) and np.isfinite(lat[0])):
        raise CoordinateError(f"({x}, {y}) in {spec.name} is not a point on Earth", field="lon")
    return float(lon[0]), float(lat[0])


def lookup_point(
    index: AssignmentIndex,
    lon: float,
    lat: float,
    *,
    day: date | None = None,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
) -> Lookup:
    """Where a WGS-84 point falls and who answers for it on `day` (default: today, China)."""
    return PointLookup(index).find(lon, lat, day=day, tolerance_m=tolerance_m)


@dataclass(frozen=True)
class _Unit:
    """What a lookup needs of a unit that no point changes: names, parents, its edge."""

    names: tuple[GridName, GridName | None, GridName | None]
    grid: int
    community: int
    boundary_m: shapely.Geometry  # prepared, in the index's metric CRS


class PointLookup:
    """Lookups on one index, fast enough to answer a phone per request.

    The join follows `assign.place_points` rule for rule, for one point without the array
    machinery (tests check both agree, edges and vertices included). What depends only on
    the unit (names, parents, its boundary in metres) or on (unit, day) (the people on
    duty, found with `assign.people_on_duty`) is remembered. Make a new PointLookup when
    the index is reloaded.
    """

    MAX_CACHED = 200_000  # (unit, day) pairs: a large county over many days, then start again

    def __init__(self, index: AssignmentIndex) -> None:
        self.index = index
        self._units: dict[int, _Unit] = {}
        self._duty: dict[tuple[int, int], Duty] = {}
        # For callers: what they derive from a unit's answer on a day (its JSON, say), kept
        # as long as this index is the current one.
        self.memo: dict[tuple[int, int], object] = {}

    def find(
        self,
        lon: float,
        lat: float,
        *,
        day: date | None = None,
        tolerance_m: float = DEFAULT_TOLERANCE_M,
    ) -> Lookup:
        """Where a WGS-84 point falls and who answers for it on `day` (default: today)."""
        points = self._points(lon, lat)
        unit, method, distance = self._place(points[:1], points[1], tolerance_m)
        if unit < 0:
            return Lookup(lon, lat, method, None, None, None, None,
                          Duty(None, None, None, None), self.index.version_id)  # fmt: skip
        info = self._unit(unit)
        if method == "inside":
            distance = float(shapely.distance(points[1], info.boundary_m))
        day_number = china_day_number() if day is None else (day - EPOCH_DAY).days
        return Lookup(lon, lat, method, distance, *info.names, self._on_duty(unit, day_number),
                      self.index.version_id, unit, day_number)  # fmt: skip

    def place(self, lon: float, lat: float, tolerance_m: float) -> tuple[int, str, float | None]:
        """(unit index or -1, method, metres outside for `nearest`; 0.0 on a boundary)."""
        points = self._points(lon, lat)
        return self._place(points[:1], points[1], tolerance_m)

    def _points(self, lon: float, lat: float) -> np.ndarray:
        """The point in degrees (for the join) and in metres (for the edge), made in one
        call: making a point costs more than the STRtree query."""
        x, y = self.index.to_metres.transform(lon, lat)
        return shapely.points(np.array(((lon, lat), (x, y))))

    def _place(self, point: np.ndarray, point_m: shapely.Geometry, tolerance_m: float
               ) -> tuple[int, str, float | None]:  # fmt: skip
        # An array of one point, not a scalar: STRtree's scalar path costs more than the query.
        hits = self.index.tree.query(point, predicate="intersects")[1]
        if len(hits) == 1:
            return int(hits[0]), "inside", None
        if len(hits) > 1:  # units are in code order: the smallest index is the smallest code
            return int(hits.min()), "boundary", 0.0
        if tolerance_m > 0:
            near, metres = self.index.tree_m.query_nearest(
                point_m, max_distance=tolerance_m, return_distance=True, all_matches=True
            )
            if len(near):
                return int(near.min()), "nearest", float(metres.min())
        return -1, "unassigned", None

    def _unit(self, unit: int) -> _Unit:
        info = self._units.get(unit)
        if info is None:
            levels = self.index.levels
            grid = int(levels[3].parent[unit])
            community = int(levels[2].parent[grid]) if grid >= 0 else -1
            boundary = shapely.boundary(self.index.tree_m.geometries[unit])
            shapely.prepare(boundary)
            names = (_name(levels[3], unit), _name(levels[2], grid), _name(levels[1], community))
            info = self._units[unit] = _Unit(names, grid, community, boundary)  # type: ignore[arg-type]
        return info

    def _on_duty(self, unit: int, day: int) -> Duty:
        found = self._duty.get((unit, day))
        if found is None:
            info = self._unit(unit)
            one = Placement(np.array([unit]), np.array([info.grid]), np.array([info.community]),
                            np.array([0], dtype=np.int8), np.array([np.nan]))  # fmt: skip
            people = people_on_duty(self.index, one, np.array([day], dtype=np.int64))
            index = self.index
            found = Duty(
                _person(index, int(people.leader[0])), _person(index, int(people.officer[0])),
                _person(index, int(people.police[0])), _station(index, int(people.station[0])),
            )  # fmt: skip
            if len(self._duty) >= self.MAX_CACHED:
                self._duty.clear()
                self.memo.clear()
            self._duty[(unit, day)] = found
        return found


def _name(level, position: int) -> GridName | None:
    if position < 0:
        return None
    return GridName(str(level.codes[position]), str(level.names[position]))


def _person(index: AssignmentIndex, person_id: int) -> Contact | None:
    if person_id < 0 or person_id not in index.people:
        return None
    name, phone = index.people[person_id]
    return Contact(name, phone)


def _station(index: AssignmentIndex, station_id: int) -> Contact | None:
    if station_id < 0 or station_id not in index.stations:
        return None
    code, name, phone = index.stations[station_id]
    return Contact(name, phone, code)
