"""Counting points: rows placed in their grid, big buildings as entrances, units recounted."""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import LineString, box

from geogrid.building.counting import counting_points, unit_of_points
from geogrid.building.units import split_into_units

GRID = box(0, 0, 400, 300)
STREET = shapely.MultiLineString([LineString([(200, -10), (200, 310)])])


def _grid_with_block(rng: np.random.Generator):
    """60 houses of 1-8 households and a block of 1,000 households at one point."""
    xy = np.column_stack([rng.uniform(5, 395, 60), rng.uniform(5, 295, 60)])
    xy = xy[np.abs(xy[:, 0] - 200) > 6]
    weights = rng.integers(1, 9, len(xy))
    return np.vstack([xy, [[100.0, 150.0]]]), np.append(weights, 1000)


def test_grid_with_1000_households_in_one_block_is_cut_into_units_of_20_to_40() -> None:
    points, weights = _grid_with_block(np.random.default_rng(1))
    counted = counting_points([GRID], ["001"], [STREET], points, weights, target=30, high=40)
    assert counted.unsplit == [] and (counted.grid == 0).all()
    assert counted.households.max() <= 40
    pieces = split_into_units(GRID, counted.xy, counted.households, streets=STREET)
    sizes = np.array([p.households for p in pieces])
    assert np.mean((sizes >= 20) & (sizes <= 40)) >= 0.9
    assert len(pieces) == round(weights.sum() / 30)
    # Every household in exactly one unit: each counting point once, the rows in full.
    index = np.sort(np.concatenate([p.household_index for p in pieces]))
    assert index.tolist() == list(range(len(counted.xy)))
    per_row = np.bincount(counted.row, counted.households, minlength=len(weights))
    assert per_row.tolist() == weights.tolist()
    units = [p.geometry for p in pieces]
    unit_of = unit_of_points(counted, units, np.zeros(len(units), dtype=int), sizes)
    assert np.bincount(unit_of, counted.households, minlength=len(units)).tolist() == sizes.tolist()


def test_rows_are_placed_in_the_lowest_code_grid_and_far_ones_in_none() -> None:
    west, east = box(0, 0, 100, 100), box(100, 0, 200, 100)
    points = np.array([[100.0, 50.0], [150.0, 50.0], [50.0, -100.0], [50.0, 900.0]])
    counted = counting_points(
        [east, west], ["002", "001"], [None, None], points, np.ones(4, dtype=int),
        target=30, high=40,
    )  # fmt: skip
    grid_of_row = dict(zip(counted.row.tolist(), counted.grid.tolist(), strict=True))
    assert grid_of_row == {0: 1, 1: 0, 2: 1, 3: -1}  # on the shared edge: the lower code
    pulled = counted.xy[counted.row == 2][0]
    assert shapely.covers(west, shapely.Point(pulled))  # 100 m out: counted on the edge


def test_a_point_on_an_edge_between_units_goes_where_the_count_needs_it() -> None:
    left, right = box(0, 0, 10, 10), box(10, 0, 20, 10)
    points = np.array([[5.0, 5.0], [10.0, 5.0], [15.0, 5.0]])
    counted = counting_points([box(0, 0, 20, 10)], ["001"], [None], points,
                              np.array([20, 5, 20]), target=30, high=40)  # fmt: skip
    zero = np.zeros(2, dtype=int)
    assert unit_of_points(counted, [left, right], zero, np.array([20, 25])).tolist() == [0, 1, 1]
    assert unit_of_points(counted, [left, right], zero, np.array([25, 20])).tolist() == [0, 0, 1]
