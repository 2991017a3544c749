"""Compact page data: delta-coded shapes come back as drawn; JSON cannot close its script."""

from __future__ import annotations

import json

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon, box

from geogrid.maps.data import DutyPerson, GridShape, StreetLine
from geogrid.maps.encode import (
    SCALE,
    PeopleIndex,
    encode_polygons,
    grid_rows,
    script_json,
    street_rows,
)


def decode_ring(flat: list[int]) -> list[tuple[float, float]]:
    """What geogrid-map.js does (without swapping to lat, lon)."""
    xy = np.cumsum(np.array(flat).reshape(-1, 2), axis=0) / SCALE
    return [tuple(p) for p in xy.tolist()]


def test_a_polygon_with_a_hole_comes_back_within_rounding() -> None:
    shell = box(119.40, 36.00, 119.41, 36.01)
    polygon = shell.difference(box(119.402, 36.002, 119.404, 36.004))
    (shape,) = encode_polygons([polygon])
    (rings,) = shape
    assert len(rings) == 2
    decoded = Polygon(decode_ring(rings[0]), [decode_ring(rings[1])])
    assert decoded.symmetric_difference(polygon).area < 1e-9
    assert len(rings[0]) == 2 * (len(polygon.exterior.coords) - 1)  # no closing vertex
    assert max(abs(v) for v in rings[0][2:]) <= 0.01 * SCALE  # deltas, not coordinates


def test_multipolygons_keep_their_parts_and_drop_what_rounding_collapses() -> None:
    two = MultiPolygon([box(119.0, 36.0, 119.001, 36.001), box(119.01, 36.0, 119.011, 36.001)])
    speck = box(119.5, 36.5, 119.500001, 36.500001)  # under 1/SCALE degrees
    with_speck = MultiPolygon([box(119.2, 36.2, 119.201, 36.201), speck])
    shapes = encode_polygons([two, with_speck, speck])
    assert [len(shape) for shape in shapes] == [2, 1, 0]
    assert encode_polygons([]) == []


def test_repeated_vertices_are_dropped() -> None:
    ring = [(119.0, 36.0), (119.0, 36.0), (119.001, 36.0), (119.001, 36.0000001),
            (119.001, 36.001), (119.0, 36.0)]  # fmt: skip
    (shape,) = encode_polygons([Polygon(ring)])
    assert decode_ring(shape[0][0]) == [(119.0, 36.0), (119.001, 36.0), (119.001, 36.001)]


def test_people_are_listed_once_and_referred_to() -> None:
    leader, officer = DutyPerson("王建国", "10012345678"), DutyPerson("李秀英", "10087654321")
    grids = [
        GridShape(3, "370782001001001001", "第1单元", 30, box(119, 36, 119.001, 36.001),
                  leaders=[leader], officers=[officer]),
        GridShape(3, "370782001001001002", "第2单元", 28, box(119.001, 36, 119.002, 36.001),
                  leaders=[leader]),
    ]  # fmt: skip
    people = PeopleIndex()
    data = grid_rows(3, grids, people)
    assert people.rows == [["王建国", "10012345678"], ["李秀英", "10087654321"]]
    assert [row[3:6] for row in data["rows"]] == [[[0], [1], []], [[0], [], []]]
    assert data["level"] == 3 and data["scale"] == SCALE


def test_streets_keep_their_names() -> None:
    lane = shapely.MultiLineString([[(119.0, 36.0), (119.0, 36.01)]])
    streets = [
        StreetLine("和平街", LineString([(119.0, 36.0), (119.01, 36.0)])),
        StreetLine("", lane),
    ]
    data = street_rows(streets)
    assert [row[0] for row in data["rows"]] == ["和平街", ""]
    assert decode_ring(data["rows"][0][1][0]) == [(119.0, 36.0), (119.01, 36.0)]


def test_script_json_keeps_chinese_and_cannot_close_the_script() -> None:
    text = script_json({"name": "密州街道</script><script>alert(1)</script>", "x": [1, 2]})
    assert "密州街道" in text and "</script>" not in text and "<" not in text
    assert json.loads(text) == {"name": "密州街道</script><script>alert(1)</script>", "x": [1, 2]}
    assert " " not in script_json([1, {"a": 2}])
