"""Level-3 units cut from a level-2 grid: partition, sizes, blocks, streets, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, MultiPolygon, Polygon, box

from geogrid.building.units import UnitPiece, split_into_units

SQUARE = box(0, 0, 600, 600)
L_SHAPE = Polygon([(0, 0), (400, 0), (400, 100), (100, 100), (100, 400), (0, 400)])
U_SHAPE = Polygon(
    [(0, 0), (300, 0), (300, 300), (200, 300), (200, 100), (100, 100), (100, 300), (0, 300)]
)


def _inside(geom, n: int, rng: np.random.Generator, margin: float = 0.0) -> np.ndarray:
    """`n` uniform points inside `geom` (at least `margin` from its boundary)."""
    xmin, ymin, xmax, ymax = geom.bounds
    found = np.empty((0, 2))
    while len(found) < n:
        cand = rng.uniform((xmin, ymin), (xmax, ymax), size=(4 * n, 2))
        ok = shapely.contains_xy(geom, cand[:, 0], cand[:, 1])
        if margin:
            ok &= shapely.distance(geom.boundary, shapely.points(cand)) >= margin
        found = np.vstack([found, cand[ok]])
    return found[:n]


def _town(seed: int, max_weight: int = 60):
    """A 600 m town grid: 100 buildings, most small, a few blocks, about 1,400 households."""
    rng = np.random.default_rng(seed)
    points = _inside(SQUARE, 100, rng, margin=5.0)
    raw = rng.exponential(1.0, 100) ** 1.5
    weights = np.clip(np.round(raw / raw.sum() * 1500), 1, max_weight).astype(int)
    return points, weights


def _village(seed: int):
    """A village: 50-400 single households clustered round the centre of a ~1.6 km polygon."""
    rng = np.random.default_rng(seed)
    angles = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    radii = rng.uniform(500, 1000) * rng.uniform(0.75, 1.15, size=angles.size)
    grid = Polygon(np.c_[radii * np.cos(angles), radii * np.sin(angles)])
    n, spread = int(rng.integers(50, 401)), rng.uniform(80, 200)
    points = np.empty((0, 2))
    while len(points) < n:
        cand = rng.normal(0, spread, size=(n, 2))
        points = np.vstack([points, cand[shapely.contains_xy(grid, cand[:, 0], cand[:, 1])]])
    return grid, points[:n], np.ones(n, dtype=int)


def _assert_partition(grid, pieces: list[UnitPiece]) -> None:
    geoms = [p.geometry for p in pieces]
    assert all(g.geom_type in ("Polygon", "MultiPolygon") and g.is_valid for g in geoms)
    union = shapely.union_all(geoms)
    assert union.symmetric_difference(grid).area < 1e-6 * grid.area
    tree = shapely.STRtree(geoms)
    for i, j in tree.query(geoms, predicate="intersects").T:
        if i < j:
            assert geoms[i].intersection(geoms[j]).area < 1e-6


def _assert_points(points: np.ndarray, weights: np.ndarray, pieces: list[UnitPiece]) -> None:
    index = np.concatenate([p.household_index for p in pieces]).astype(int)
    assert np.array_equal(np.sort(index), np.arange(len(points)))  # each exactly once
    for piece in pieces:
        pts = shapely.points(points[piece.household_index])
        assert shapely.dwithin(piece.geometry, pts, 1e-6).all()
        assert piece.households == int(weights[piece.household_index].sum())


def _check(grid, points, weights, **kwargs) -> list[UnitPiece]:
    pieces = split_into_units(grid, points, weights, **kwargs)
    _assert_partition(grid, pieces)
    _assert_points(points, weights, pieces)
    return pieces


def _polsby_popper(geom) -> float:
    return 4 * np.pi * geom.area / geom.length**2


def test_square_with_uniform_households_gives_compact_pieces_of_30() -> None:
    points = _inside(SQUARE, 900, np.random.default_rng(1))
    pieces = _check(SQUARE, points, np.ones(900, dtype=int))
    assert len(pieces) == 30
    assert all(20 <= p.households <= 40 for p in pieces)
    assert all(p.geometry.geom_type == "Polygon" for p in pieces)
    assert np.median([_polsby_popper(p.geometry) for p in pieces]) > 0.4


@pytest.mark.parametrize("shape", [L_SHAPE, U_SHAPE], ids=["L", "U"])
def test_non_convex_grid_gives_single_part_pieces(shape: Polygon) -> None:
    points = _inside(shape, 300, np.random.default_rng(2))
    pieces = _check(shape, points, np.ones(300, dtype=int))
    assert len(pieces) == 10
    assert all(p.geometry.geom_type == "Polygon" for p in pieces)


def test_empty_arm_joins_a_neighbour_instead_of_making_a_piece_two_parts() -> None:
    # Households only in the left arm and the bar: cuts across the U leave the right arm
    # empty, and it must end up joined along a boundary, not as a detached part.
    rng = np.random.default_rng(3)
    occupied = box(0, 0, 100, 300).union(box(0, 0, 300, 100)).difference(box(200, 0, 300, 100))
    points = _inside(occupied, 150, rng)
    pieces = _check(U_SHAPE, points, np.ones(150, dtype=int))
    assert len(pieces) == 5
    assert all(p.geometry.geom_type == "Polygon" for p in pieces)


def test_two_islands_are_partitioned_and_pieces_stay_on_one_island() -> None:
    west, east = box(0, 0, 200, 200), box(500, 0, 700, 200)
    rng = np.random.default_rng(4)
    points = np.vstack([_inside(west, 90, rng), _inside(east, 60, rng)])
    grid = MultiPolygon([west, east])
    pieces = _check(grid, points, np.ones(150, dtype=int))
    assert len(pieces) == 5
    assert all(p.geometry.geom_type == "Polygon" for p in pieces)


def test_islands_too_small_for_a_unit_may_share_a_multi_part_piece() -> None:
    islands = [box(0, 0, 200, 200), box(300, 0, 320, 20), box(0, 300, 20, 320)]
    rng = np.random.default_rng(5)
    points = np.vstack([_inside(islands[0], 90, rng), _inside(islands[1], 3, rng)])
    points = np.vstack([points, _inside(islands[2], 4, rng)])
    pieces = _check(MultiPolygon(islands), points, np.ones(97, dtype=int))
    assert len(pieces) == 3
    assert all(20 <= p.households <= 40 for p in pieces)


def test_five_households_are_one_piece() -> None:
    points = np.array([[10.0, 10], [20, 20], [30, 30], [40, 40], [50, 50]])
    pieces = _check(SQUARE, points, np.ones(5, dtype=int))
    assert len(pieces) == 1 and pieces[0].households == 5
    assert pieces[0].geometry.equals(SQUARE)


def test_grid_without_households_is_one_piece_with_an_empty_index() -> None:
    (piece,) = _check(SQUARE, np.empty((0, 2)), np.empty(0, dtype=int))
    assert piece.household_index.size == 0 and piece.households == 0
    (piece,) = _check(SQUARE, np.array([[5.0, 5.0]]), np.array([0]))
    assert piece.household_index.tolist() == [0] and piece.households == 0


def test_apartment_block_of_1000_at_one_point_is_its_own_and_only_oversized_piece() -> None:
    rng = np.random.default_rng(6)
    points = np.vstack([_inside(box(0, 0, 300, 300), 60, rng, margin=5.0), [[150.0, 150.0]]])
    weights = np.append(rng.integers(1, 9, size=60), 1000)
    pieces = _check(box(0, 0, 300, 300), points, weights)
    light = int(weights[:-1].sum())
    assert len(pieces) == 1 + round(light / 30)
    oversized = [p for p in pieces if p.households > 40]
    assert len(oversized) == 1
    assert oversized[0].household_index.tolist() == [60]
    assert all(20 <= p.households <= 40 for p in pieces if p is not oversized[0])


def test_two_blocks_and_a_few_households_keep_the_rules() -> None:
    points = np.array([[100.0, 100], [200, 100], [150, 120], [150, 80], [10, 10]])
    weights = np.array([300, 250, 3, 4, 2])
    pieces = _check(box(0, 0, 300, 200), points, weights)
    assert len(pieces) == 2  # two blocks; nine households are too few for a unit of their own
    assert sorted(int((weights[p.household_index] > 40).sum()) for p in pieces) == [1, 1]


def _one_side_of(street: LineString, pieces: list[UnitPiece]) -> bool:
    """No piece straddles the street: shrunk by 1 m, none of them touches it."""
    return not any(p.geometry.buffer(-1.0).intersects(street) for p in pieces)


@pytest.mark.parametrize(
    "street",
    [
        LineString([(300, -10), (300, 610)]),
        LineString([(-10, 310), (610, 310)]),
        LineString([(280, -10), (300, 300), (325, 610)]),
    ],
    ids=["vertical", "horizontal", "bent"],
)
def test_pieces_follow_a_street_crossing_the_middle(street: LineString) -> None:
    rng = np.random.default_rng(7)
    candidates = _inside(SQUARE, 400, rng, margin=5.0)
    points = candidates[shapely.distance(street, shapely.points(candidates)) > 5.0][:100]
    weights = rng.integers(1, 30, size=len(points))
    plain = _check(SQUARE, points, weights)
    assert not _one_side_of(street, plain)  # without the street, cuts ignore it
    pieces = _check(SQUARE, points, weights, streets=shapely.MultiLineString([street]))
    assert _one_side_of(street, pieces)
    assert len(pieces) == len(plain)


def test_points_on_the_would_be_cut_line_go_to_exactly_one_piece() -> None:
    # Three columns of households; the middle column sits where a halving cut would go.
    ys = np.arange(2.5, 100, 5.0)
    points = np.vstack([np.c_[np.full(20, x), ys] for x in (25.0, 50.0, 75.0)])
    points = np.vstack([points, [[50.0, 50.0]] * 3, [[0.0, 0.0], [100.0, 37.5]]])
    weights = np.ones(len(points), dtype=int)
    pieces = _check(box(0, 0, 100, 100), points, weights)
    assert len(pieces) == 2
    holder = [next(i for i, p in enumerate(pieces) if k in p.household_index) for k in (60, 61)]
    assert holder[0] == holder[1]  # households at one spot are never parted


def test_same_input_gives_identical_output() -> None:
    points, weights = _town(8)
    street = shapely.MultiLineString([[(300, -10), (300, 610)]])
    first = split_into_units(SQUARE, points, weights, streets=street)
    second = split_into_units(SQUARE, points.copy(), weights.copy(), streets=street)
    assert len(first) == len(second)
    for a, b in zip(first, second, strict=True):
        assert shapely.to_wkb(a.geometry) == shapely.to_wkb(b.geometry)
        assert np.array_equal(a.household_index, b.household_index)


def test_grid_at_projected_coordinates_is_cut_as_at_the_origin() -> None:
    # EPSG:4549 northings are ~4e6 m: the same town moved there gives the same pieces.
    points, weights = _town(9)
    street = shapely.MultiLineString([[(300, -10), (300, 610)]])
    shift = np.array([512000.0, 4012000.0])
    moved = shapely.transform(SQUARE, lambda c: c + shift)
    far = _check(
        moved, points + shift, weights, streets=shapely.transform(street, lambda c: c + shift)
    )
    near = split_into_units(SQUARE, points, weights, streets=street)
    assert len(far) == len(near)
    for a, b in zip(far, near, strict=True):
        assert np.array_equal(a.household_index, b.household_index)
        assert shapely.transform(a.geometry, lambda c: c - shift).equals_exact(b.geometry, 1e-6)


def test_realistic_villages_have_95_percent_of_pieces_within_bounds() -> None:
    sizes = []
    for seed in range(15):
        grid, points, weights = _village(seed)
        sizes += [p.households for p in _check(grid, points, weights)]
    assert np.mean([20 <= s <= 40 for s in sizes]) >= 0.95


def test_realistic_town_grids_have_95_percent_of_divisible_pieces_within_bounds() -> None:
    # Buildings of more than 40 households are pieces of their own and cannot be in bounds.
    within = []
    for seed, max_weight in [(s, w) for s in range(5) for w in (60, 40)]:
        points, weights = _town(seed, max_weight)
        for piece in _check(SQUARE, points, weights):
            if not (piece.household_index.size == 1 and piece.households > 40):
                within.append(20 <= piece.households <= 40)
    assert np.mean(within) >= 0.95


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weights": np.ones(3, dtype=int)}, "weights"),
        ({"weights": np.array([1, -2, 1, 1])}, "weights.*-2"),
        ({"low": 35}, "low=35"),
        ({"high": 25}, "high=25"),
        ({"points": np.array([[10.0, 10], [20, 20], [30, 30], [900, 900]])}, "points.*index 3"),
    ],
)
def test_bad_input_raises_naming_the_argument(kwargs: dict, message: str) -> None:
    args = {
        "points": np.array([[10.0, 10], [20, 20], [30, 30], [40, 40]]),
        "weights": np.ones(4, dtype=int),
    }
    args.update(kwargs)
    points, weights = args.pop("points"), args.pop("weights")
    with pytest.raises(ValueError, match=message):
        split_into_units(SQUARE, points, weights, **args)


@st.composite
def _grids_with_households(draw):
    """A box or the convex hull of random points, 0-250 households inside, maybe far out."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    if draw(st.booleans()):
        width, height = draw(st.floats(5, 2000)), draw(st.floats(5, 2000))
        grid = box(0, 0, width, height)
    else:
        corners = rng.uniform(0, draw(st.floats(10, 2000)), size=(draw(st.integers(3, 12)), 2))
        grid = shapely.convex_hull(shapely.multipoints(corners))
    if grid.geom_type != "Polygon" or grid.area < 1.0:
        grid = box(0, 0, 10, 10)
    n = draw(st.integers(0, 250))
    points = _inside(grid, n, rng) if n else np.empty((0, 2))
    if n and draw(st.booleans()):  # some households share a spot or sit on the boundary
        points[: n // 4] = points[0]
        points[-1] = shapely.get_coordinates(grid.exterior)[0]
    weights = rng.integers(1, 6, size=n)
    if draw(st.booleans()):  # where EPSG:4549 coordinates are
        shift = np.array([512345.678, 4012345.678])
        grid, points = shapely.transform(grid, lambda c: c + shift), points + shift
    return grid, points, weights


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_grids_with_households())
def test_any_grid_is_partitioned_and_every_household_placed_once(case) -> None:
    grid, points, weights = case
    pieces = _check(grid, points, weights)
    spots, at_spot = np.unique(points, axis=0, return_inverse=True)
    if np.bincount(at_spot.ravel(), weights=weights, minlength=len(spots)).max(initial=0) <= 40:
        total = int(weights.sum())  # no indivisible block: exactly k pieces
        assert len(pieces) == (1 if total < 20 else max(1, round(total / 30)))
