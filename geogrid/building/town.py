"""Level-2 grids in town (二级网格): street blocks of a community merged to ~1,500 households.

Grid boundaries run along street centrelines (街路巷) or the community boundary:

1. `street_blocks` nodes the streets (real data is not split at crossings), closes near
   misses by joining a dangling end to the nearest line ahead of it within `snap_m`,
   polygonizes the network together with the community boundary and keeps the faces
   inside, so the blocks partition the community. Slivers (tiny or thin faces from
   near-parallel lines) join the neighbour with which they share the longest boundary.
2. `merge_blocks_into_grids` grows regions of adjacent blocks from the north-west until
   they reach the target households, then folds regions that stay too small into a
   neighbour. Grids are unions of whole blocks, so they partition the community too.

Coordinates are projected metres (the caller projects to EPSG:4549). Pure: no database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import shapely
from shapely import LineString, MultiLineString, MultiPolygon, Polygon, STRtree

from geogrid.building.dangles import dangle_connectors
from geogrid.vocabulary import TOWN_GRID_HOUSEHOLDS

# Blocks sharing less boundary than this touch at a corner only and are not neighbours.
_MIN_SHARED_M = 1e-3


@dataclass(frozen=True)
class TownGrid:
    """One level-2 town grid: the union of whole street blocks and their households."""

    geometry: Polygon | MultiPolygon
    block_ids: tuple[int, ...]
    households: int


def street_blocks(
    community: Polygon | MultiPolygon,
    streets: np.ndarray | Sequence[LineString | MultiLineString],
    *,
    snap_m: float = 15.0,
    min_block_m2: float = 200.0,
    min_width_m: float = 5.0,
) -> list[Polygon]:
    """Cut `community` into the blocks its streets enclose; the blocks partition it.

    Streets need not be split at crossings. A dangling end within `snap_m` of another
    line (or of the community boundary) ahead of it is joined to the nearest point of
    that line; ends farther away bound nothing. Blocks under `min_block_m2`, or narrower
    than `min_width_m` everywhere (a centreline drawn just inside the boundary), join the
    neighbour sharing the longest boundary. Blocks come north first, then west first.

    Raises ValueError, naming the argument, for an empty or invalid community or a
    negative tolerance.
    """
    _check_arguments(community, snap_m=snap_m, min_block_m2=min_block_m2, min_width_m=min_width_m)
    lines = _street_lines(streets, community, margin=snap_m + 1.0)
    # Union nodes the network: every crossing becomes a vertex shared by both lines.
    edges = shapely.get_parts(shapely.union_all([*lines, community.boundary]))
    connectors = dangle_connectors(edges, community, snap_m)
    if connectors:
        edges = shapely.get_parts(shapely.union_all([*edges, *connectors]))
    faces = shapely.get_parts(shapely.polygonize(edges))
    # The boundary is part of the network, so each face is wholly inside or outside.
    inside = faces[shapely.within(shapely.point_on_surface(faces), community)]
    blocks = _merge_slivers(inside, min_block_m2, min_width_m)
    return _north_west_first(blocks)


def _check_arguments(community, **tolerances: float) -> None:
    if not isinstance(community, Polygon | MultiPolygon) or community.is_empty:
        raise ValueError(f"community must be a non-empty (Multi)Polygon, got {community!r:.60}")
    if not community.is_valid:
        raise ValueError(f"community is not valid: {shapely.is_valid_reason(community)}")
    for name, value in tolerances.items():
        if not value >= 0:  # also refuses NaN
            raise ValueError(f"{name} must be >= 0, got {value!r}")


def _street_lines(streets, community, margin: float) -> np.ndarray:
    """The single lines of `streets` near the community, cut to a box around it.

    Lines are cut to a box rather than to the community itself: cut ends would sit a
    rounding error off the boundary and leave the edge blocks open.
    """
    geoms = np.asarray(list(streets) if not isinstance(streets, np.ndarray) else streets,
                       dtype=object).reshape(-1)  # fmt: skip
    geoms = geoms[~shapely.is_missing(geoms)]
    if not len(geoms):
        return geoms
    x0, y0, x1, y1 = community.bounds
    near = shapely.clip_by_rect(geoms, x0 - margin, y0 - margin, x1 + margin, y1 + margin)
    parts = shapely.get_parts(shapely.force_2d(near))
    lines = parts[np.isin(shapely.get_type_id(parts), (1, 2))]  # LineString, LinearRing
    return lines[~shapely.is_empty(lines) & (shapely.length(lines) > 0)]


def _merge_slivers(faces: np.ndarray, min_area: float, min_width: float) -> list[Polygon]:
    """Fold each sliver, smallest first, into the neighbour sharing the most boundary."""
    blocks = np.array(faces, dtype=object)
    alive = np.ones(len(blocks), dtype=bool)
    sliver = _is_sliver(blocks, min_area, min_width)
    while True:
        waiting = np.flatnonzero(alive & sliver)
        if not len(waiting):
            break
        i = int(waiting[np.argmin(shapely.area(blocks[waiting]))])
        j = _longest_shared_boundary(blocks, alive, i)
        sliver[i] = False  # merged now, or without neighbour for good
        if j is None:
            continue
        blocks[j], alive[i] = shapely.union(blocks[j], blocks[i]), False
        sliver[j] = _is_sliver(blocks[j : j + 1], min_area, min_width)[0]
    return list(blocks[alive])


def _is_sliver(blocks: np.ndarray, min_area: float, min_width: float) -> np.ndarray:
    area, perimeter = shapely.area(blocks), shapely.length(blocks)
    small = area < min_area
    # Buffering is slow, so only elongated blocks are tried: a strip w wide has
    # 2 * area / perimeter < w; twice that leaves room for bends.
    maybe_thin = ~small & (2 * area < 2 * min_width * perimeter)
    thin = np.zeros(len(blocks), dtype=bool)
    if min_width > 0 and maybe_thin.any():
        thin[maybe_thin] = shapely.is_empty(shapely.buffer(blocks[maybe_thin], -min_width / 2))
    return small | thin


def _longest_shared_boundary(blocks: np.ndarray, alive: np.ndarray, i: int) -> int | None:
    others = np.flatnonzero(alive)
    others = others[(others != i) & shapely.intersects(blocks[others], blocks[i])]
    if not len(others):
        return None
    shared = shapely.length(
        shapely.intersection(shapely.boundary(blocks[others]), blocks[i].boundary)
    )
    if shared.max() <= _MIN_SHARED_M:
        return None
    return int(others[np.argmax(shared)])  # argmax: the lowest index among equals


def _north_west_first(blocks: list[Polygon]) -> list[Polygon]:
    xy = shapely.get_coordinates(shapely.point_on_surface(np.array(blocks, dtype=object)))
    order = np.lexsort((xy[:, 0], -xy[:, 1]))
    return [blocks[i] for i in order]


def merge_blocks_into_grids(
    blocks: list[Polygon],
    households: np.ndarray,
    *,
    target: int = TOWN_GRID_HOUSEHOLDS,
    minimum: int | None = None,
) -> list[TownGrid]:
    """Merge adjacent blocks into grids of about `target` households each.

    Regions grow from the unassigned block farthest north-west, each time taking the
    neighbouring block (sharing a boundary, not a corner) that keeps the region most
    compact, until they reach `target`, or would move farther from it once they have
    `minimum` (default `target // 3`). Regions left under `minimum` join the adjacent grid
    with the fewest households (the nearest grid if none is adjacent: a disconnected
    community). Fewer than `target` households in all give one grid. Every block is in
    exactly one grid; blocks without households are covered too.

    Raises ValueError, naming the argument, for households not matching the blocks,
    negative or fractional households, or a target below 1.
    """
    counts = _checked_households(blocks, households, target)
    minimum = target // 3 if minimum is None else minimum
    if not blocks:
        return []
    geoms = np.array(blocks, dtype=object)
    if counts.sum() < target:
        return [_town_grid(geoms, list(range(len(geoms))), counts)]
    neighbours = _neighbour_lengths(geoms)
    regions = _grow_regions(geoms, counts, neighbours, target, minimum)
    regions = _absorb_small_regions(geoms, regions, counts, neighbours, minimum)
    return [_town_grid(geoms, region, counts) for region in regions]


def _checked_households(blocks, households, target: int) -> np.ndarray:
    if any(not isinstance(b, Polygon | MultiPolygon) or b.is_empty for b in blocks):
        raise ValueError("blocks must all be non-empty (Multi)Polygons")
    counts = np.asarray(households).reshape(-1)
    if len(counts) != len(blocks):
        raise ValueError(f"households has {len(counts)} values for {len(blocks)} blocks")
    if len(counts) and (np.any(counts < 0) or np.any(counts != np.round(counts))):
        raise ValueError("households must be whole numbers >= 0")
    if target < 1:
        raise ValueError(f"target must be >= 1, got {target!r}")
    return counts.astype(np.int64)


def _neighbour_lengths(geoms: np.ndarray) -> list[dict[int, float]]:
    """For each block, the blocks sharing a boundary of positive length, and its length."""
    left, right = STRtree(geoms).query(geoms, predicate="intersects")
    pairs = left < right
    left, right = left[pairs], right[pairs]
    shared = shapely.length(
        shapely.intersection(shapely.boundary(geoms[left]), shapely.boundary(geoms[right]))
    )
    neighbours: list[dict[int, float]] = [{} for _ in geoms]
    for a, b, length in zip(left.tolist(), right.tolist(), shared.tolist(), strict=True):
        if length > _MIN_SHARED_M:
            neighbours[a][b] = neighbours[b][a] = length
    return neighbours


class _Moments(NamedTuple):
    """Area and first and second moments of area of each block, about one nearby origin."""

    area: np.ndarray  # (n,)
    first: np.ndarray  # (n, 2): area times centroid
    second: np.ndarray  # (n,): polar moment Ix + Iy


def _block_moments(geoms: np.ndarray) -> _Moments:
    """Moments of each block by the shoelace rule, about the mean vertex.

    Near the origin, the moments of a region can be added up and its spread recovered
    without cancellation (northings of ~4e6 m squared would swamp block-sized numbers).
    """
    parts, owner = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(shapely.orient_polygons(parts), return_index=True)
    xy, ring_of = shapely.get_coordinates(rings, return_index=True)
    xy = xy - xy.mean(axis=0)
    same = ring_of[:-1] == ring_of[1:]  # consecutive vertices of one ring
    (x0, y0), (x1, y1) = xy[:-1][same].T, xy[1:][same].T
    cross = x0 * y1 - x1 * y0  # shells run counter-clockwise, holes clockwise: signs add up
    block = owner[ring_part][ring_of[:-1][same]]

    def summed(values: np.ndarray) -> np.ndarray:
        return np.bincount(block, cross * values, minlength=len(geoms))

    return _Moments(
        summed(np.full_like(cross, 0.5)),
        np.column_stack([summed((x0 + x1) / 6), summed((y0 + y1) / 6)]),
        summed((x0 * x0 + x0 * x1 + x1 * x1 + y0 * y0 + y0 * y1 + y1 * y1) / 12),
    )


def _spread(area: float, first: np.ndarray, second: float) -> float:
    """Polar moment about the centroid over area squared: 1/6 for a square, more if straggly.

    Unlike perimeter² / area it tells an L of three blocks from a row of three, so
    regions grow into squares rather than strips.
    """
    return (second - float(first @ first) / area) / area**2


def _grow_regions(geoms, counts, neighbours, target: int, minimum: int) -> list[list[int]]:
    moments = _block_moments(geoms)
    centre = moments.first / moments.area[:, None]
    # Farthest north-west first: the largest y - x; the lowest index among equals.
    seeds = np.lexsort((np.arange(len(geoms)), centre[:, 0] - centre[:, 1]))
    assigned = np.zeros(len(geoms), dtype=bool)
    regions = []
    for seed in seeds.tolist():
        if not assigned[seed]:
            grown = _grow_region(seed, assigned, counts, neighbours, moments, (target, minimum))
            regions.append(grown)
    return regions


def _grow_region(seed, assigned, counts, neighbours, moments, sizes) -> list[int]:
    """Grow one region from `seed`, adding the neighbour that keeps it most compact."""
    target, minimum = sizes
    region, assigned[seed] = [seed], True
    total = int(counts[seed])
    area, first, second = (float(moments.area[seed]), moments.first[seed].copy(),
                           float(moments.second[seed]))  # fmt: skip
    frontier = {n for n in neighbours[seed] if not assigned[n]}

    def spread_with(b: int) -> float:
        return _spread(area + moments.area[b], first + moments.first[b], second + moments.second[b])

    while total < target and frontier:
        best = min(frontier, key=lambda b: (spread_with(b), b))
        if total >= minimum and abs(total + counts[best] - target) > target - total:
            break  # closer to the target without it; it seeds a later region
        area, second = area + moments.area[best], second + moments.second[best]
        first = first + moments.first[best]
        total += int(counts[best])
        region.append(best)
        assigned[best] = True
        frontier.discard(best)
        frontier.update(n for n in neighbours[best] if not assigned[n])
    return region


def _absorb_small_regions(geoms, regions, counts, neighbours, minimum: int) -> list[list[int]]:
    """Fold regions under `minimum`, smallest first, into a neighbouring region."""
    regions = [list(r) for r in regions]
    owner = np.empty(len(geoms), dtype=int)
    for r, region in enumerate(regions):
        owner[region] = r
    while True:
        live = [r for r, region in enumerate(regions) if region]
        totals = {r: int(counts[regions[r]].sum()) for r in live}
        small = [r for r in live if totals[r] < minimum]
        if len(live) < 2 or not small:
            break
        r = min(small, key=lambda s: (totals[s], s))
        into = _adjacent_fewest(regions[r], r, owner, neighbours, totals)
        if into is None:
            into = _nearest_region(geoms, regions[r], r, owner)
        owner[regions[r]] = into
        regions[into] += regions[r]
        regions[r] = []
    return [r for r in regions if r]


def _adjacent_fewest(region, r: int, owner, neighbours, totals) -> int | None:
    shared: dict[int, float] = {}
    for b in region:
        for n, s in neighbours[b].items():
            if owner[n] != r:
                shared[int(owner[n])] = shared.get(int(owner[n]), 0.0) + s
    if not shared:
        return None
    return min(shared, key=lambda o: (totals[o], -shared[o], o))


def _nearest_region(geoms, region, r: int, owner) -> int:
    others = np.flatnonzero(owner != r)
    distance = shapely.distance(geoms[others], shapely.union_all(geoms[region]))
    return int(owner[others[np.argmin(distance)]])


def _town_grid(geoms: np.ndarray, region: list[int], counts: np.ndarray) -> TownGrid:
    ids = tuple(sorted(int(b) for b in region))
    return TownGrid(shapely.union_all(geoms[list(ids)]), ids, int(counts[list(ids)].sum()))
