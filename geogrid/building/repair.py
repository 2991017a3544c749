"""Repair after bisection: a leaf outside the size bounds is cut anew with its neighbours.

A leaf outside `low`..`high` is bisected again together with one or two neighbours when
that brings the group nearer the bounds; the count of leaves does not change.
"""

from __future__ import annotations

import numpy as np
import shapely

from geogrid.building.bisection import bisect
from geogrid.building.cutting import CutJob, best_gap
from geogrid.building.unit_geometry import PRECISION_M, neighbours
from geogrid.geo.polygons import polygonal

# Rounds over all leaves, neighbours tried per leaf, and a cap on fruitless re-cuts that
# bounds the time on grids with many blocks that no re-cut can help.
_REPAIR_ROUNDS = 6
_REPAIR_NEIGHBOURS = 6
_REPAIR_MAX_FAILED = 120


def repair(leaves: list[tuple], job: CutJob) -> list[tuple]:
    """Re-cut small groups of neighbouring leaves where that brings them nearer the bounds."""
    leaves, failed = list(leaves), set()
    for _ in range(_REPAIR_ROUNDS):
        changed = False
        for i in range(len(leaves)):
            if badness(leaves[i][1], job) > 0 and len(failed) < _REPAIR_MAX_FAILED:
                changed = _repair_around(leaves, i, failed, job) or changed
        if not changed:
            break
    return leaves


def _repair_around(leaves: list[tuple], i: int, failed: set, job: CutJob) -> bool:
    """Re-cut leaf i with one neighbour, else with two; True if the leaves were changed.

    Groups that did not improve are remembered in `failed` (by their points) and skipped.
    """
    near = [int(j) for j in neighbours(leaves, i)[:_REPAIR_NEIGHBOURS]]
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


def _recut_group(group: list[tuple], job: CutJob) -> list[tuple] | None:
    """The group bisected anew from its union, if that lowers its badness."""
    geoms, idx = [geom for geom, _ in group], np.concatenate([i for _, i in group])
    before = sum(badness(leaf_idx, job) for _, leaf_idx in group)
    box = shapely.bounds(geoms)
    bounds = (*box[:, :2].min(axis=0), *box[:, 2:].max(axis=0))
    if _least_badness(idx, len(group), job) >= before or (
        sum(badness(i, job) for i in _plan(idx, len(group), bounds, job)) >= before
    ):
        return None  # not even the cheap plan on points alone helps: spare the geometry
    region = polygonal(shapely.union_all(geoms, grid_size=PRECISION_M))
    if job.streets is not None:  # streets on shared boundaries count twice in the leaves
        inside = shapely.length(shapely.intersection(job.streets, [region, *geoms]))
        if inside[1:].sum() - inside[0] > 1.0:
            return None  # the group meets along a street, which should stay a boundary
    recut = bisect(region, idx, len(group), job)
    after = sum(badness(leaf_idx, job) for _, leaf_idx in recut)
    parts = shapely.get_num_geometries([geom for geom, _ in recut]).sum()
    if (
        len(recut) != len(group)
        or after >= before
        or parts > shapely.get_num_geometries(geoms).sum()
    ):
        return None  # no better, or less contiguous than before
    return recut


def _least_badness(idx: np.ndarray, units: int, job: CutJob) -> float:
    """A lower bound of the badness of any `units` leaves holding these points."""
    blocks = int(job.indivisible[idx].sum())
    light = float(job.households[idx][~job.indivisible[idx]].sum())
    units = units - blocks  # the best case gives every block a unit of its own
    if units <= 0:
        return light
    return max(units * job.low - light, light - units * job.high, 0.0)


def _plan(idx: np.ndarray, units: int, bounds, job: CutJob) -> list[np.ndarray]:
    """The leaves straight cuts would make, on points alone (bounds kept from the parent)."""
    best = best_gap(idx, units, bounds, job) if units > 1 else None
    if best is None:
        return [idx]
    _, normal, position, k1 = best
    left = job.locs[idx] @ normal <= position
    return _plan(idx[left], k1, bounds, job) + _plan(idx[~left], units - k1, bounds, job)


def badness(idx: np.ndarray, job: CutJob) -> float:
    """Households outside the bounds; for a block sharing its piece, the others' households."""
    households = job.households[idx]
    heavy = job.indivisible[idx]
    if heavy.any():
        return float(households[~heavy].sum())
    total = float(households.sum())
    return max(job.low - total, total - job.high, 0.0)
