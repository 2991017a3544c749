"""Polygon cleaning: the areal parts of an overlay's result, and repairs of invalid polygons.

An intersection, difference or union of polygons that touch can return a collection with
stray lines and points where they touch, and `make_valid` can do the same; grids are areas,
so every package keeps only the areal parts, with the one rule written here.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import shapely


def polygonal(geom: shapely.Geometry | None) -> shapely.Polygon | shapely.MultiPolygon | None:
    """Only the areal parts (with area) of a geometry; a Polygon or MultiPolygon is kept as is."""
    if geom is None or geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = shapely.get_parts(shapely.get_parts(geom))  # collections may hold multi-parts
    return combine(p for p in parts if p.geom_type == "Polygon" and p.area > 0)


def combine(parts: Iterable[shapely.Polygon]) -> shapely.Polygon | shapely.MultiPolygon:
    """Parts of one valid polygonal geometry, put back together without a union.

    An overlay's parts never overlap, so a union would only cost time and re-order vertices.
    """
    parts = list(parts)
    if not parts:
        return shapely.Polygon()
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def valid_polygons(geoms: np.ndarray) -> np.ndarray:
    """The polygons, each invalid one repaired by `make_valid` and kept to its areal parts."""
    bad = ~shapely.is_valid(geoms)
    if not bad.any():
        return geoms
    geoms = geoms.copy()
    geoms[bad] = [polygonal(g) for g in shapely.make_valid(geoms[bad])]
    return geoms
