"""Polygon cleaning: the areal parts of overlays and repairs, written once."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import shapely

import geogrid
from geogrid.geo.polygons import combine, polygonal, valid_polygons

PACKAGE = Path(geogrid.__file__).parent


def test_intersection_of_touching_squares_keeps_only_the_area() -> None:
    square = shapely.box(0, 0, 2, 2)
    other = shapely.union(shapely.box(1, 0, 3, 2), shapely.box(-1, 2, 0, 3))  # corner at (0, 2)
    mixed = shapely.intersection(square, other)
    assert mixed.geom_type == "GeometryCollection"
    cleaned = polygonal(mixed)
    assert cleaned.geom_type == "Polygon"
    assert cleaned.equals(shapely.box(1, 0, 2, 2))


def test_polygons_pass_unchanged_and_nothing_gives_an_empty_polygon() -> None:
    square = shapely.box(0, 0, 1, 1)
    assert polygonal(square) is square
    assert polygonal(None) is None
    assert polygonal(shapely.LineString([(0, 0), (1, 1)])).equals(shapely.Polygon())
    assert combine([]).is_empty


def test_nested_collections_are_flattened_and_empty_areas_dropped() -> None:
    a, b = shapely.box(0, 0, 1, 1), shapely.box(2, 0, 3, 1)
    flat = shapely.Polygon([(5, 5), (6, 6), (5, 5)])  # no area
    nested = shapely.GeometryCollection([shapely.MultiPolygon([a, b]), shapely.Point(9, 9)])
    assert polygonal(nested).equals(shapely.MultiPolygon([a, b]))
    assert polygonal(shapely.GeometryCollection([a, flat])).equals(a)


def test_valid_polygons_repairs_only_the_invalid() -> None:
    bowtie = shapely.Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    square = shapely.box(0, 0, 1, 1)
    geoms = np.array([square, bowtie], dtype=object)
    repaired = valid_polygons(geoms)
    assert repaired[0] is square and geoms[1] is bowtie  # the input is not changed
    assert repaired[1].is_valid and repaired[1].geom_type == "MultiPolygon"
    assert abs(repaired[1].area - 2.0) < 1e-12


def test_one_polygonal_helper_in_the_package() -> None:
    defined = [
        (str(path.relative_to(PACKAGE)), node.name)
        for path in PACKAGE.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef) and node.name.lstrip("_") in ("polygonal", "combine")
    ]
    assert sorted(defined) == [("geo/polygons.py", "combine"), ("geo/polygons.py", "polygonal")]
