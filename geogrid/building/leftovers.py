"""Tidying the leaves of the bisection: indivisible blocks, small remainders, empty parts.

A location with more than `high` households (an apartment block counted at one point)
cannot be divided. If it still shares a leaf, its Voronoi cell inside that leaf is carved
out, and what is left, if too small to be a unit, joins a neighbour. Parts of a leaf
without households join the neighbour sharing the longest boundary.
"""

from __future__ import annotations

import numpy as np
import shapely

from geogrid.building.cutting import CutJob
from geogrid.building.unit_geometry import PRECISION_M, neighbours, part_of, shared_lengths, union
from geogrid.geo.polygons import combine, polygonal


def isolate_indivisible(leaves: list[tuple], job: CutJob) -> tuple[list[tuple], set[int]]:
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
            cell = polygonal(
                shapely.intersection(
                    remaining, shapely.get_geometry(cells, position), grid_size=PRECISION_M
                )
            )
            remaining = polygonal(shapely.difference(remaining, cell, grid_size=PRECISION_M))
            result.append((cell, idx[[position]]))
        rest = np.delete(idx, carve)
        if not job.indivisible[rest].any() and job.households[rest].sum() < job.low:
            orphans.add(len(result))
        result.append((remaining, rest))
    return result, orphans


def adopt_orphans(leaves: list[tuple], orphans: set[int], job: CutJob) -> list[tuple]:
    """Join each small remainder to a neighbour: one that stays within bounds, else a block."""
    leaves, gone = list(leaves), set()
    for i in sorted(orphans):
        near = [j for j in neighbours(leaves, i) if j not in gone]
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
            geom = union(leaves[j][0], leaves[i][0])
            leaves[j] = (geom, np.concatenate([leaves[j][1], leaves[i][1]]))
            gone.add(i)
    return [leaf for i, leaf in enumerate(leaves) if i not in gone]


def merge_empty_parts(leaves: list[tuple], job: CutJob) -> list[tuple]:
    """Hand parts without households to the neighbour sharing the longest boundary."""
    geoms = [geom for geom, _ in leaves]
    for i, (_, idx) in enumerate(leaves):
        parts = shapely.get_parts(geoms[i])
        if len(parts) < 2 or idx.size == 0:
            continue
        occupied = np.isin(np.arange(len(parts)), part_of(parts, job.loc_points[idx]))
        kept = list(parts[occupied])
        for part in parts[~occupied]:
            j = _longest_shared_boundary(part, geoms, i)
            if j is None:  # touches no other piece along a line: an empty island stays
                kept.append(part)
            else:
                geoms[j] = union(geoms[j], part)
        geoms[i] = combine(kept)
    return [(geom, idx) for geom, (_, idx) in zip(geoms, leaves, strict=True)]


def _longest_shared_boundary(part, geoms: list, own: int) -> int | None:
    shared = shared_lengths(part, geoms)
    shared[own] = 0.0
    j = int(np.argmax(shared))
    return j if shared[j] > 0 else None


# A part of a unit smaller than this is a sliver, not a second part: cutting and snapping
# leave such crumbs, and validation lets them through (validate.py).
SPLIT_SLIVER_M2 = 1.0
# A detached part of a village smaller than this is a crumb of digitising, not an exclave.
VILLAGE_CRUMB_M2 = 100.0


def hand_crumbs_to_neighbours(geoms: list, crumb_m2: float = VILLAGE_CRUMB_M2) -> list:
    """Detached parts below crumb_m2 (never the largest) join the piece they border most.

    Villages clipped to their community keep crumbs where neighbours were digitised apart;
    left in place, each would become a level-3 unit of its own or a unit in two parts.
    """
    geoms = list(geoms)
    for i in range(len(geoms)):
        parts = shapely.get_parts(geoms[i])
        if len(parts) < 2:
            continue
        areas = shapely.area(parts)
        main = int(np.argmax(areas))
        kept = [k for k in range(len(parts)) if k == main or areas[k] >= crumb_m2]
        for k in np.flatnonzero(areas < crumb_m2):
            j = None if k == main else _longest_shared_boundary(parts[k], geoms, i)
            if j is not None:
                geoms[j] = _merged(geoms[j], parts[k])
            elif k != main:
                kept.append(int(k))
        geoms[i] = combine(parts[sorted(kept)])
    return geoms


def join_detached_parts(
    geoms: list, members: list[np.ndarray], xy: np.ndarray, households: np.ndarray, low: int
) -> tuple[list, list[np.ndarray]]:
    """Units of one connected polygon: each detached part goes to a neighbour or stands alone.

    `members[i]` are the rows of `xy`/`households` in unit i. A straight cut through a bent
    grid leaves a unit in two parts, and a corridor a hair wide (narrower than the output
    precision) joins two lobes until the output snap removes it. So this runs on the snapped
    units: the part with most households stays, another part with at least `low` households
    becomes a unit of its own, a smaller one joins the unit sharing its longest boundary
    (or stands alone if none does: an island of a level-2 grid in parts).
    """
    geoms, members = list(geoms), [np.asarray(m) for m in members]
    for i in range(len(geoms)):
        parts = shapely.get_parts(geoms[i])
        if len(parts) < 2:
            continue
        owner = _owning_part(parts, xy[members[i]])
        load = np.bincount(owner, households[members[i]], minlength=len(parts))
        main = int(np.lexsort((-shapely.area(parts), -load))[0])
        keep = [main]
        for k in np.delete(np.arange(len(parts)), main):
            mine = members[i][owner == k]
            j = None if load[k] >= low else _longest_shared_boundary(parts[k], geoms, i)
            if j is None and load[k] == 0 and shapely.area(parts[k]) < SPLIT_SLIVER_M2:
                keep.append(k)  # an empty sliver nothing borders: not worth a unit
            elif j is None:  # big enough, or an island of a grid in parts that nothing borders
                geoms.append(parts[k])
                members.append(mine)
            else:
                geoms[j] = _merged(geoms[j], parts[k])
                members[j] = np.concatenate([members[j], mine])
        geoms[i] = combine(parts[sorted(keep)])
        members[i] = members[i][np.isin(owner, keep)]
    return geoms, members


def _owning_part(parts: np.ndarray, xy: np.ndarray) -> np.ndarray:
    if len(xy) == 0:
        return np.zeros(0, dtype=int)
    return part_of(parts, shapely.points(xy))


def _merged(a, b):
    """Union at full precision: these run on county coordinates (~4e6 m), where the 1e-9 m
    grid of `union` is finer than a double resolves; the builder snaps the result after."""
    return polygonal(shapely.union(a, b))
