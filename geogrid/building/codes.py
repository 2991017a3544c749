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
    codes = _kept_codes(parent_code, [previous.get(geometry_key(g)) for g in geometries])
    taken = {int(c[len(parent_code) :]) for c in codes if c is not None}
    anchors = shapely.get_coordinates(shapely.point_on_surface(np.array(geometries)))
    free = (n for n in range(1, 10**CHILD_DIGITS) if n not in taken)
    for i in reading_order(anchors):
        if codes[i] is None:
            codes[i] = f"{parent_code}{next(free):0{CHILD_DIGITS}d}"
    return codes  # type: ignore[return-value]


def _kept_codes(parent_code: str, matched: list[str | None]) -> list[str | None]:
    """The old code of each child whose geometry was in the previous version, else None.

    A grid with one unit has the unit's geometry, so one key stands for both codes and a
    previous version keeps only one of them: a unit's code found for its grid is cut back
    to the grid's length; the grid's own code found for its unit is no child code, and the
    unit, alone in its grid, is numbered 001 as before.
    """
    length = len(parent_code) + CHILD_DIGITS
    kept: list[str | None] = []
    for code in matched:
        child = code[:length] if code and code.startswith(parent_code) else None
        ok = child is not None and len(child) == length and child[len(parent_code) :].isdigit()
        kept.append(child if ok and child not in kept else None)
    return kept
