"""Every assignment rule on hand-drawn geometry: inside, edge, 3-unit vertex, 30 m, 5 km."""

from __future__ import annotations

import numpy as np
import pytest

from geogrid.reports.assign import china_days, people_on_duty, place_points
from tests.reports import handdrawn as hd

METRES_PER_DEGREE_LON = 111_320 * np.cos(np.radians(36.0))


def place(*points: tuple[float, float], tolerance: float = 50.0, index=None):
    """Place drawing-unit points; returns (codes, methods, distances)."""
    index = index or hd.index()
    lon, lat = np.array([hd.xy(*p) for p in points]).T
    placement = place_points(index, lon, lat, tolerance)
    codes = [index.units.codes[u] if u >= 0 else None for u in placement.unit]
    return codes, list(placement.method_names()), placement.distance_m, placement


def test_inside_a_unit() -> None:
    codes, methods, _, _ = place((0.5, 0.5), (1.5, 0.2), (1.0, 1.7))
    assert codes == [hd.A, hd.B, hd.C]
    assert methods == ["inside"] * 3


def test_on_a_shared_edge_the_smallest_code_wins_and_says_boundary() -> None:
    codes, methods, _, _ = place((1.0, 0.5), (0.5, 1.0), (1.5, 1.0))
    assert codes == [hd.A, hd.A, hd.B]
    assert methods == ["boundary"] * 3


def test_on_a_vertex_shared_by_three_units() -> None:
    codes, methods, _, _ = place((1.0, 1.0))
    assert (codes, methods) == ([hd.A], ["boundary"])


def test_thirty_metres_outside_goes_to_the_nearest_unit_with_its_distance() -> None:
    west = -30 / METRES_PER_DEGREE_LON / hd.STEP
    codes, methods, distance, _ = place((west, 0.5), (west, 1.5))
    assert codes == [hd.A, hd.C]
    assert methods == ["nearest", "nearest"]
    assert distance == pytest.approx([30, 30], abs=0.5)


def test_five_km_outside_is_unassigned_and_a_tighter_tolerance_too() -> None:
    far = -5000 / METRES_PER_DEGREE_LON / hd.STEP
    codes, methods, distance, placement = place((far, 0.5))
    assert (codes, methods) == ([None], ["unassigned"])
    assert np.isnan(distance[0]) and placement.grid[0] == -1 and placement.community[0] == -1
    west = -30 / METRES_PER_DEGREE_LON / hd.STEP
    assert place((west, 0.5), tolerance=20)[1] == ["unassigned"]


def test_parents_people_and_station_follow_the_unit_and_the_day() -> None:
    index = hd.index(leader_until=100)
    _, _, _, placement = place((0.5, 0.5), (0.5, 1.5), index=index)
    assert list(placement.grid) == [0, 1] and list(placement.community) == [0, 0]
    on_day_50 = people_on_duty(index, placement, np.array([50, 50]))
    assert list(on_day_50.leader) == [hd.LEADER_1, hd.LEADER_2]
    assert list(on_day_50.officer) == [hd.OFFICER_A, hd.OFFICER_C]
    assert list(on_day_50.police) == [hd.POLICE, hd.POLICE]
    assert list(on_day_50.station) == [hd.STATION_ID] * 2
    after = people_on_duty(index, placement, np.array([101, 101]))
    assert list(after.leader) == [-1, hd.LEADER_2], "leader 1's duty ended on day 100"


def test_china_days_counts_in_china_standard_time() -> None:
    # 2026-01-01 17:00 UTC is 2026-01-02 01:00 in China.
    seconds = np.datetime64("2026-01-01T17:00:00", "s").astype(np.int64)
    assert china_days(np.array([seconds]))[0] == np.datetime64("2026-01-02", "D").astype(int)
