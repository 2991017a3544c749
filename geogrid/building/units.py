"""Splitting a level-2 grid into level-3 units (三级网格) of about 30 households each.

The grid polygon itself is cut, so the pieces tile it exactly (no Voronoi slivers):

1. Recursive bisection: k units split into k // 2 and k - k // 2, cut straight across the
   long axis (the short axis or a diagonal when clearly better) halfway between the two
   points where the cumulative households reach their share, so no point lies on a cut.
   Separate parts of the region (islands) are divided between the sides first, and a
   street near the ideal cut is followed when that keeps the sizes right.
2. Repair: a piece outside `low`..`high` is cut anew together with one or two neighbours
   when that brings the group nearer the bounds (the count of pieces does not change).
3. A location with more than `high` households (an apartment block at one point) cannot
   be divided. It counts as one unit in the bisection; if it still shares a piece, its
   Voronoi cell inside that piece is carved out, and what is left, if too small to be a
   unit, joins a neighbour.
4. Parts of a piece without households join the neighbour sharing the longest boundary.

Coordinates are projected metres (the caller projects to EPSG:4549). Overlays run near
the origin with a fixed precision of 1e-9 m, which keeps them robust.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import shapely

# The long axis of a piece is cut first, so pieces do not become slivers; the short axis
# competes only when the piece is nearly square, diagonals always, each at a small price
# (costs are relative deviations from the mean unit size).
_SQUARE_ENOUGH = 0.6
_SHORT_AXIS_PENALTY = 0.05
_DIAGONAL_PENALTY = 0.1
_DIAGONALS = (np.array([1.0, 1.0]) / np.sqrt(2), np.array([-1.0, 1.0]) / np.sqrt(2))
# Leaving the size bounds costs far more than any imbalance inside them.
_OUT_OF_BOUNDS_PENALTY = 10.0
# Repair: rounds over all pieces, neighbours tried per piece, and a cap on fruitless
# re-cuts that bounds the time on grids with many blocks that no re-cut can help.
_REPAIR_ROUNDS = 6
_REPAIR_NEIGHBOURS = 6
_REPAIR_MAX_FAILED = 120
# A street is followed if it runs within 30 degrees of the cut direction, spans half the
# piece across and lies within a quarter of the piece's extent of the ideal cut.
_STREET_MAX_SLOPE = np.tan(np.radians(30))
_STREET_MIN_SPAN = 0.5
_STREET_REACH = 0.25
# Overlays snap to this grid: with a fixed precision GEOS removes the zero-width spikes that
# floating-point cuts along an existing edge leave, and which derail later overlays.
_PRECISION_M = 1e-9
# Points may sit this far outside the grid (projection rounding) and still count as inside.
_INSIDE_TOLERANCE_M = 1e-6


@dataclass(frozen=True, eq=False)  # eq=False: numpy arrays have no plain equality
class UnitPiece:
    """One level-3 unit: its area, the input points it holds and their household total."""

    geometry: shapely.Polygon | shapely.MultiPolygon
    household_index: np.ndarray
    households: int


@dataclass(frozen=True)
class _Job:
    """What every step of the bisection needs to know about the distinct locations."""

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


class _Cut(NamedTuple):
    left: shapely.Geometry
    left_idx: np.ndarray
    left_units: int
    right: shapely.Geometry
    right_idx: np.ndarray
    right_units: int


def split_into_units(
    grid: shapely.Polygon | shapely.MultiPolygon,
    points: np.ndarray,
    weights: np.ndarray,
    *,
    streets: shapely.Geometry | None = None,
    target: int = 30,
    low: int = 20,
    high: int = 40,
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
    # snapped to _PRECISION_M. Subtracting a nearby whole number is exact.
    origin = np.floor(np.asarray(grid.bounds[:2]))
    locs, loc_of_point = np.unique(pts - origin, axis=0, return_inverse=True)
    loc_of_point = loc_of_point.reshape(-1)
    streets = None if streets is None else shapely.transform(streets, lambda c: c - origin)
    job = _make_job(locs, np.bincount(loc_of_point, weights=w), streets, target, low, high)
    local = shapely.transform(grid, lambda c: c - origin)
    leaves = _repair(_bisect(local, np.arange(len(locs)), _unit_count(job), job), job)
    leaves = _adopt_orphans(*_isolate_indivisible(leaves, job), job)
    leaves = _merge_empty_parts(leaves, job)
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


def _make_job(locs, households, streets, target: int, low: int, high: int) -> _Job:
    indivisible = households > high
    effective = np.where(indivisible, float(target), households)
    return _Job(
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


def _unit_count(job: _Job) -> int:
    """One unit per indivisible location, round(rest / target) for the rest (if >= low)."""
    rest = float(job.households[~job.indivisible].sum())
    n_indivisible = int(job.indivisible.sum())
    rest_units = round(rest / job.target) if rest >= job.low else 0
    return n_indivisible + (max(1, rest_units) if n_indivisible == 0 else rest_units)


def _bisect(region, idx: np.ndarray, units: int, job: _Job) -> list[tuple]:
    """Leaves (geometry, location indices) of the recursive bisection of `region`."""
    if units <= 1 or len(idx) <= 1:
        return [(region, idx)]
    cut = (
        _cut_between_parts(region, idx, units, job)
        or _cut_along_street(region, idx, units, job)
        or _cut_straight(region, idx, units, job)
    )
    if cut is None:
        return [(region, idx)]
    return _bisect(cut.left, cut.left_idx, cut.left_units, job) + _bisect(
        cut.right, cut.right_idx, cut.right_units, job
    )


def _axes(bounds) -> list[int]:
    """The long axis first (0 = x, cut lines vertical); the short one too if nearly square."""
    extent = (bounds[2] - bounds[0], bounds[3] - bounds[1])
    long_axis = int(extent[1] > extent[0])
    square = min(extent) >= _SQUARE_ENOUGH * max(extent)
    return [long_axis, 1 - long_axis] if square else [long_axis]


def _directions(bounds) -> tuple[np.ndarray, np.ndarray]:
    """Unit normals (rows) of the cut lines worth trying, and the price of each."""
    return _DIRECTIONS[tuple(_axes(bounds))]


def _direction_table() -> dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]]:
    table = {}
    for axes in ([0], [1], [0, 1], [1, 0]):
        prices = [_SHORT_AXIS_PENALTY * rank for rank in range(len(axes))] + [_DIAGONAL_PENALTY] * 2
        table[tuple(axes)] = (np.vstack([np.eye(2)[axes], _DIAGONALS]), np.array(prices))
    return table


_DIRECTIONS = _direction_table()


def _child_cost(sums: np.ndarray, n_locs, units: int, mean: float, job: _Job) -> np.ndarray:
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


def _best_gap(idx: np.ndarray, units: int, bounds, job: _Job) -> tuple | None:
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
    no_gap = values[1:] <= values[:-1]  # equal positions cannot be parted
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


def _cut_straight(region, idx: np.ndarray, units: int, job: _Job) -> _Cut | None:
    """A straight cut halfway between two points, balancing the weights of the two sides."""
    best = _best_gap(idx, units, region.bounds, job)
    if best is None:
        return None
    _, normal, position, left_units = best
    left_mask = job.locs[idx] @ normal <= position
    half = _half_plane(region.bounds, normal, position)
    return _make_cut(region, half, idx, left_mask, units, left_units)


def _make_cut(region, half, idx, left_mask, units: int, left_units: int) -> _Cut | None:
    """Cut `region` by the closed polygon `half`; the other side is the exact remainder."""
    left = _polygonal(shapely.intersection(region, half, grid_size=_PRECISION_M))
    right = _polygonal(shapely.difference(region, left, grid_size=_PRECISION_M))
    if left.is_empty or right.is_empty or left_mask.all() or not left_mask.any():
        return None
    return _Cut(left, idx[left_mask], left_units, right, idx[~left_mask], units - left_units)


def _proportional_units(left_weight: float, total: float, units: int) -> int:
    return min(units - 1, max(1, round(units * left_weight / total)))


def _cut_between_parts(region, idx: np.ndarray, units: int, job: _Job) -> _Cut | None:
    """Separate the parts of a multi-part region (islands, arms) if the sizes allow it."""
    parts = shapely.get_parts(region)
    if len(parts) < 2:
        return None
    part_of = _part_of(parts, job.loc_points[idx])
    weight = np.bincount(part_of, weights=job.effective[idx], minlength=len(parts))
    occupied = np.unique(part_of)
    if len(occupied) < 2:
        return None
    axis = _axes(region.bounds)[0]
    along = shapely.get_coordinates(shapely.centroid(parts))[:, axis]
    occupied = occupied[np.argsort(along[occupied], kind="stable")]
    total = float(weight.sum())
    best = None
    for s in range(1, len(occupied)):
        left_weight = float(weight[occupied[:s]].sum())
        left_units = _proportional_units(left_weight, total, units)
        averages = (left_weight / left_units, (total - left_weight) / (units - left_units))
        cost = max(abs(a - total / units) for a in averages)
        if all(job.low <= a <= job.high for a in averages) and (best is None or cost < best[0]):
            best = (cost, s, left_units)
    if best is None:
        return None
    _, s, left_units = best
    border = (along[occupied[s - 1]] + along[occupied[s]]) / 2
    on_left = np.isin(np.arange(len(parts)), occupied[:s]) | (
        ~np.isin(np.arange(len(parts)), occupied) & (along <= border)
    )
    left, right = _combine(parts[on_left]), _combine(parts[~on_left])
    left_mask = on_left[part_of]
    return _Cut(left, idx[left_mask], left_units, right, idx[~left_mask], units - left_units)


def _cut_along_street(region, idx: np.ndarray, units: int, job: _Job) -> _Cut | None:
    """Cut along the street closest to the ideal cut, if one is near and sizes stay right."""
    if job.streets is None or job.streets.is_empty:
        return None
    xmin, ymin, xmax, ymax = region.bounds
    extent = (xmax - xmin, ymax - ymin)
    inside = shapely.line_merge(_linear(shapely.intersection(job.streets, region)))
    best = None
    for axis in _axes(region.bounds):
        ideal = _ideal_position(idx, units, axis, job)
        for line in shapely.get_parts(inside):
            offset = _street_offset(line, axis, extent, ideal)
            if offset is None or (best is not None and offset >= best[0]):
                continue
            cut = _street_cut(region, idx, units, axis, line, job)
            if cut is not None:
                best = (offset, cut)
    return None if best is None else best[1]


def _ideal_position(idx: np.ndarray, units: int, axis: int, job: _Job) -> float:
    values = job.locs[idx, axis]
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(job.effective[idx[order]])
    at = int(np.searchsorted(cumulative, cumulative[-1] * (units // 2) / units))
    return float(values[order][min(at, len(order) - 1)])


def _street_offset(line, axis: int, extent, ideal: float) -> float | None:
    """Distance from the ideal cut, or None if the street does not run across the piece."""
    coords = shapely.get_coordinates(line)
    if len(coords) < 2:
        return None
    along, across = np.abs(coords[-1] - coords[0])[[axis, 1 - axis]]
    if across < _STREET_MIN_SPAN * extent[1 - axis] or along > _STREET_MAX_SLOPE * across:
        return None
    offset = abs(float(coords[:, axis].mean()) - ideal)
    return offset if offset <= _STREET_REACH * extent[axis] else None


def _street_cut(region, idx, units: int, axis: int, line, job: _Job) -> _Cut | None:
    half = _street_half_plane(line, axis, region.bounds)
    if half is None:
        return None
    left_mask = shapely.covers(half, job.loc_points[idx])
    total = float(job.effective[idx].sum())
    left_weight = float(job.effective[idx][left_mask].sum())
    if total == 0 or left_weight in (0.0, total):
        return None
    left_units = _proportional_units(left_weight, total, units)
    # Stricter than the bounds: the halves are bisected further and lose a little each time.
    band = ((job.low + job.target) / 2, (job.target + job.high) / 2)
    averages = (left_weight / left_units, (total - left_weight) / (units - left_units))
    if not all(band[0] <= a <= band[1] for a in averages):
        return None
    return _make_cut(region, half, idx, left_mask, units, left_units)


def _street_half_plane(line, axis: int, bounds) -> shapely.Polygon | None:
    """The side of the street (extended across the piece) with the smaller coordinates."""
    coords = shapely.get_coordinates(line)
    if coords[-1, 1 - axis] < coords[0, 1 - axis]:
        coords = coords[::-1]
    reach = float(np.hypot(bounds[2] - bounds[0], bounds[3] - bounds[1])) + 1.0
    unit = (coords[-1] - coords[0]) / np.hypot(*(coords[-1] - coords[0]))
    head, tail = coords[0] - unit * reach, coords[-1] + unit * reach
    far_head, far_tail = head.copy(), tail.copy()
    far_head[axis] = far_tail[axis] = bounds[axis] - 2 * reach
    half = shapely.Polygon(np.vstack([far_head, head, coords, tail, far_tail]))
    return half if half.is_valid else None


def _repair(leaves: list[tuple], job: _Job) -> list[tuple]:
    """Re-cut small groups of neighbouring leaves where that brings them nearer the bounds."""
    leaves, failed = list(leaves), set()
    for _ in range(_REPAIR_ROUNDS):
        changed = False
        for i in range(len(leaves)):
            if _badness(leaves[i][1], job) > 0 and len(failed) < _REPAIR_MAX_FAILED:
                changed = _repair_around(leaves, i, failed, job) or changed
        if not changed:
            break
    return leaves


def _repair_around(leaves: list[tuple], i: int, failed: set, job: _Job) -> bool:
    """Re-cut leaf i with one neighbour, else with two; True if the leaves were changed.

    Groups that did not improve are remembered in `failed` (by their points) and skipped.
    """
    near = [int(j) for j in _neighbours(leaves, i)[:_REPAIR_NEIGHBOURS]]
    pairs = [[i, j] for j in near]
    triples = [[i, j, m] for n, j in enumerate(near) for m in near[n + 1 :]]
    for group in pairs + triples:
        key = frozenset(tuple(leaves[g][1]) for g in group)
        recut = None if key in failed else _recut_group([leaves[g] for g in group], job)
        if recut is None:
            failed.add(key)
            continue
        for g, leaf in zip(group, recut, strict=True):
            leaves[g] = leaf
        return True
    return False


def _recut_group(group: list[tuple], job: _Job) -> list[tuple] | None:
    """The group bisected anew from its union, if that lowers its badness."""
    geoms, idx = [geom for geom, _ in group], np.concatenate([i for _, i in group])
    before = sum(_badness(leaf_idx, job) for _, leaf_idx in group)
    box = shapely.bounds(geoms)
    bounds = (*box[:, :2].min(axis=0), *box[:, 2:].max(axis=0))
    if _least_badness(idx, len(group), job) >= before or (
        sum(_badness(i, job) for i in _plan(idx, len(group), bounds, job)) >= before
    ):
        return None  # not even the cheap plan on points alone helps: spare the geometry
    region = _polygonal(shapely.union_all(geoms, grid_size=_PRECISION_M))
    if job.streets is not None:  # streets on shared boundaries count twice in the leaves
        inside = shapely.length(shapely.intersection(job.streets, [region, *geoms]))
        if inside[1:].sum() - inside[0] > 1.0:
            return None  # the group meets along a street, which should stay a boundary
    recut = _bisect(region, idx, len(group), job)
    after = sum(_badness(leaf_idx, job) for _, leaf_idx in recut)
    parts = shapely.get_num_geometries([geom for geom, _ in recut]).sum()
    if (
        len(recut) != len(group)
        or after >= before
        or parts > shapely.get_num_geometries(geoms).sum()
    ):
        return None  # no better, or less contiguous than before
    return recut


def _least_badness(idx: np.ndarray, units: int, job: _Job) -> float:
    """A lower bound of the badness of any `units` leaves holding these points."""
    blocks = int(job.indivisible[idx].sum())
    light = float(job.households[idx][~job.indivisible[idx]].sum())
    units = units - blocks  # the best case gives every block a unit of its own
    if units <= 0:
        return light
    return max(units * job.low - light, light - units * job.high, 0.0)


def _plan(idx: np.ndarray, units: int, bounds, job: _Job) -> list[np.ndarray]:
    """The leaves straight cuts would make, on points alone (bounds kept from the parent)."""
    best = _best_gap(idx, units, bounds, job) if units > 1 else None
    if best is None:
        return [idx]
    _, normal, position, k1 = best
    left = job.locs[idx] @ normal <= position
    return _plan(idx[left], k1, bounds, job) + _plan(idx[~left], units - k1, bounds, job)


def _badness(idx: np.ndarray, job: _Job) -> float:
    """Households outside the bounds; for a block sharing its piece, the others' households."""
    households = job.households[idx]
    heavy = job.indivisible[idx]
    if heavy.any():
        return float(households[~heavy].sum())
    total = float(households.sum())
    return max(job.low - total, total - job.high, 0.0)


def _shared_lengths(geom, geoms: list) -> np.ndarray:
    """Length of boundary `geom` shares with each of `geoms` (0 where they do not touch)."""
    geoms = np.array(geoms, dtype=object)
    box, own = shapely.bounds(geoms), geom.bounds
    near = (box[:, 0] <= own[2]) & (box[:, 2] >= own[0])
    near = np.flatnonzero(near & (box[:, 1] <= own[3]) & (box[:, 3] >= own[1]))
    shared = np.zeros(len(geoms))
    shared[near] = shapely.length(
        shapely.intersection(geom.boundary, shapely.boundary(geoms[near]))
    )
    return shared


def _neighbours(leaves: list[tuple], i: int) -> np.ndarray:
    """Leaves sharing a stretch of boundary with leaf i, the longest shared first."""
    shared = _shared_lengths(leaves[i][0], [geom for geom, _ in leaves])
    shared[i] = 0.0
    order = np.argsort(-shared, kind="stable")
    return order[shared[order] > 0]


def _isolate_indivisible(leaves: list[tuple], job: _Job) -> tuple[list[tuple], set[int]]:
    """Give each indivisible location in a shared leaf its Voronoi cell inside the leaf.

    Returns the leaves and the positions of remainders too small to be a unit (orphans).
    """
    result, orphans = [], set()
    for region, idx in leaves:
        heavy = job.indivisible[idx]
        if not heavy.any() or idx.size == 1:
            result.append((region, idx))
            continue
        carve = np.flatnonzero(heavy)[: None if not heavy.all() else -1]
        cells = shapely.voronoi_polygons(
            shapely.multipoints(job.locs[idx]), extend_to=region, ordered=True
        )
        remaining = region
        for position in carve:  # cells follow the order of the points (ordered=True)
            cell = _polygonal(
                shapely.intersection(
                    remaining, shapely.get_geometry(cells, position), grid_size=_PRECISION_M
                )
            )
            remaining = _polygonal(shapely.difference(remaining, cell, grid_size=_PRECISION_M))
            result.append((cell, idx[[position]]))
        rest = np.delete(idx, carve)
        if not job.indivisible[rest].any() and job.households[rest].sum() < job.low:
            orphans.add(len(result))
        result.append((remaining, rest))
    return result, orphans


def _adopt_orphans(leaves: list[tuple], orphans: set[int], job: _Job) -> list[tuple]:
    """Join each small remainder to a neighbour: one that stays within bounds, else a block."""
    leaves, gone = list(leaves), set()
    for i in sorted(orphans):
        near = [j for j in _neighbours(leaves, i) if j not in gone]
        size = job.households[leaves[i][1]].sum()
        blocks = [j for j in near if job.indivisible[leaves[j][1]].any()]
        fits = [
            j
            for j in near
            if j not in blocks
            and j not in orphans
            and job.households[leaves[j][1]].sum() + size <= job.high
        ]
        if near:
            j = (fits or blocks or near)[0]
            geom = _polygonal(shapely.union(leaves[j][0], leaves[i][0], grid_size=_PRECISION_M))
            leaves[j] = (geom, np.concatenate([leaves[j][1], leaves[i][1]]))
            gone.add(i)
    return [leaf for i, leaf in enumerate(leaves) if i not in gone]


def _merge_empty_parts(leaves: list[tuple], job: _Job) -> list[tuple]:
    """Hand parts without households to the neighbour sharing the longest boundary."""
    geoms = [geom for geom, _ in leaves]
    for i, (_, idx) in enumerate(leaves):
        parts = shapely.get_parts(geoms[i])
        if len(parts) < 2 or idx.size == 0:
            continue
        occupied = np.isin(np.arange(len(parts)), _part_of(parts, job.loc_points[idx]))
        kept = list(parts[occupied])
        for part in parts[~occupied]:
            j = _longest_shared_boundary(part, geoms, i)
            if j is None:  # touches no other piece along a line: an empty island stays
                kept.append(part)
            else:
                geoms[j] = _polygonal(shapely.union(geoms[j], part, grid_size=_PRECISION_M))
        geoms[i] = _combine(kept)
    return [(geom, idx) for geom, (_, idx) in zip(geoms, leaves, strict=True)]


def _longest_shared_boundary(part, geoms: list, own: int) -> int | None:
    shared = _shared_lengths(part, geoms)
    shared[own] = 0.0
    j = int(np.argmax(shared))
    return j if shared[j] > 0 else None


def _part_of(parts: np.ndarray, points: np.ndarray) -> np.ndarray:
    """The nearest part for each point: robust to points a hair outside after overlay."""
    return np.argmin(shapely.distance(parts[:, None], points[None, :]), axis=0)


def _combine(parts) -> shapely.Polygon | shapely.MultiPolygon:
    """Parts of one valid polygonal geometry, put back together without a union."""
    parts = list(parts)
    if not parts:
        return shapely.Polygon()
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def _polygonal(geom) -> shapely.Polygon | shapely.MultiPolygon:
    """Only the areal parts: overlays leave stray lines and points where pieces touch."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = shapely.get_parts(shapely.get_parts(geom))
    return _combine(p for p in parts if p.geom_type == "Polygon" and p.area > 0)


def _linear(geom) -> shapely.MultiLineString:
    parts = shapely.get_parts(shapely.get_parts(geom))
    return shapely.MultiLineString(
        [p for p in parts if p.geom_type == "LineString" and not p.is_empty]
    )


def _unit_piece(geom, idx: np.ndarray, loc_of_point: np.ndarray, weights) -> UnitPiece:
    members = np.flatnonzero(np.isin(loc_of_point, idx))
    return UnitPiece(geom, members, int(weights[members].sum()))
