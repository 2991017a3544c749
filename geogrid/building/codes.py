"""Grid codes: numbered in reading order inside the parent, stable across rebuilds.

Children are numbered west to east along rows that run north to south (the way a map is
read), three digits each under the parent's code. A grid whose geometry did not change since
the previous version keeps its code; new grids take the free numbers in reading order.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np
import shapely

CHILD_DIGITS = 3
KEY_PRECISION_DEG = 1e-7  # about 1 cm: coordinates that round alike are the same geometry


def geometry_key(geom: shapely.Geometry) -> str:
    """A fingerprint of a geometry that ignores vertex order and sub-centimetre noise."""
    snapped = shapely.normalize(shapely.set_precision(geom, KEY_PRECISION_DEG, mode="pointwise"))
    return hashlib.sha1(shapely.to_wkb(snapped)).hexdigest()


def reading_order(points: np.ndarray) -> np.ndarray:
    """Indices of points ordered north-to-south by row, west-to-east within each row."""
    count = len(points)
    if count <= 1:
        return np.arange(count)
    rows = max(1, round(math.sqrt(count)))
    top, bottom = points[:, 1].max(), points[:, 1].min()
    height = (top - bottom) / rows or 1.0
    row = np.minimum(((top - points[:, 1]) / height).astype(int), rows - 1)
    return np.lexsort((points[:, 0], row))


def child_codes(
    parent_code: str,
    geometries: list[shapely.Geometry],
    previous: dict[str, str] | None = None,
) -> list[str]:
    """Codes for the children of one parent; `previous` maps geometry_key -> old code."""
    previous = previous or {}
    keys = [geometry_key(g) for g in geometries]
    codes: list[str | None] = [
        previous.get(k) if previous.get(k, "").startswith(parent_code) else None for k in keys
    ]
    taken = {int(c[len(parent_code) :]) for c in codes if c is not None}
    anchors = shapely.get_coordinates(shapely.point_on_surface(np.array(geometries)))
    free = (n for n in range(1, 10**CHILD_DIGITS) if n not in taken)
    for i in reading_order(anchors):
        if codes[i] is None:
            codes[i] = f"{parent_code}{next(free):0{CHILD_DIGITS}d}"
    return codes  # type: ignore[return-value]
