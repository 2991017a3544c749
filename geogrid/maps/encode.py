"""Compact page data: shapes as delta-coded integers, people listed once, JSON safe in <script>.

A county holds thousands of grids; written as GeoJSON with escaped Chinese they would not fit
the 3 MB budget of a page. Here a ring is one flat list of integers (first vertex absolute,
then differences, in 1/SCALE degrees), which geogrid-map.js decodes.
"""

from __future__ import annotations

import json

import numpy as np
import shapely

from geogrid.maps.data import DutyPerson, GridShape, StreetLine
from geogrid.maps.reports import HeatCells

SCALE = 100_000  # 1e-5 degrees: about a metre, finer than the ~2 m simplification
_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                   "\u2028": "\\u2028", "\u2029": "\\u2029"}  # fmt: skip


def script_json(value: object) -> str:
    """JSON for inside a <script> element: UTF-8 text kept, nothing that could close the tag."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in _SCRIPT_ESCAPES.items():
        text = text.replace(char, escaped)
    return text


def encode_ring(coords: np.ndarray, scale: int = SCALE) -> list[int]:
    """x, y pairs as flat integers: the first absolute, then differences; repeats dropped."""
    ints = np.round(np.asarray(coords)[:, :2] * scale).astype(np.int64)
    if len(ints) > 1:
        keep = np.ones(len(ints), dtype=bool)
        keep[1:] = np.any(ints[1:] != ints[:-1], axis=1)
        ints = ints[keep]
    deltas = np.vstack([ints[:1], np.diff(ints, axis=0)])
    return deltas.ravel().tolist()


def encode_polygons(geometries: list[shapely.Geometry], scale: int = SCALE) -> list[list]:
    """(Multi)polygons as lists of polygons of rings, encoded all at once (numpy, not loops).

    Rings lose their closing vertex (Leaflet closes them) and repeated vertices; a ring left
    with fewer than 3 vertices is dropped, and so is a polygon whose outer ring was.
    """
    if not geometries:
        return []
    _kind, coords, offsets = shapely.to_ragged_array(np.asarray(geometries, dtype=object))
    if len(offsets) == 2:  # only Polygons: each geometry is one polygon
        offsets = (*offsets, np.arange(len(offsets[1])))
    ring_ends, polygon_ends, geometry_ends = offsets
    ints = np.round(coords * scale).astype(np.int64)
    ring = np.repeat(np.arange(len(ring_ends) - 1), np.diff(ring_ends))
    first = np.zeros(len(ints), dtype=bool)
    first[ring_ends[:-1][np.diff(ring_ends) > 0]] = True
    keep = first.copy()
    keep[1:] |= np.any(ints[1:] != ints[:-1], axis=1)
    last = np.zeros(len(ints), dtype=bool)
    last[ring_ends[1:][np.diff(ring_ends) > 0] - 1] = True
    keep &= ~(last & np.all(ints == ints[ring_ends[:-1][ring]], axis=1))
    ints, ring, first = ints[keep], ring[keep], first[keep]
    deltas = ints.copy()
    deltas[1:] -= ints[:-1]
    deltas[first] = ints[first]
    offsets = np.concatenate([[0], np.cumsum(np.bincount(ring, minlength=len(ring_ends) - 1))])
    return _nest(deltas.ravel().tolist(), offsets.tolist(), polygon_ends.tolist(),
                 geometry_ends.tolist())  # fmt: skip


def _nest(flat: list[int], rings: list[int], polygons: list[int], geometries: list[int]) -> list:
    """Slice the flat integers back into geometries -> polygons -> rings."""
    nested = []
    for g in range(len(geometries) - 1):
        shape = []
        for p in range(geometries[g], geometries[g + 1]):
            kept = [
                flat[2 * rings[r] : 2 * rings[r + 1]] for r in range(polygons[p], polygons[p + 1])
            ]
            if kept and len(kept[0]) >= 6:  # an outer ring of at least 3 vertices
                shape.append([ring for ring in kept if len(ring) >= 6])
        nested.append(shape)
    return nested


def encode_lines(geometry: shapely.Geometry, scale: int = SCALE) -> list[list[int]]:
    """A (multi)line string as flat integer lists."""
    parts = getattr(geometry, "geoms", [geometry])
    lines = [encode_ring(np.asarray(part.coords), scale) for part in parts if not part.is_empty]
    return [line for line in lines if len(line) >= 4]


class PeopleIndex:
    """People listed once per page; grids refer to them by position."""

    def __init__(self) -> None:
        self.rows: list[list[str]] = []
        self._positions: dict[DutyPerson, int] = {}

    def refs(self, people: list[DutyPerson]) -> list[int]:
        """Positions of `people` in the list, adding those not yet in it."""
        refs = []
        for person in people:
            if person not in self._positions:
                self._positions[person] = len(self.rows)
                self.rows.append([person.name, person.phone])
            refs.append(self._positions[person])
        return refs


def grid_rows(level: int, grids: list[GridShape], people: PeopleIndex) -> dict:
    """One level's grids for geogrid.gridLayer: [code, name, households, refs x3, shape]."""
    rows = []
    shapes = encode_polygons([grid.geometry for grid in grids])
    for grid, shape in zip(grids, shapes, strict=True):
        if shape:
            rows.append([grid.code, grid.name, grid.households, people.refs(grid.leaders),
                         people.refs(grid.officers), people.refs(grid.police), shape])  # fmt: skip
    return {"level": level, "scale": SCALE, "rows": rows}


def street_rows(streets: list[StreetLine]) -> dict:
    """Streets for geogrid.lineLayer: [name, lines]."""
    rows = [[street.name, encode_lines(street.geometry)] for street in streets]
    return {"scale": SCALE, "rows": [row for row in rows if row[1]]}


def heat_cells(cells: HeatCells) -> dict:
    """Heat cells as integers relative to their corner; counts capped at the 99th percentile
    so one busy square does not wash out the rest of the map."""
    if len(cells.count) == 0:
        return {"x0": 0, "y0": 0, "dx": cells.dx, "dy": cells.dy, "cells": []}
    x0, y0 = int(cells.ix.min()), int(cells.iy.min())
    cap = max(1, int(np.percentile(cells.count, 99)))
    flat = np.column_stack([cells.ix - x0, cells.iy - y0, np.minimum(cells.count, cap)])
    return {"x0": x0, "y0": y0, "dx": cells.dx, "dy": cells.dy, "cells": flat.ravel().tolist()}
