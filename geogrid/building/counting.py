"""Where each household is counted when units are cut: its grid, and its point in that grid.

The builder and the validation both go through `counting_points`, so the households per
unit that validation recounts are measured on the very points the units were cut from:

1. Each household row belongs to the level-2 grid holding its point (on a shared edge,
   the grid with the lowest code; within 200 m of the county, the nearest grid).
2. A point a little outside its grid (projection rounding, a house on the county line)
   is counted at the nearest point of the grid.
3. Households at one location that number more than a unit may hold are counted at the
   building's entrances instead (entrances.py); a row may then have several points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely import STRtree

from geogrid.building.entrances import deal_rows, entrance_sizes, place_entrances

URBAN = "urban_block"  # the kind of a town grid: units and entrances follow its streets
NEAREST_GRID_M = 200.0  # households further than this from every grid are an error
_ON_EDGE_M = 1e-3  # a point this close to its unit (stored geometry round trip) is in it


@dataclass(frozen=True)
class CountingPoints:
    """Households as counted for cutting: point, households, source row and level-2 grid."""

    xy: np.ndarray  # (m, 2) projected metres
    households: np.ndarray  # (m,)
    row: np.ndarray  # (m,) index of the household row each came from
    grid: np.ndarray  # (m,) index of the level-2 grid, -1 for rows far from every grid
    unsplit: list[tuple[float, float, int]]  # (x, y, households) of blocks left whole


def counting_points(
    grids: Sequence[shapely.Geometry],
    codes: Sequence[str],
    streets: Sequence[shapely.Geometry | None],
    points: np.ndarray,
    weights: np.ndarray,
    *,
    target: int,
    high: int,
) -> CountingPoints:
    """Counting points of household rows `points`/`weights` in level-2 `grids` (projected).

    `streets[i]` are the centrelines inside grid i (None in the countryside): entrances
    keep clear of them as of the grid's edge.
    """
    if len(grids) == 0:
        return CountingPoints(points, weights, np.arange(len(points)), np.full(len(points), -1), [])
    order = np.argsort(np.asarray(codes), kind="stable")  # ties go to the lowest code
    owner = point_owners([grids[i] for i in order], points, nearest_within=NEAREST_GRID_M)
    owner = np.where(owner >= 0, order[np.maximum(owner, 0)], -1)
    parts, unsplit = [], []
    by_grid = np.argsort(owner, kind="stable")
    bounds = np.searchsorted(owner[by_grid], np.arange(-1, len(grids) + 1))
    for index in range(-1, len(grids)):
        rows = by_grid[bounds[index + 1] : bounds[index + 2]]
        if index < 0 or rows.size == 0:
            parts.append((points[rows], weights[rows], rows, np.full(rows.size, index)))
            continue
        xy = pulled_inside(grids[index], points[rows])
        part, left_whole = _grid_counting_points(
            grids[index], streets[index], xy, weights[rows], rows, target, high
        )
        parts.append((*part, np.full(len(part[0]), index)))
        unsplit += left_whole
    xy, households, row, grid = (np.concatenate(column) for column in zip(*parts, strict=True))
    return CountingPoints(xy.reshape(-1, 2), households.astype(np.int64), row, grid, unsplit)


def grid_streets(grids: Sequence, kinds: Sequence[str], streets: np.ndarray) -> list:
    """The street centrelines in each town grid, as one geometry (None in the countryside)."""
    tree = STRtree(streets)
    inside: list[shapely.Geometry | None] = []
    for grid, kind in zip(grids, kinds, strict=True):
        local = streets[tree.query(grid, predicate="intersects")] if kind == URBAN else []
        inside.append(shapely.union_all(local) if len(local) else None)
    return inside


def _grid_counting_points(grid, streets, xy, weights, rows, target: int, high: int):
    """(xy, households, rows) of one grid's counting points, and the blocks left whole."""
    locs, loc_of_row = np.unique(xy, axis=0, return_inverse=True)
    loc_of_row = loc_of_row.reshape(-1)
    totals = np.bincount(loc_of_row, weights=weights, minlength=len(locs)).astype(np.int64)
    big = np.flatnonzero(totals > high)
    if big.size == 0:
        return (xy, weights, rows), []
    obstacles = grid.boundary if streets is None else shapely.union(grid.boundary, streets)
    keep = ~np.isin(loc_of_row, big)
    out = [(xy[keep], weights[keep], rows[keep])]
    unsplit = []
    for loc in big:
        members = np.flatnonzero(loc_of_row == loc)
        sizes = entrance_sizes(int(totals[loc]), target=target, high=high)
        doors = place_entrances(locs[loc], len(sizes), obstacles)
        if doors is None:
            unsplit.append((float(locs[loc][0]), float(locs[loc][1]), int(totals[loc])))
            out.append((xy[members], weights[members], rows[members]))
            continue
        which, entrance, amount = deal_rows(weights[members], sizes)
        out.append((doors[entrance], amount, rows[members][which]))
    return tuple(np.concatenate(column) for column in zip(*out, strict=True)), unsplit


def point_owners(polygons: list, points: np.ndarray, nearest_within: float = 0.0) -> np.ndarray:
    """Index of the polygon each point is in (the lowest on a shared edge), else -1."""
    owner = np.full(len(points), -1, dtype=int)
    if len(points) == 0 or len(polygons) == 0:
        return owner
    tree = STRtree(np.array(polygons, dtype=object))
    geoms = shapely.points(points)
    point_idx, poly_idx = tree.query(geoms, predicate="intersects")
    order = np.lexsort((poly_idx, point_idx))  # lowest polygon first for each point
    point_idx, poly_idx = point_idx[order], poly_idx[order]
    first = np.unique(point_idx, return_index=True)[1]
    owner[point_idx[first]] = poly_idx[first]
    if nearest_within > 0 and (owner < 0).any():
        lost = np.flatnonzero(owner < 0)
        near_pt, near_poly = tree.query_nearest(
            geoms[lost], max_distance=nearest_within, all_matches=False
        )
        owner[lost[near_pt]] = near_poly
    return owner


def pulled_inside(grid, points: np.ndarray) -> np.ndarray:
    """Points outside `grid` moved to the nearest point of it (else a point inside it)."""
    geoms = shapely.points(points)
    outside = ~shapely.covers(grid, geoms)
    if not outside.any():
        return points
    moved = points.copy()
    inner = shapely.point_on_surface(grid)
    for i in np.flatnonzero(outside):
        end = shapely.get_coordinates(shapely.shortest_line(geoms[i], grid))[-1]
        moved[i] = end if shapely.covers(grid, shapely.Point(end)) else inner.coords[0]
    return moved


def unit_of_points(
    counting: CountingPoints, units: Sequence, unit_grid: np.ndarray, expected: np.ndarray
) -> np.ndarray:
    """Index of the unit holding each counting point, among its own grid's units; else -1.

    A point in no unit of its grid but within a millimetre of one is in the nearest (stored
    geometries come back through WGS-84). A point on the edge between units of its grid (a
    house on a street the units follow) could be in either: it goes to the first of them
    still short of its `expected` households, so a recount finds what the cutter did.
    """
    unit_of = np.full(len(counting.xy), -1, dtype=int)
    if len(units) == 0 or len(counting.xy) == 0:
        return unit_of
    units = np.asarray(units, dtype=object)
    tree, points = STRtree(units), shapely.points(counting.xy)
    point_idx, unit_idx = _own_matches(
        tree.query(points, predicate="intersects"), counting, unit_grid
    )
    candidates = np.bincount(point_idx, minlength=len(unit_of))
    sure = candidates[point_idx] == 1
    unit_of[point_idx[sure]] = unit_idx[sure]
    lost = np.flatnonzero(candidates == 0)
    near = tree.query(points[lost], predicate="dwithin", distance=_ON_EDGE_M)
    near_point, near_unit = _own_matches(near, counting, unit_grid, lost)
    gap = shapely.distance(points[lost][near_point], units[near_unit])
    for i in np.argsort(-gap, kind="stable"):  # the nearest unit is written last and wins
        unit_of[lost[near_point[i]]] = near_unit[i]
    _settle_edge_points(unit_of, point_idx[~sure], unit_idx[~sure], counting, expected)
    return unit_of


def _settle_edge_points(unit_of, point_idx, unit_idx, counting, expected) -> None:
    """Give each point on an edge (sorted pairs with its units) the first unit short of it."""
    placed = unit_of >= 0
    short = expected - np.bincount(
        unit_of[placed], counting.households[placed], minlength=len(expected)
    )
    for point in np.unique(point_idx):
        options = unit_idx[
            np.searchsorted(point_idx, point) : np.searchsorted(point_idx, point + 1)
        ]
        fits = options[short[options] >= counting.households[point]]
        unit_of[point] = fits[0] if len(fits) else options[0]
        short[unit_of[point]] -= counting.households[point]


def _own_matches(pairs: np.ndarray, counting: CountingPoints, unit_grid, subset=None):
    """(point, unit) pairs from a tree query, kept where the unit is in the point's grid."""
    point_idx, unit_idx = pairs
    grid = counting.grid if subset is None else counting.grid[subset]
    own = unit_grid[unit_idx] == grid[point_idx]
    point_idx, unit_idx = point_idx[own], unit_idx[own]
    order = np.lexsort((unit_idx, point_idx))
    return point_idx[order], unit_idx[order]
