"""The in-memory assignment index: the active version's units, their parents and people.

PostGIS is the store of record; this is a read-only copy of what the spatial join needs,
held as numpy arrays and two shapely STRtrees (lon/lat for the join, metres for the GPS
tolerance), so a million points are assigned without a round trip per point. `IndexCache`
reloads it when the active version or the duty roster changes.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np
import pyproj
import shapely
from sqlalchemy import Engine, text

from geogrid.errors import VersionError
from geogrid.geo.crs import projected_crs_for
from geogrid.storage.duty import COVERS_FINGERPRINT, PERIODS_FINGERPRINT, assignment_periods
from geogrid.storage.versions import active_version
from geogrid.vocabulary import LEVEL_OF_ROLE, STAFF_ROLES

NO_DAY = np.iinfo(np.int64).max  # an open-ended duty


@dataclass
class Level:
    """The grids of one level, sorted by code: ids, codes, names, parent index, geometry."""

    ids: np.ndarray
    codes: np.ndarray
    names: np.ndarray
    parent: np.ndarray  # index into the level above; -1 at level 1
    households: np.ndarray
    geoms: np.ndarray


@dataclass
class Duty:
    """Who holds a role on which grid from when to when, sorted for a binary search."""

    keys: np.ndarray  # grid index * 2**32 + first day, sorted
    last_day: np.ndarray  # last day on duty (NO_DAY when open)
    person: np.ndarray

    def on(self, grid: np.ndarray, day: np.ndarray) -> np.ndarray:
        """The person on duty for each (grid index, day), -1 where none (or grid -1)."""
        out = np.full(len(grid), -1, dtype=np.int64)
        if not len(self.keys):
            return out
        found = np.searchsorted(self.keys, grid.astype(np.int64) * 2**32 + day, "right") - 1
        ok = (grid >= 0) & (found >= 0)
        found = np.where(ok, found, 0)
        ok &= (self.keys[found] >> 32) == grid
        ok &= self.last_day[found] >= day
        out[ok] = self.person[found[ok]]
        return out


@dataclass
class AssignmentIndex:
    """Everything the spatial join and routing need for one grid version."""

    version_id: int
    levels: dict[int, Level]
    tree: shapely.STRtree  # level-3 units, lon/lat
    tree_m: shapely.STRtree  # the same units in metres
    to_metres: pyproj.Transformer
    epsg_m: int
    community_station: np.ndarray  # level-1 index -> station id, -1 when none
    duty: dict[str, Duty]
    people: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> name, phone
    stations: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # code, name, phone

    @property
    def units(self) -> Level:
        """The level-3 units, in tree order."""
        return self.levels[3]

    def grid_ids(self, level: int, positions: np.ndarray) -> np.ndarray:
        """The grids.id of each position in a level; -1 where the position is -1 (none)."""
        ids = self.levels[level].ids
        return np.where(positions >= 0, ids[np.maximum(positions, 0)], -1)

    def warm_up(self) -> None:
        """Make the calling thread ready to use the index at once: pyproj sets a transformer
        up again in every thread that uses it (~100 ms), which no report should wait for."""
        self.to_metres.transform(119.4, 36.0)


def load_index(engine: Engine, version_id: int | None = None) -> AssignmentIndex:
    """Read a version (the active one by default) and its duty roster into an index."""
    with engine.connect() as conn:
        if version_id is None:
            version_id = active_version(conn)
        levels = _read_levels(conn, version_id)
        stations = {r[0]: (r[1], r[2], r[3]) for r in conn.execute(
            text("select id, code, name, phone from stations"))}  # fmt: skip
        station_of = dict(conn.execute(
            text("select community_code, station_id from station_communities")).all())  # fmt: skip
        duty = _read_duty(conn, levels)
        people = {r[0]: (r[1], r[2]) for r in conn.execute(
            text("select id, name, phone from people"))}  # fmt: skip
    return make_index(version_id, levels, station_of, duty, people, stations)


def make_index(
    version_id: int,
    levels: dict[int, Level],
    station_of: dict[str, int],
    duty: dict[str, Duty],
    people: dict[int, tuple[str, str]] | None = None,
    stations: dict[int, tuple[str, str, str]] | None = None,
) -> AssignmentIndex:
    """An index over given levels (also how tests build one from hand-drawn units)."""
    units = levels[3]
    if not len(units.ids):
        raise VersionError(f"grid version {version_id} has no level-3 units")
    epsg = projected_crs_for(float(shapely.centroid(units.geoms[0]).x))
    to_metres = pyproj.Transformer.from_crs(4326, epsg, always_xy=True)
    units_m = shapely.transform(units.geoms, lambda xy: np.column_stack(
        to_metres.transform(xy[:, 0], xy[:, 1])))  # fmt: skip
    community_station = np.array(
        [station_of.get(code, -1) for code in levels[1].codes], dtype=np.int64
    )
    return AssignmentIndex(
        version_id, levels, shapely.STRtree(units.geoms), shapely.STRtree(units_m), to_metres,
        epsg, community_station, duty, people or {}, stations or {},
    )  # fmt: skip


def _read_levels(conn, version_id: int) -> dict[int, Level]:
    rows = conn.execute(
        text("select g.level, g.id, g.code, g.name, coalesce(p.code, ''), g.households, "
             "st_asbinary(g.geom) from grids g left join grids p on p.id = g.parent_id "
             "where g.version_id = :v order by g.level, g.code"),
        {"v": version_id},
    ).all()  # fmt: skip
    if not rows:
        raise VersionError(f"grid version {version_id} does not exist or has no grids")
    levels: dict[int, Level] = {}
    for level in (1, 2, 3):
        part = [r for r in rows if r[0] == level]
        codes = np.array([r[2] for r in part], dtype=object)
        above = levels.get(level - 1)
        position = {c: i for i, c in enumerate(above.codes)} if above else {}
        levels[level] = Level(
            ids=np.array([r[1] for r in part], dtype=np.int64),
            codes=codes,
            names=np.array([r[3] for r in part], dtype=object),
            parent=np.array([position.get(r[4], -1) for r in part], dtype=np.int64),
            households=np.array([r[5] for r in part], dtype=np.int64),
            geoms=shapely.from_wkb([bytes(r[6]) for r in part]),
        )
    return levels


def _read_duty(conn, levels: dict[int, Level]) -> dict[str, Duty]:
    rows = assignment_periods(conn)
    duty = {}
    for role in STAFF_ROLES:
        position = {c: i for i, c in enumerate(levels[LEVEL_OF_ROLE[role]].codes)}
        mine = [(position[r[1]], r) for r in rows if r[0] == role and r[1] in position]
        keys = np.array([g * 2**32 + _day(r[3]) for g, r in mine], dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        last = np.array([NO_DAY if r[4] is None else _day(r[4]) for _, r in mine], np.int64)
        person = np.array([r[2] for _, r in mine], dtype=np.int64)
        duty[role] = Duty(keys[order], last[order], person[order])
    return duty


def _day(value) -> int:
    return int(np.datetime64(value, "D").astype(np.int64))


class IndexCache:
    """The index of the active version, reloaded when the version or the roster changes.

    The check is one small query, made at most once per `ttl` seconds, so a busy API does
    not ask the database on every lookup.
    """

    def __init__(self, engine: Engine, ttl: float = 1.0) -> None:
        self.engine, self.ttl = engine, ttl
        self._index: AssignmentIndex | None = None
        self._stamp: tuple | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def get(self) -> AssignmentIndex:
        """The current index, reloading it first when the database says it is stale."""
        now = time.monotonic()
        if self._index is not None and now - self._checked < self.ttl:
            return self._index
        with self._lock:
            stamp = self._read_stamp()
            if self._index is None or stamp != self._stamp:
                self._index = load_index(self.engine)
                self._stamp = stamp
            self._checked = time.monotonic()
            return self._index

    def _read_stamp(self) -> tuple:
        with self.engine.connect() as conn:
            return tuple(conn.execute(text(_STAMP_SQL)).one())


_STAMP_SQL = f"""
select (select id from grid_versions where status = 'active'),
       (select count(*) from grid_assignments), (select max(id) from grid_assignments),
       {PERIODS_FINGERPRINT}, {COVERS_FINGERPRINT},
       (select count(*) filter (where active) from people),
       (select count(*) from station_communities)
"""
