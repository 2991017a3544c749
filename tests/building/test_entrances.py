"""Big buildings as entrances: how many, how big, where, and which rows they count."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, box

from geogrid.building.entrances import (
    CLEARANCE_M,
    ENTRANCE_SPACING_M,
    deal_rows,
    entrance_layout,
    entrance_sizes,
    place_entrances,
)


@pytest.mark.parametrize(
    ("households", "sizes"),
    [
        (40, [40]),  # a unit may hold it: no split
        (41, [21, 20]),  # round(41 / 30) = 1 would exceed 40
        (45, [23, 22]),
        (320, [30] + [29] * 10),
        (1000, [31] * 10 + [30] * 23),
    ],
)
def test_entrances_are_near_the_target_and_never_above_high(households, sizes) -> None:
    got = entrance_sizes(households, target=30, high=40)
    assert got.tolist() == sizes
    assert got.sum() == households


def test_layout_is_staggered_rows_west_to_east_north_to_south_centred_on_the_point() -> None:
    layout = entrance_layout(11)  # rows of 4, 4 and 3
    assert layout.shape == (11, 2) and np.allclose(layout.mean(axis=0), 0.0)
    rows = np.unique(layout[:, 1])[::-1]  # north first
    assert np.allclose(np.diff(rows), -1.0) and len(rows) == 3
    first, second = layout[:4], layout[4:8]
    assert (first[:, 1] == rows[0]).all() and np.allclose(np.diff(first[:, 0]), 1.0)
    assert np.allclose(second[:, 0] - first[:, 0], 0.5), "every other row is staggered"
    assert entrance_layout(1).tolist() == [[0.0, 0.0]]


def test_entrances_keep_clear_of_the_edge_and_streets_shrinking_when_needed() -> None:
    grid = box(0, 0, 200, 200)
    street = LineString([(0, 120), (200, 120)])
    obstacles = shapely.union(grid.boundary, street)
    centres = {"roomy": np.array([100.0, 60.0]), "tight": np.array([100.0, 112.0])}
    doors = {name: place_entrances(centre, 11, obstacles) for name, centre in centres.items()}
    assert np.isclose(np.ptp(doors["roomy"][:, 1]), 2 * ENTRANCE_SPACING_M)  # three rows
    assert np.ptp(doors["tight"][:, 1]) < 2 * ENTRANCE_SPACING_M  # 8 m from the street
    for name, placed in doors.items():
        assert len(placed) == 11 and np.allclose(placed.mean(axis=0), centres[name])
        assert (shapely.distance(obstacles, shapely.points(placed)) >= CLEARANCE_M).all()
    assert place_entrances(np.array([0.2, 50.0]), 11, obstacles) is None  # on the edge


def test_rows_are_dealt_in_order_and_every_row_keeps_a_point() -> None:
    rows, entrances, amounts = deal_rows(np.array([100, 0, 220]), np.array([30] + [29] * 10))
    assert np.bincount(rows, amounts).tolist() == [100, 0, 220]
    assert np.bincount(entrances, amounts).tolist() == [30] + [29] * 10
    assert 1 in rows.tolist()  # the row of no households is still placed
    assert (np.diff(rows) >= 0).all()
