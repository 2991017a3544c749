"""Splitting a level-2 grid into level-3 units (三级网格) of about 30 households each.

The grid polygon itself is cut, so the pieces tile it exactly (no Voronoi slivers):

1. Recursive bisection (bisection.py, cutting.py, street_cuts.py): k units split into
   k // 2 and k - k // 2, cut halfway between two points, following a street where one
   lies near the ideal cut.
2. Repair (repair.py): a piece outside `low`..`high` is cut anew together with one or two
   neighbours when that brings the group nearer the bounds.
3. Leftovers (leftovers.py): a location with more than `high` households cannot be
   divided and becomes a unit of its own; parts of a piece without households join a
   neighbour. The builder splits big buildings into their entrances first (entrances.py),
   so this is the fallback for a building no line of entrances fits into.

Coordinates are projected metres (the caller projects to EPSG:4549). Overlays run near
the origin with a fixed precision of 1e-9 m, which keeps them robust.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from geogrid.building.bisection import bisect
from geogrid.building.cutting import CutJob
from geogrid.building.leftovers import adopt_orphans, isolate_indivisible, merge_empty_parts
from geogrid.building.repair import repair
from geogrid.vocabulary import UNIT_HOUSEHOLDS, UNIT_HOUSEHOLDS_HIGH, UNIT_HOUSEHOLDS_LOW

# Points may sit this far outside the grid (projection rounding) and still count as inside.
_INSIDE_TOLERANCE_M = 1e-6


@dataclass(frozen=True, eq=False)  # eq=False: numpy arrays have no plain equality
class UnitPiece:
    """One level-3 unit: its area, the input points it holds and their household total."""

    geometry: shapely.Polygon | shapely.MultiPolygon
    household_index: np.ndarray
    households: int


def split_into_units(
    grid: shapely.Polygon | shapely.MultiPolygon,
    points: np.ndarray,
    weights: np.ndarray,
    *,
    streets: shapely.Geometry | None = None,
    target: int = UNIT_HOUSEHOLDS,
    low: int = UNIT_HOUSEHOLDS_LOW,
    high: int = UNIT_HOUSEHOLDS_HIGH,
) -> list[UnitPiece]:
    """Cut `grid` into units of `low`..`high` (about `target`) households each.

    `points` (n, 2) are household locations inside `grid` (projected metres), `weights`
    the households at each; `streets` are centrelines the cuts should follow where they can.
    There are k = max(1, round(total / target)) pieces, but a location holding more than
    `high` households cannot be divided and is a piece of its own: with blocks the count is
    (number of blocks) + round(rest / target), plus one for a block that could not be cut
    away from at least `low` other households. A grid with fewer than `low` households is
    one piece. The pieces tile `grid` (to 1e-9 m); every point is in exactly one piece's
    `household_index` and inside (or on the boundary of) its geometry; points at the same
    spot stay together. Same input, same output.

    Raises ValueError, naming the argument, for points and weights of different length,
    negative or fractional weights, `low > target`, `target > high`, or points outside.
    """
    pts, w = _checked_inputs(grid, points, weights, target, low, high)
    total = int(w.sum())
    if total < low:
        return [UnitPiece(grid, np.arange(len(w)), total)]
    # Work near the origin: projected northings of ~4e6 m leave too few bits for overlays
    # snapped to 1e-9 m. Subtracting a nearby whole number is exact.
    origin = np.floor(np.asarray(grid.bounds[:2]))
    locs, loc_of_point = np.unique(pts - origin, axis=0, return_inverse=True)
    loc_of_point = loc_of_point.reshape(-1)
    streets = None if streets is None else shapely.transform(streets, lambda c: c - origin)
    households = np.bincount(loc_of_point, weights=w)
    job = CutJob.create(locs, households, streets, target, low, high)
    local = shapely.transform(grid, lambda c: c - origin)
    leaves = repair(bisect(local, np.arange(len(locs)), _unit_count(job), job), job)
    leaves = adopt_orphans(*isolate_indivisible(leaves, job), job)
    leaves = merge_empty_parts(leaves, job)
    return [
        _unit_piece(shapely.transform(geom, lambda c: c + origin), idx, loc_of_point, w)
        for geom, idx in leaves
    ]


def _checked_inputs(grid, points, weights, target: int, low: int, high: int):
    if not isinstance(grid, shapely.Polygon | shapely.MultiPolygon) or grid.is_empty:
        raise ValueError(f"grid must be a non-empty Polygon or MultiPolygon, got {grid!r:.60}")
    if not grid.is_valid:
        raise ValueError(f"grid is not valid: {shapely.is_valid_reason(grid)}")
    pts = np.asarray(points, dtype=float)
    pts = pts.reshape(0, 2) if pts.size == 0 else pts
    if pts.ndim != 2 or pts.shape[1] != 2 or not np.isfinite(pts).all():
        raise ValueError(f"points must be an (n, 2) array of finite numbers, got {pts.shape}")
    w = np.asarray(weights)
    if w.shape != (len(pts),):
        raise ValueError(f"weights has shape {w.shape} but points has {len(pts)} rows")
    if w.size and (not np.all(np.mod(w, 1) == 0) or w.min() < 0):
        bad = int(np.flatnonzero((np.mod(w, 1) != 0) | (w < 0))[0])
        raise ValueError(f"weights must be whole numbers >= 0, got {w[bad]} at index {bad}")
    if target < 1:
        raise ValueError(f"target must be at least 1, got {target}")
    if low > target:
        raise ValueError(f"low must not exceed target ({target}), got low={low}")
    if target > high:
        raise ValueError(f"high must be at least target ({target}), got high={high}")
    outside = ~shapely.dwithin(grid, shapely.points(pts), _INSIDE_TOLERANCE_M)
    if outside.any():
        first = int(np.flatnonzero(outside)[0])
        raise ValueError(f"points: {outside.sum()} lie outside grid, first at index {first}")
    return pts, w.astype(np.int64)


def _unit_count(job: CutJob) -> int:
    """One unit per indivisible location, round(rest / target) for the rest (if >= low)."""
    rest = float(job.households[~job.indivisible].sum())
    n_indivisible = int(job.indivisible.sum())
    rest_units = round(rest / job.target) if rest >= job.low else 0
    return n_indivisible + (max(1, rest_units) if n_indivisible == 0 else rest_units)


def _unit_piece(geom, idx: np.ndarray, loc_of_point: np.ndarray, weights) -> UnitPiece:
    members = np.flatnonzero(np.isin(loc_of_point, idx))
    return UnitPiece(geom, members, int(weights[members].sum()))
