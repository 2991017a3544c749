"""Overlay helpers shared by the steps that cut level-2 grids into units.

Overlays snap to a fixed precision: with it GEOS removes the zero-width spikes that
floating-point cuts along an existing edge leave, and which derail later overlays.
"""

from __future__ import annotations

import numpy as np
import shapely

from geogrid.geo.polygons import polygonal

PRECISION_M = 1e-9


def linear(geom) -> shapely.MultiLineString:
    """Only the line parts of an overlay result, as one MultiLineString."""
    parts = shapely.get_parts(shapely.get_parts(geom))
    return shapely.MultiLineString(
        [p for p in parts if p.geom_type == "LineString" and not p.is_empty]
    )


def union(a, b) -> shapely.Polygon | shapely.MultiPolygon:
    """The areal union of two neighbouring pieces, at the fixed precision."""
    return polygonal(shapely.union(a, b, grid_size=PRECISION_M))


def part_of(parts: np.ndarray, points: np.ndarray) -> np.ndarray:
    """The nearest part for each point: robust to points a hair outside after overlay."""
    return np.argmin(shapely.distance(parts[:, None], points[None, :]), axis=0)


def shared_lengths(geom, geoms: list) -> np.ndarray:
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


def neighbours(leaves: list[tuple], i: int) -> np.ndarray:
    """Leaves sharing a stretch of boundary with leaf i, the longest shared first."""
    shared = shared_lengths(leaves[i][0], [geom for geom, _ in leaves])
    shared[i] = 0.0
    order = np.argsort(-shared, kind="stable")
    return order[shared[order] > 0]
