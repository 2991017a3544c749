"""The spatial join: points -> level-3 unit -> level-2 grid -> community, people on duty.

Rules, in order:
- inside one unit: `inside`;
- on the shared boundary of several units (edge or vertex): the unit with the smallest code,
  `boundary` (deterministic, and the same rule as the PostGIS query in `postgis.py`);
- outside every unit but within the GPS tolerance (50 m by default): the nearest unit,
  `nearest`, with the distance in metres (ties: smallest code);
- farther: `unassigned`; the report is kept and goes to the county triage queue.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from geogrid.reports.index import AssignmentIndex
from geogrid.vocabulary import ASSIGNMENT_METHODS, GPS_TOLERANCE_M, china_day_number

INSIDE, BOUNDARY, NEAREST, UNASSIGNED = range(4)
DEFAULT_TOLERANCE_M = GPS_TOLERANCE_M


@dataclass
class Placement:
    """Where each point fell: unit/grid/community index (-1 none), method, distance."""

    unit: np.ndarray
    grid: np.ndarray
    community: np.ndarray
    method: np.ndarray  # index into ASSIGNMENT_METHODS
    distance_m: np.ndarray  # NaN unless nearest

    def method_names(self) -> np.ndarray:
        """The method of each point as text."""
        return np.asarray(ASSIGNMENT_METHODS, dtype=object)[self.method]


@dataclass
class People:
    """Person ids on duty for each point (-1 none) and the grid's station id (-1 none)."""

    leader: np.ndarray
    officer: np.ndarray
    police: np.ndarray
    station: np.ndarray


def place_points(
    index: AssignmentIndex,
    lon: np.ndarray,
    lat: np.ndarray,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
) -> Placement:
    """Join WGS-84 points to the index's units by the rules above."""
    points = shapely.points(lon, lat)
    unit, hits = _units_hit(index, points)
    method = np.where(hits == 1, INSIDE, np.where(hits > 1, BOUNDARY, UNASSIGNED))
    distance = np.full(len(unit), np.nan)
    missed = np.flatnonzero(hits == 0)
    if len(missed) and tolerance_m > 0:
        near, metres = _nearest(index, lon[missed], lat[missed], tolerance_m)
        found = near >= 0
        unit[missed[found]] = near[found]
        method[missed[found]] = NEAREST
        distance[missed[found]] = metres[found]
    grid = _parent(index.levels[3].parent, unit)
    community = _parent(index.levels[2].parent, grid)
    return Placement(unit, grid, community, method.astype(np.int8), distance)


def _units_hit(index: AssignmentIndex, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The smallest-code unit each point intersects (-1 none) and how many it intersects."""
    point_i, unit_i = index.tree.query(points, predicate="intersects")
    hits = np.bincount(point_i, minlength=len(points))
    return _smallest_per_point(len(points), point_i, unit_i, hits), hits


def _smallest_per_point(n: int, point_i, unit_i, hits) -> np.ndarray:
    """For each point the smallest unit index among its pairs (-1 when it has none).

    Units are in code order in the tree, so the smallest index is the smallest code.
    """
    unit = np.full(n, -1, dtype=np.int64)
    unit[point_i] = unit_i
    shared = hits[point_i] > 1  # few: only points on shared edges and vertices
    if shared.any():
        unit[point_i[shared]] = np.iinfo(np.int64).max
        np.minimum.at(unit, point_i[shared], unit_i[shared])
    return unit


def _nearest(
    index: AssignmentIndex, lon: np.ndarray, lat: np.ndarray, tolerance_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """The nearest unit within tolerance of each point, measured in metres (-1 none)."""
    x, y = index.to_metres.transform(lon, lat)
    (point_i, unit_i), metres = index.tree_m.query_nearest(
        shapely.points(x, y), max_distance=tolerance_m, return_distance=True, all_matches=True
    )
    ties = np.bincount(point_i, minlength=len(lon))  # equal distances: smallest code wins
    near = _smallest_per_point(len(lon), point_i, unit_i, ties)
    distance = np.full(len(lon), np.nan)
    distance[point_i] = metres
    return near, distance


def _parent(parents: np.ndarray, child: np.ndarray) -> np.ndarray:
    return np.where(child >= 0, parents[np.maximum(child, 0)], -1)


def people_on_duty(index: AssignmentIndex, placement: Placement, days: np.ndarray) -> People:
    """The leader, officer and community police on duty on each day (days since 1970)."""
    duty = index.duty
    community = placement.community
    station = np.where(community >= 0, index.community_station[np.maximum(community, 0)], -1)
    return People(
        leader=duty["grid_leader"].on(placement.grid, days),
        officer=duty["information_officer"].on(placement.unit, days),
        police=duty["community_police"].on(community, days),
        station=station,
    )


def china_days(epoch_seconds: np.ndarray) -> np.ndarray:
    """Calendar days (since 1970-01-01) in China Standard Time of UTC epoch seconds."""
    return china_day_number(np.asarray(epoch_seconds, dtype=np.int64))
