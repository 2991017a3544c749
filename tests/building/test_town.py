"""Town street blocks and their merging into level-2 grids, on hand-drawn metre geometry."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon, box

from geogrid.building.town import TownGrid, merge_blocks_into_grids, street_blocks

COMMUNITY = box(0, 0, 1000, 1000)
# Three roads each way, one straight 2-vertex line apiece reaching past the edge: no road
# has a vertex where it crosses another.
ROADS = [LineString([(-50, v), (1050, v)]) for v in (250, 500, 750)] + [
    LineString([(v, -50), (v, 1050)]) for v in (250, 500, 750)
]


def _assert_partition(pieces, whole) -> None:
    """The pieces cover `whole` once: same union, no overlap (areas add up)."""
    union = shapely.union_all([getattr(p, "geometry", p) for p in pieces])
    assert union.symmetric_difference(whole).area < 1e-6 * whole.area
    total = sum(getattr(p, "geometry", p).area for p in pieces)
    assert abs(total - whole.area) < 1e-6 * whole.area


def _assert_grids_cover_blocks(grids: list[TownGrid], blocks, households) -> None:
    ids = sorted(b for g in grids for b in g.block_ids)
    assert ids == list(range(len(blocks)))
    assert sum(g.households for g in grids) == int(np.sum(households))
    for g in grids:
        assert g.households == int(np.sum(np.asarray(households)[list(g.block_ids)]))
        expected = shapely.union_all([blocks[b] for b in g.block_ids])
        assert g.geometry.symmetric_difference(expected).area < 1e-6 * expected.area


def test_roads_crossing_without_shared_vertices_give_16_blocks() -> None:
    blocks = street_blocks(COMMUNITY, ROADS)
    assert len(blocks) == 16
    assert all(isinstance(b, Polygon) for b in blocks)
    assert all(abs(b.area - 250 * 250) < 1e-6 for b in blocks)
    _assert_partition(blocks, COMMUNITY)


def test_blocks_come_north_first_then_west_first() -> None:
    points = [b.representative_point() for b in street_blocks(COMMUNITY, ROADS)]
    keys = [(-round(p.y), round(p.x)) for p in points]
    assert keys == sorted(keys)
    assert points[0].x < 250 and points[0].y > 750


def test_alley_ending_5_m_short_closes_its_block() -> None:
    alley = LineString([(250, 625), (495, 625)])  # from one road to 5 m short of the next
    blocks = street_blocks(COMMUNITY, [*ROADS, alley])
    assert len(blocks) == 17
    _assert_partition(blocks, COMMUNITY)
    halves = sorted(round(b.area) for b in blocks if b.bounds[:3:2] == (250, 500))
    assert halves[:2] == [31250, 31250]


def test_alley_ending_short_of_the_community_edge_closes_its_block() -> None:
    alley = LineString([(125, 750), (125, 992)])  # 8 m short of the boundary at y = 1000
    blocks = street_blocks(COMMUNITY, [*ROADS, alley])
    assert len(blocks) == 17
    _assert_partition(blocks, COMMUNITY)


def test_alley_ending_100_m_short_splits_nothing() -> None:
    alley = LineString([(250, 625), (400, 625)])
    blocks = street_blocks(COMMUNITY, [*ROADS, alley])
    assert len(blocks) == 16
    _assert_partition(blocks, COMMUNITY)


def test_overshooting_end_does_not_join_back_to_the_road_it_crossed() -> None:
    # The alley crosses the road at x = 500 and stops 4 m past it; nothing lies ahead.
    alley = LineString([(300, 625), (504, 625)])
    blocks = street_blocks(COMMUNITY, [*ROADS, alley])
    assert len(blocks) == 16
    _assert_partition(blocks, COMMUNITY)


def test_near_parallel_duplicate_road_leaves_no_sliver() -> None:
    twin = LineString([(-50, 500.3), (1050, 499.9)])  # crosses y = 500 near x = 775
    blocks = street_blocks(COMMUNITY, [*ROADS, twin])
    assert len(blocks) == 16
    assert min(b.area for b in blocks) >= 200
    _assert_partition(blocks, COMMUNITY)


def test_thin_strip_between_boundary_and_road_is_merged() -> None:
    edge_road = LineString([(-50, 997), (1050, 997)])  # 3 m inside the boundary
    blocks = street_blocks(COMMUNITY, [*ROADS, edge_road])
    assert len(blocks) == 16
    _assert_partition(blocks, COMMUNITY)
    kept = street_blocks(COMMUNITY, [*ROADS, edge_road], min_width_m=0)
    assert len(kept) == 20  # four 3 m x 250 m strips of 750 m² each
    _assert_partition(kept, COMMUNITY)


def test_tiny_gap_at_a_crossing_is_closed() -> None:
    stub = LineString([(0, 125), (249.5, 125)])  # from the boundary to 0.5 m short of a road
    blocks = street_blocks(COMMUNITY, [*ROADS, stub])
    assert len(blocks) == 17
    assert min(b.area for b in blocks) >= 200


def test_no_streets_inside_gives_one_block() -> None:
    far_away = [LineString([(5000, 0), (5000, 1000)])]
    for streets in ([], np.array([], dtype=object), far_away, [None]):
        blocks = street_blocks(COMMUNITY, streets)
        assert len(blocks) == 1
        _assert_partition(blocks, COMMUNITY)


def test_multilines_arrays_and_holes_are_handled() -> None:
    holed = COMMUNITY.difference(box(300, 300, 450, 450))  # an enclave of another community
    streets = np.array([MultiLineString([r.coords for r in ROADS[:3]]), *ROADS[3:]], dtype=object)
    blocks = street_blocks(holed, streets)
    assert len(blocks) == 16
    _assert_partition(blocks, holed)


def test_disconnected_community_gives_blocks_per_part() -> None:
    parts = MultiPolygon([box(0, 0, 1000, 1000), box(1200, 0, 1600, 400)])
    blocks = street_blocks(parts, ROADS)
    assert len(blocks) == 17
    _assert_partition(blocks, parts)


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="community"):
        street_blocks(LineString([(0, 0), (1, 1)]), ROADS)
    with pytest.raises(ValueError, match="snap_m"):
        street_blocks(COMMUNITY, ROADS, snap_m=-1)
    with pytest.raises(ValueError, match="households"):
        merge_blocks_into_grids([COMMUNITY], np.array([1, 2]))
    with pytest.raises(ValueError, match="households"):
        merge_blocks_into_grids([COMMUNITY], np.array([-1]))
    with pytest.raises(ValueError, match="target"):
        merge_blocks_into_grids([COMMUNITY], np.array([1]), target=0)


def test_sixteen_blocks_of_400_make_four_square_grids() -> None:
    blocks = street_blocks(COMMUNITY, ROADS)
    households = np.full(16, 400)
    grids = merge_blocks_into_grids(blocks, households, target=1500)
    assert len(grids) == 4
    _assert_grids_cover_blocks(grids, blocks, households)
    _assert_partition(grids, COMMUNITY)
    for g in grids:
        assert isinstance(g.geometry, Polygon)
        assert abs(g.geometry.area - 500 * 500) < 1e-6  # 2 x 2 blocks, not a row of 4


def test_uneven_households_and_empty_blocks_are_all_covered() -> None:
    blocks = street_blocks(COMMUNITY, ROADS)
    households = np.random.default_rng(3).integers(100, 900, 16)
    households[[0, 5, 6, 15]] = 0  # a park, a school, fields
    grids = merge_blocks_into_grids(blocks, households, target=1500)
    expected = round(households.sum() / 1500)
    assert expected - 1 <= len(grids) <= expected + 1
    _assert_grids_cover_blocks(grids, blocks, households)
    _assert_partition(grids, COMMUNITY)
    assert all(isinstance(g.geometry, Polygon) for g in grids)
    assert all(g.households >= 1500 // 3 for g in grids)


def test_small_community_is_one_grid() -> None:
    blocks = street_blocks(COMMUNITY, ROADS)
    households = np.full(16, 25)  # 400 in all
    grids = merge_blocks_into_grids(blocks, households, target=1500)
    assert len(grids) == 1
    assert grids[0].block_ids == tuple(range(16)) and grids[0].households == 400
    _assert_partition(grids, COMMUNITY)


def test_disconnected_small_part_joins_the_nearest_grid() -> None:
    parts = MultiPolygon([box(0, 0, 1000, 1000), box(1200, 0, 1600, 400)])
    blocks = street_blocks(parts, ROADS)
    households = np.full(len(blocks), 400)
    island = next(i for i, b in enumerate(blocks) if b.bounds[0] >= 1200)
    households[island] = 50
    grids = merge_blocks_into_grids(blocks, households, target=1500)
    _assert_grids_cover_blocks(grids, blocks, households)
    _assert_partition(grids, parts)
    assert sum(g.geometry.geom_type == "MultiPolygon" for g in grids) == 1


def test_same_input_gives_same_output() -> None:
    streets = _town_core_streets(11)
    community = _town_core_community()
    first = street_blocks(community, streets)
    second = street_blocks(community, list(streets))
    assert len(first) == len(second)
    assert all(shapely.equals_exact(a, b, 0) for a, b in zip(first, second, strict=True))
    households = _households(first, 11)
    assert merge_blocks_into_grids(first, households) == merge_blocks_into_grids(
        second, households.copy()
    )


def test_realistic_town_core_partitions_the_community() -> None:
    community = _town_core_community()
    blocks = street_blocks(community, _town_core_streets(5))
    assert len(blocks) > 150
    _assert_partition(blocks, community)
    assert min(b.area for b in blocks) >= 200
    assert all(isinstance(b, Polygon) and b.is_valid for b in blocks)
    households = _households(blocks, 5)
    grids = merge_blocks_into_grids(blocks, households, target=1500)
    expected = round(households.sum() / 1500)
    assert expected - 2 <= len(grids) <= expected + 2
    _assert_grids_cover_blocks(grids, blocks, households)
    _assert_partition(grids, community)
    assert all(isinstance(g.geometry, Polygon) for g in grids)


# A town core of about 1.5 x 1.5 km in EPSG:4549-sized coordinates (large northings test
# the numerics): ~40 long roads, bent and not noded, and ~60 alleys, many dangling.
ORIGIN = np.array([452_000.0, 3_985_000.0])


def _town_core_community() -> Polygon:
    angles = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    radius = 820 + 60 * np.sin(3 * angles) + 30 * np.cos(7 * angles)
    ring = np.column_stack([np.cos(angles), np.sin(angles)]) * radius[:, None]
    ring = np.clip(ring, -760, 760)  # a squarish core with rounded corners
    return Polygon(ring + ORIGIN)


def _town_core_streets(seed: int) -> list[LineString]:
    rng = np.random.default_rng(seed)
    roads = []
    for axis in (0, 1):
        for offset in np.sort(rng.uniform(-780, 780, 20)):
            along = np.linspace(-900, 900, 4)
            across = offset + np.cumsum(rng.normal(0, 12, 4))  # a bend or two
            xy = np.column_stack([along, across] if axis == 0 else [across, along])
            roads.append(LineString(xy + ORIGIN))
    return roads + _alleys(roads, rng, 60)


def _alleys(roads: list[LineString], rng: np.random.Generator, n: int) -> list[LineString]:
    """Alleys leave a road at right angles and stop wherever: short, long or just short."""
    alleys = []
    for _ in range(n):
        road = roads[rng.integers(len(roads))]
        at = rng.uniform(0.1, 0.9) * road.length
        start = np.array(road.interpolate(at).coords[0])
        ahead = np.array(road.interpolate(at + 1).coords[0]) - start
        normal = np.array([-ahead[1], ahead[0]]) * rng.choice([-1, 1])
        length = rng.uniform(30, 160)
        alleys.append(LineString([start, start + normal / np.hypot(*normal) * length]))
    return alleys


def _households(blocks: list[Polygon], seed: int) -> np.ndarray:
    """About 8,000 households per km², and one block in ten empty (parks, schools)."""
    rng = np.random.default_rng(seed)
    density = rng.uniform(0.004, 0.012, len(blocks))
    counts = np.round(np.array([b.area for b in blocks]) * density).astype(int)
    counts[rng.random(len(blocks)) < 0.1] = 0
    return counts
