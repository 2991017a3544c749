"""Single cuts of a piece of a level-2 grid: straight between two points, or between islands.

A cut divides a piece holding `units` units into two pieces, each told how many units it
holds. Straight cuts run halfway between two neighbouring points, so no point lies on a cut;
the long axis is tried first (pieces would otherwise become slivers), the short axis when
the piece is nearly square, the two diagonals always, each at a small price. Costs are
relative deviations from the mean unit size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import shapely

from geogrid.building.unit_geometry import PRECISION_M, part_of
from geogrid.geo.polygons import combine, polygonal

_SQUARE_ENOUGH = 0.6
_SHORT_AXIS_PENALTY = 0.05
_DIAGONAL_PENALTY = 0.1
_DIAGONALS = (np.array([1.0, 1.0]) / np.sqrt(2), np.array([-1.0, 1.0]) / np.sqrt(2))
# Leaving the size bounds costs far more than any imbalance inside them.
_OUT_OF_BOUNDS_PENALTY = 10.0
# Points closer than this along a direction are not parted: points in a row along a
# diagonal project to values a rounding error apart, and a cut between them would run
# through them (and through the precision grids of the overlays and the output).
_MIN_GAP_M = 1e-4


@dataclass(frozen=True)
class CutJob:
    """What every cut of one grid needs to know about its distinct household locations."""

    locs: np.ndarray  # (m, 2) distinct point coordinates
    loc_points: np.ndarray  # the same as shapely Points
    households: np.ndarray  # households per location
    effective: np.ndarray  # weight used for cutting: an indivisible location counts as target
    indivisible: np.ndarray  # more than `high` households at one location
    columns: np.ndarray  # (m, 3) the three above as floats, to be summed in one go
    streets: shapely.Geometry | None
    target: int
    low: int
    high: int

    @classmethod
    def create(cls, locs, households, streets, target: int, low: int, high: int) -> CutJob:
        """The job for distinct locations `locs` holding `households` each."""
        indivisible = households > high
        effective = np.where(indivisible, float(target), households)
        return cls(
            locs=locs,
            loc_points=shapely.points(locs),
            households=households,
            effective=effective,
            indivisible=indivisible,
            columns=np.column_stack([households, effective, indivisible]).astype(float),
            streets=streets,
            target=target,
            low=low,
            high=high,
        )


class Cut(NamedTuple):
    """Two pieces, the locations in each and the units each is to hold."""

    left: shapely.Geometry
    left_idx: np.ndarray
    left_units: int
    right: shapely.Geometry
    right_idx: np.ndarray
    right_units: int


def axes(bounds) -> list[int]:
    """The long axis first (0 = x, cut lines vertical); the short one too if nearly square."""
    extent = (bounds[2] - bounds[0], bounds[3] - bounds[1])
    long_axis = int(extent[1] > extent[0])
    square = min(extent) >= _SQUARE_ENOUGH * max(extent)
    return [long_axis, 1 - long_axis] if square else [long_axis]


def _direction_table() -> dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]]:
    table = {}
    for order in ([0], [1], [0, 1], [1, 0]):
        prices = [_SHORT_AXIS_PENALTY * rank for rank in range(len(order))] + [
            _DIAGONAL_PENALTY
        ] * 2
        table[tuple(order)] = (np.vstack([np.eye(2)[order], _DIAGONALS]), np.array(prices))
    return table


_DIRECTIONS = _direction_table()


def _directions(bounds) -> tuple[np.ndarray, np.ndarray]:
    """Unit normals (rows) of the cut lines worth trying, and the price of each."""
    return _DIRECTIONS[tuple(axes(bounds))]


def _child_cost(sums: np.ndarray, n_locs, units: int, mean: float, job: CutJob) -> np.ndarray:
    """Cost of the children at every gap: leaves against the bounds, others by average."""
    if units == 1:
        real = sums[..., 0]
        outside = np.maximum(np.maximum(job.low - real, real - job.high), 0.0)
        cost = (_OUT_OF_BOUNDS_PENALTY * outside + np.abs(real - job.target)) / job.target
        # A block alone is a perfect leaf; one sharing its leaf costs more than any leaf out
        # of bounds, and more the more blocks and households share it.
        mixed = _OUT_OF_BOUNDS_PENALTY * (n_locs > 1) * sums[..., 1] / job.target
        return np.where(sums[..., 2] > 0, mixed, cost)
    average = sums[..., 1] / units
    outside = np.maximum(np.maximum(job.low - average, average - job.high), 0.0)
    cost = (_OUT_OF_BOUNDS_PENALTY * outside + np.abs(average - mean)) / mean
    return cost + _OUT_OF_BOUNDS_PENALTY * (n_locs < units)  # fewer spots than units


def best_gap(idx: np.ndarray, units: int, bounds, job: CutJob) -> tuple | None:
    """(cost, normal, position, left units) of the best straight cut between two points.

    Every gap between neighbouring points in every direction is priced at once: rows are
    gaps in the order of the points along a direction, columns are directions.
    """
    if idx.size < 2:
        return None
    normals, prices = _directions(bounds)
    projected = job.locs[idx] @ normals.T
    order = np.argsort(projected, axis=0, kind="stable")
    values = np.sort(projected, axis=0)
    sums = np.cumsum(job.columns[idx[order]], axis=0)  # (points, directions, columns)
    left, right, total = sums[:-1], sums[-1] - sums[:-1], sums[-1, 0, 1]
    no_gap = values[1:] - values[:-1] <= _MIN_GAP_M  # equal positions cannot be parted
    n_left = np.arange(1, idx.size)[:, None]
    best = None
    for k1 in sorted({units // 2, units - units // 2}) if total > 0 else []:
        cost = prices + np.maximum(
            _child_cost(left, n_left, k1, total / units, job),
            _child_cost(right, idx.size - n_left, units - k1, total / units, job),
        )
        cost[no_gap] = np.inf
        d, g = divmod(int(np.argmin(cost.T)), idx.size - 1)  # on ties the long axis wins
        if cost[g, d] < np.inf and (best is None or cost[g, d] < best[0]):
            position = (values[g, d] + values[g + 1, d]) / 2
            best = (float(cost[g, d]), normals[d], position, k1)
    return best


def _half_plane(bounds, normal: np.ndarray, position: float) -> shapely.Polygon:
    """The side of the line (normal . p = position) with smaller values, covering bounds."""
    reach = float(np.hypot(bounds[2] - bounds[0], bounds[3] - bounds[1])) + 1.0
    centre = np.array([(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2])
    foot = centre + (position - centre @ normal) * normal
    along = np.array([-normal[1], normal[0]]) * reach
    back = normal * 2 * reach
    return shapely.Polygon([foot + along, foot - along, foot - along - back, foot + along - back])


def cut_straight(region, idx: np.ndarray, units: int, job: CutJob) -> Cut | None:
    """A straight cut halfway between two points, balancing the weights of the two sides."""
    best = best_gap(idx, units, region.bounds, job)
    if best is None:
        return None
    _, normal, position, left_units = best
    left_mask = job.locs[idx] @ normal <= position
    half = _half_plane(region.bounds, normal, position)
    return make_cut(region, half, idx, left_mask, units, left_units)


def make_cut(region, half, idx, left_mask, units: int, left_units: int) -> Cut | None:
    """Cut `region` by the closed polygon `half`; the other side is the exact remainder."""
    left = polygonal(shapely.intersection(region, half, grid_size=PRECISION_M))
    right = polygonal(shapely.difference(region, left, grid_size=PRECISION_M))
    if left.is_empty or right.is_empty or left_mask.all() or not left_mask.any():
        return None
    return Cut(left, idx[left_mask], left_units, right, idx[~left_mask], units - left_units)


def proportional_units(left_weight: float, total: float, units: int) -> int:
    """Units for the left side, in proportion to its weight, at least one on each side."""
    return min(units - 1, max(1, round(units * left_weight / total)))


def cut_between_parts(region, idx: np.ndarray, units: int, job: CutJob) -> Cut | None:
    """Separate the parts of a multi-part region (islands, arms) if the sizes allow it."""
    parts = shapely.get_parts(region)
    if len(parts) < 2:
        return None
    owner = part_of(parts, job.loc_points[idx])
    weight = np.bincount(owner, weights=job.effective[idx], minlength=len(parts))
    occupied = np.unique(owner)
    if len(occupied) < 2:
        return None
    along = shapely.get_coordinates(shapely.centroid(parts))[:, axes(region.bounds)[0]]
    occupied = occupied[np.argsort(along[occupied], kind="stable")]
    best = _best_part_split(weight[occupied], units, job)
    if best is None:
        return None
    s, left_units = best
    border = (along[occupied[s - 1]] + along[occupied[s]]) / 2
    on_left = np.isin(np.arange(len(parts)), occupied[:s]) | (
        ~np.isin(np.arange(len(parts)), occupied) & (along <= border)
    )
    left, right = combine(parts[on_left]), combine(parts[~on_left])
    left_mask = on_left[owner]
    return Cut(left, idx[left_mask], left_units, right, idx[~left_mask], units - left_units)


def _best_part_split(weights: np.ndarray, units: int, job: CutJob) -> tuple[int, int] | None:
    """(parts on the left, left units) of the most even split of ordered parts in bounds."""
    total = float(weights.sum())
    best = None
    for s in range(1, len(weights)):
        left_weight = float(weights[:s].sum())
        left_units = proportional_units(left_weight, total, units)
        averages = (left_weight / left_units, (total - left_weight) / (units - left_units))
        cost = max(abs(a - total / units) for a in averages)
        if all(job.low <= a <= job.high for a in averages) and (best is None or cost < best[0]):
            best = (cost, s, left_units)
    return None if best is None else best[1:]
