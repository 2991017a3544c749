"""Making a clean partition of a parent polygon from pieces drawn by hand.

Digitised boundaries never meet exactly: neighbours overlap by centimetres and leave slivers
between them. Within a tolerance these are snapped away (overlaps go to the first piece in
code order, gaps to the neighbour sharing the longest edge); larger ones are reported with
their location and size. All work is in projected metres.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely import STRtree

from geogrid.geo.polygons import polygonal

GAP, OVERLAP, OUTSIDE = "gap", "overlap", "outside"


@dataclass(frozen=True)
class PartitionIssue:
    """A gap, overlap or part outside the parent, where and how big, and whether fixed."""

    kind: str
    area_m2: float
    x: float
    y: float
    pieces: tuple[int, ...]
    within_tolerance: bool
    fixed: bool


def partition_within(
    parent: shapely.Geometry,
    pieces: list[shapely.Geometry],
    *,
    tolerance_m: float = 1.0,
    fill_large_gaps: bool = False,
) -> tuple[list[shapely.Geometry], list[PartitionIssue]]:
    """Clip pieces to the parent and make them cover it once, reporting what was changed.

    Gaps and overlaps narrower than `tolerance_m` are fixed quietly (but listed); larger
    overlaps go to the earlier piece and larger gaps are filled only when `fill_large_gaps`.
    """
    issues: list[PartitionIssue] = []
    geoms = np.array(pieces, dtype=object)
    _report_outside(parent, geoms, tolerance_m, issues)
    clipped = shapely.make_valid(shapely.intersection(geoms, parent))
    clipped = np.array([polygonal(g) for g in clipped], dtype=object)
    exclusive = _remove_overlaps(clipped, tolerance_m, issues)
    filled = _fill_gaps(parent, exclusive, tolerance_m, fill_large_gaps, issues)
    return list(filled), issues


def _report_outside(parent, geoms: np.ndarray, tolerance_m: float, issues: list) -> None:
    outside = shapely.difference(geoms, parent)
    for i, part in enumerate(outside):
        if part.is_empty or part.area == 0:
            continue
        thin = _thin(part, tolerance_m)
        if not thin:
            issues.append(_issue(OUTSIDE, part, (i,), thin, fixed=True))


def _remove_overlaps(clipped: np.ndarray, tolerance_m: float, issues: list) -> np.ndarray:
    tree = STRtree(clipped)
    result = clipped.copy()
    for i, geom in enumerate(clipped):
        earlier = [j for j in tree.query(geom, predicate="intersects") if j < i]
        if not earlier:
            continue
        taken = shapely.union_all(result[earlier])
        overlap = shapely.intersection(geom, taken)
        if overlap.area > 0:
            owners = tuple(int(j) for j in earlier if result[j].intersection(overlap).area > 0)
            issues.append(_issue(OVERLAP, overlap, (*owners, i), _thin(overlap, tolerance_m)))
            result[i] = polygonal(shapely.difference(geom, taken))
    return result


def _fill_gaps(parent, pieces: np.ndarray, tolerance_m: float, fill_large: bool, issues: list):
    gaps = shapely.difference(parent, shapely.union_all(pieces))
    parts = [g for g in shapely.get_parts(polygonal(gaps)) if g.area > 0]
    if not parts:
        return pieces
    tree = STRtree(pieces)
    result = pieces.copy()
    for gap in parts:
        thin = _thin(gap, tolerance_m)
        neighbour = _longest_shared_edge(gap, result, tree, tolerance_m)
        fixed = neighbour is not None and (thin or fill_large)
        if fixed:
            result[neighbour] = polygonal(shapely.union(result[neighbour], gap))
        touching = () if neighbour is None else (neighbour,)
        issues.append(_issue(GAP, gap, touching, thin, fixed=fixed))
    return result


def _longest_shared_edge(gap, pieces: np.ndarray, tree: STRtree, tolerance_m: float) -> int | None:
    near = tree.query(shapely.buffer(gap, tolerance_m), predicate="intersects")
    if len(near) == 0:
        return None
    edge = shapely.buffer(gap.boundary, tolerance_m)
    shared = shapely.length(shapely.intersection(shapely.boundary(pieces[near]), edge))
    return int(near[int(np.argmax(shared))])


def _thin(geom, tolerance_m: float) -> bool:
    """Narrower than the tolerance everywhere: shrinking by half of it leaves nothing."""
    return bool(shapely.buffer(geom, -tolerance_m / 2).is_empty)


def _issue(kind: str, geom, pieces: tuple[int, ...], thin: bool, fixed: bool = True):
    where = shapely.point_on_surface(geom)
    return PartitionIssue(kind, float(geom.area), where.x, where.y, pieces, thin, fixed)
