"""The pieces behind the sample county, on small hand-drawn shapes."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from geogrid.sample.names import chinese_number, person_names, village_names
from geogrid.sample.partition import apportion, points_in_polygon, voronoi_partition
from geogrid.sample.scales import SCALES, scale_spec

# An L-shaped region: clipped Voronoi cells can fall apart in two on it.
L_SHAPE = shapely.Polygon([(0, 0), (1000, 0), (1000, 200), (200, 200), (200, 1000), (0, 1000)])


def test_apportion_keeps_total_and_minimum() -> None:
    shares = apportion(100, np.array([1.0, 1.0, 98.0, 0.0]), minimum=1)
    assert shares.tolist() == [2, 2, 95, 1]  # largest remainders get the leftover units
    with pytest.raises(ValueError, match="total=3"):
        apportion(3, np.ones(4), minimum=1)


def test_voronoi_partition_gives_one_piece_per_seed() -> None:
    seeds = np.array([[100, 100], [900, 100], [100, 900], [150, 500], [500, 150]])
    cells = voronoi_partition(seeds, L_SHAPE)
    assert len(cells) == len(seeds)
    assert (shapely.get_num_geometries(cells) == 1).all()
    assert shapely.contains_xy(cells, seeds[:, 0], seeds[:, 1]).all()
    assert shapely.union_all(cells).area == pytest.approx(L_SHAPE.area)
    assert shapely.area(cells).sum() == pytest.approx(L_SHAPE.area)


def test_voronoi_partition_reattaches_a_detached_piece() -> None:
    # The seed at (600, 600) lies outside the L: its clipped cell is the tips of both arms.
    seeds = np.array([[100.0, 100.0], [600.0, 600.0]])
    raw = shapely.intersection(
        shapely.Polygon([(700, 0), (1000, 0), (1000, 1000), (0, 1000), (0, 700)]), L_SHAPE
    )
    assert shapely.get_num_geometries(raw) == 2
    cells = voronoi_partition(seeds, L_SHAPE)
    assert (shapely.get_num_geometries(cells) == 1).all()
    assert shapely.area(cells).sum() == pytest.approx(L_SHAPE.area)
    assert cells[1].area == pytest.approx(raw.area / 2)


def test_points_in_polygon_stay_inside() -> None:
    xy = points_in_polygon(np.random.default_rng(1), L_SHAPE, 500)
    assert xy.shape == (500, 2) and shapely.contains_xy(L_SHAPE, xy[:, 0], xy[:, 1]).all()


@pytest.mark.parametrize(
    ("n", "text"),
    [(1, "一"), (10, "十"), (11, "十一"), (20, "二十"), (23, "二十三"), (99, "九十九")],
)
def test_chinese_number(n: int, text: str) -> None:
    assert chinese_number(n) == text


def test_names_are_unique_and_chinese() -> None:
    rng = np.random.default_rng(3)
    names = village_names(rng, 1_338)
    assert len(set(names)) == 1_338
    people = person_names(rng, np.array([True, False] * 50))
    assert all(2 <= len(name) <= 3 for name in people)


def test_scale_spec_names_an_unknown_scale() -> None:
    assert scale_spec("full").villages == 1_338
    assert SCALES["full"].urban_communities + SCALES["full"].rural_communities == 235
    with pytest.raises(ValueError, match="'medium'"):
        scale_spec("medium")
