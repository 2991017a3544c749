"""The geotag lookup core: the intake's rules for one point, names, duty and edge distance."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pyproj
import pytest

from geogrid.errors import CoordinateError, UnknownCRSError
from geogrid.geo.crs import wgs84_to_gcj02
from geogrid.reports.assign import place_points
from geogrid.reports.index import load_index
from geogrid.reports.lookup import PointLookup, lookup_point, to_lon_lat
from geogrid.vocabulary import EPOCH_DAY as EPOCH
from tests.reports import handdrawn as hd

METRES_PER_DEGREE_LON = 111_320 * np.cos(np.radians(36.0))


def drawn_index(leader_until: int = hd.NO_DAY):
    """The hand-drawn community with names and phones for its people and station."""
    index = hd.index(leader_until)
    index.people = {p: (f"person {p}", f"100{p:08d}") for p in
                    (hd.LEADER_1, hd.LEADER_2, hd.OFFICER_A, hd.OFFICER_B, hd.OFFICER_C,
                     hd.POLICE)}  # fmt: skip
    index.stations = {hd.STATION_ID: ("370782P07", "七号派出所", "0536-7")}
    return index


def test_the_same_rules_as_the_intake_on_edges_vertices_and_outside():
    index = drawn_index()
    steps = np.arange(-0.75, 2.76, 0.25)  # the lattice hits every edge and shared vertex
    x, y = np.meshgrid(steps, steps)
    lon, lat = hd.xy(x.ravel(), y.ravel())
    expected = place_points(index, lon, lat, 50.0)
    lookup = PointLookup(index)
    for k in range(len(lon)):
        unit, method, distance = lookup.place(float(lon[k]), float(lat[k]), 50.0)
        assert (unit, method) == (int(expected.unit[k]), expected.method_names()[k]), (x, y)
        if method == "nearest":
            assert distance == pytest.approx(expected.distance_m[k])


def test_the_same_answers_as_the_intake_across_the_county(county_engine):
    index = load_index(county_engine)
    x0, y0, x1, y1 = np.array([g.bounds for g in index.units.geoms]).T
    rng = np.random.default_rng(3)
    lon = rng.uniform(x0.min() - 0.002, x1.max() + 0.002, 3000)
    lat = rng.uniform(y0.min() - 0.002, y1.max() + 0.002, 3000)
    expected = place_points(index, lon, lat, 50.0)
    lookup = PointLookup(index)
    found = [lookup.place(float(a), float(b), 50.0) for a, b in zip(lon, lat, strict=True)]
    assert [f[0] for f in found] == expected.unit.tolist()
    assert [f[1] for f in found] == expected.method_names().tolist()
    assert {f[1] for f in found} >= {"inside", "nearest", "unassigned"}


def test_inside_the_distance_is_to_the_nearest_edge_in_metres():
    found = lookup_point(drawn_index(), *hd.xy(0.5, 0.5), day=date(2026, 6, 1))
    assert found.method == "inside" and found.unit.code == hd.A
    assert found.edge_distance_m == pytest.approx(0.5 * hd.STEP * METRES_PER_DEGREE_LON, rel=0.01)
    on_edge = lookup_point(drawn_index(), *hd.xy(1.0, 0.5))
    assert (on_edge.method, on_edge.edge_distance_m, on_edge.unit.code) == ("boundary", 0.0, hd.A)
    west = -30 / METRES_PER_DEGREE_LON / hd.STEP
    outside = lookup_point(drawn_index(), *hd.xy(west, 0.5))
    assert outside.method == "nearest" and outside.edge_distance_m == pytest.approx(30, abs=0.5)


def test_names_people_and_station_of_the_point():
    found = lookup_point(drawn_index(), *hd.xy(0.5, 1.5), day=date(2026, 6, 1))
    assert (found.unit.code, found.grid.code, found.community.code) == (hd.C, hd.GRID_2,
                                                                         hd.COMMUNITY)  # fmt: skip
    assert found.duty.leader.name == f"person {hd.LEADER_2}"
    assert found.duty.officer.phone == f"100{hd.OFFICER_C:08d}"
    assert found.duty.police.name == f"person {hd.POLICE}"
    assert (found.duty.station.code, found.duty.station.name) == ("370782P07", "七号派出所")
    assert found.community_code == hd.COMMUNITY


def test_duty_follows_the_day_and_is_remembered_per_unit_and_day():
    lookup = PointLookup(drawn_index(leader_until=100))
    day_50, day_101 = EPOCH + timedelta(days=50), EPOCH + timedelta(days=101)
    assert lookup.find(*hd.xy(0.5, 0.5), day=day_50).duty.leader.name == f"person {hd.LEADER_1}"
    assert lookup.find(*hd.xy(0.5, 0.5), day=day_101).duty.leader is None
    again = lookup.find(*hd.xy(0.2, 0.2), day=day_50).duty
    assert again is lookup.find(*hd.xy(0.7, 0.7), day=day_50).duty


def test_far_outside_is_unassigned():
    far = -5000 / METRES_PER_DEGREE_LON / hd.STEP
    found = lookup_point(drawn_index(), *hd.xy(far, 0.5))
    assert (found.method, found.unit, found.edge_distance_m) == ("unassigned", None, None)
    assert found.duty.leader is None and found.version_id == 1


def test_coordinates_in_other_systems_become_wgs84():
    assert to_lon_lat(119.4, 36.0) == (119.4, 36.0)
    lon, lat = to_lon_lat(*wgs84_to_gcj02(119.4, 36.0), "gcj02")
    assert (lon, lat) == pytest.approx((119.4, 36.0), abs=1e-8)
    x, y = pyproj.Transformer.from_crs(4326, 4549, always_xy=True).transform(119.4, 36.0)
    assert to_lon_lat(x, y, "EPSG:4549") == pytest.approx((119.4, 36.0), abs=1e-8)


@pytest.mark.parametrize(
    "x, y, crs, error, field",
    [(181, 36, None, CoordinateError, "lon"), (119, -91, "gcj02", CoordinateError, "lat"),
     (float("inf"), 36, None, CoordinateError, "lon"),
     (119, 36, "EPSG:0", UnknownCRSError, "crs"), (119, 36, "mars", UnknownCRSError, "crs"),
     (36.0, 119.4, None, CoordinateError, "lat"),  # swapped, as the intake rejects it
     (0, 0, "gcj02", CoordinateError, "lon")],  # no GPS fix
)  # fmt: skip
def test_unusable_points_name_the_field(x, y, crs, error, field):
    with pytest.raises(error) as raised:
        to_lon_lat(x, y, crs)
    assert raised.value.field == field
