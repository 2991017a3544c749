"""CRS parsing and conversion to WGS-84, the Chinese offset systems included."""

from __future__ import annotations

import math

import numpy as np
import pyproj
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import MultiLineString, Polygon

from geogrid.errors import CoordinateError, UnknownCRSError
from geogrid.geo.crs import (
    CrsSpec,
    bd09_to_gcj02,
    bd09_to_wgs84,
    crs_label,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    geometries_to_wgs84,
    parse_crs,
    projected_crs_for,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

GEOD = pyproj.Geod(ellps="WGS84")
ZHUCHENG = (119.4, 36.0)
# Well inside the rough China box, so no point of a round trip can cross its edge.
china_lon = st.floats(min_value=74.0, max_value=134.0)
china_lat = st.floats(min_value=18.0, max_value=53.0)
quick = settings(max_examples=300, deadline=None, database=None)


def metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Geodesic distance on WGS-84, element by element."""
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2])


# (WGS-84 lon, lat) -> (GCJ-02 lon, lat) printed by other implementations of the same
# published formulas; both match to the last bit, so 1e-9 is only float slack.
KNOWN_GCJ02 = [
    # wandergis/coordtransform, test/app.js ("wgs84togcj02: [116.41024449916938,
    # 39.91640428150164]"); Hutool's CoordinateUtilTest and coordtransform_rs use the same pair.
    ((116.404, 39.915), (116.41024449916938, 39.91640428150164)),
    # cuihw/collection, PositionUtilTest.java (a Java PositionUtil; its comment prints
    # longitude and latitude under swapped labels).
    ((113.647881, 34.829793), (113.65396374215176, 34.8287280094783)),
]


@pytest.mark.parametrize(("wgs", "gcj"), KNOWN_GCJ02)
def test_wgs84_to_gcj02_matches_published_pairs(wgs, gcj) -> None:
    lon, lat = wgs84_to_gcj02(*wgs)
    assert lon == pytest.approx(gcj[0], abs=1e-9)
    assert lat == pytest.approx(gcj[1], abs=1e-9)


def test_gcj02_bd09_published_pair_both_ways() -> None:
    # wandergis/coordtransform test/app.js: gcj02tobd09(116.404, 39.915) and
    # bd09togcj02(116.404, 39.915); the latter is Baidu's one-step inverse, which ours
    # refines, so it agrees to ~1e-6 degrees and ours is the exact inverse of the forward.
    assert gcj02_to_bd09(116.404, 39.915) == pytest.approx(
        (116.41036949371029, 39.92133699351021), abs=1e-9
    )
    gcj = bd09_to_gcj02(116.404, 39.915)
    assert gcj == pytest.approx((116.39762729119315, 39.90865673957631), abs=1e-6)
    assert gcj02_to_bd09(*gcj) == pytest.approx((116.404, 39.915), abs=1e-9)


def test_tiananmen_moves_the_familiar_amount() -> None:
    # The shift everyone sees in Beijing: about +0.006 lon and +0.0014 lat.
    lon, lat = wgs84_to_gcj02(116.391305, 39.905530)
    assert 0.005 < lon - 116.391305 < 0.007
    assert 0.001 < lat - 39.905530 < 0.002


def test_zhucheng_moves_a_few_hundred_metres() -> None:
    assert 200 < metres(*ZHUCHENG, *wgs84_to_gcj02(*ZHUCHENG)) < 800
    # BD-09 adds roughly (+0.0065, +0.006) degrees on top: about 1.3 km here.
    assert 1000 < metres(*ZHUCHENG, *wgs84_to_bd09(*ZHUCHENG)) < 1600


@quick
@given(china_lon, china_lat)
def test_gcj02_round_trip_is_within_a_centimetre(lon: float, lat: float) -> None:
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert back == pytest.approx((lon, lat), abs=1e-7)


@quick
@given(china_lon, china_lat)
def test_bd09_round_trips_are_far_below_a_metre(lon: float, lat: float) -> None:
    assert metres(lon, lat, *bd09_to_wgs84(*wgs84_to_bd09(lon, lat))) < 0.01
    assert metres(lon, lat, *wgs84_to_bd09(*bd09_to_wgs84(lon, lat))) < 0.01
    assert metres(lon, lat, *gcj02_to_bd09(*bd09_to_gcj02(lon, lat))) < 0.01


def test_arrays_match_scalars_and_keep_their_shape() -> None:
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(74, 134, (50, 40)), rng.uniform(18, 53, (50, 40))
    kept = lon.copy()
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert glon.shape == glat.shape == (50, 40)
    assert (lon == kept).all()  # the caller's array is not written
    assert (glon[3, 5], glat[3, 5]) == wgs84_to_gcj02(lon[3, 5], lat[3, 5])
    back = gcj02_to_wgs84(glon, glat)
    assert np.abs(back[0] - lon).max() < 1e-9 and np.abs(back[1] - lat).max() < 1e-9


def test_scalars_give_floats_and_empty_arrays_work() -> None:
    lon, lat = bd09_to_wgs84(*ZHUCHENG)
    assert isinstance(lon, float) and isinstance(lat, float)
    empty = gcj02_to_wgs84(np.array([]), np.array([]))
    assert empty[0].shape == empty[1].shape == (0,)


CONVERSIONS = [
    wgs84_to_gcj02,
    gcj02_to_wgs84,
    gcj02_to_bd09,
    bd09_to_gcj02,
    wgs84_to_bd09,
    bd09_to_wgs84,
]


@pytest.mark.parametrize("convert", CONVERSIONS)
def test_points_outside_china_are_not_offset(convert) -> None:
    # London, Tokyo, Sydney, Null Island, and NaN: none is offset.
    lon = np.array([-0.1276, 139.6917, 151.2093, 0.0, np.nan])
    lat = np.array([51.5072, 35.6895, -33.8688, 0.0, 36.0])
    out_lon, out_lat = convert(lon, lat)
    np.testing.assert_array_equal(out_lon, lon)
    np.testing.assert_array_equal(out_lat, lat)


@pytest.mark.parametrize(
    ("text", "name", "offset", "epsg"),
    [
        ("wgs84", "EPSG:4326", None, 4326),
        ("WGS84", "EPSG:4326", None, 4326),
        ("EPSG:4326", "EPSG:4326", None, 4326),
        (4326, "EPSG:4326", None, 4326),
        ("4326", "EPSG:4326", None, 4326),
        ("gcj02", "gcj02", "gcj02", 4326),
        ("GCJ-02", "gcj02", "gcj02", 4326),
        ("gcj-02", "gcj02", "gcj02", 4326),
        ("bd09", "bd09", "bd09", 4326),
        ("BD-09", "bd09", "bd09", 4326),
        ("cgcs2000", "EPSG:4490", None, 4490),
        ("EPSG:4490", "EPSG:4490", None, 4490),
        ("EPSG:4549", "EPSG:4549", None, 4549),
        (4549, "EPSG:4549", None, 4549),
        ("+proj=longlat +datum=WGS84 +no_defs", "EPSG:4326", None, 4326),
    ],
)
def test_parse_crs_accepts_the_usual_spellings(text, name, offset, epsg) -> None:
    spec = parse_crs(text)
    assert isinstance(spec, CrsSpec)
    assert (spec.name, spec.offset, spec.pyproj_crs.to_epsg()) == (name, offset, epsg)


def test_parse_crs_accepts_wkt() -> None:
    spec = parse_crs(pyproj.CRS.from_epsg(4549).to_wkt())
    assert spec.name == "EPSG:4549" and spec.offset is None


@pytest.mark.parametrize("bad", ["EPSG:999999", "foo", "EPSG:5773", "EPSG:4978"])
def test_parse_crs_names_what_it_rejects(bad: str) -> None:
    with pytest.raises(UnknownCRSError, match=bad) as info:
        parse_crs(bad)
    assert "gcj02" in str(info.value)  # and says what would do


def test_parse_crs_leaves_the_default_to_the_caller() -> None:
    with pytest.raises(UnknownCRSError, match="no coordinate system"):
        parse_crs(None)


def test_to_wgs84_from_gauss_kruger_4549() -> None:
    lon, lat = np.array([119.41, 119.2, 119.6]), np.array([35.99, 36.2, 35.8])
    x, y = pyproj.Transformer.from_crs(4326, 4549, always_xy=True).transform(lon, lat)
    assert x[0] == pytest.approx(446_800, abs=100)  # really projected: 53 km west of CM 120E
    back_lon, back_lat = to_wgs84(x, y, "EPSG:4549")
    assert np.abs(back_lon - lon).max() < 1e-9 and np.abs(back_lat - lat).max() < 1e-9


def test_to_wgs84_from_offset_and_cgcs2000() -> None:
    gx, gy = wgs84_to_gcj02(*ZHUCHENG)
    assert to_wgs84(gx, gy, "gcj02") == pytest.approx(ZHUCHENG, abs=1e-9)
    assert to_wgs84(gx, gy, parse_crs("GCJ-02")) == pytest.approx(ZHUCHENG, abs=1e-9)
    bx, by = wgs84_to_bd09(*ZHUCHENG)
    assert to_wgs84([bx], [by], "bd09")[0] == pytest.approx([ZHUCHENG[0]], abs=1e-9)
    # CGCS2000 and WGS-84 differ by centimetres: pyproj treats them as the same.
    assert to_wgs84(*ZHUCHENG, "cgcs2000") == pytest.approx(ZHUCHENG, abs=1e-7)


@pytest.mark.parametrize("crs", ["EPSG:4549", "gcj02", "bd09", "wgs84"])
def test_to_wgs84_takes_empty_arrays(crs: str) -> None:
    lon, lat = to_wgs84(np.array([]), np.array([]), crs)
    assert lon.shape == lat.shape == (0,) and lon.dtype == np.float64


def test_geometries_to_wgs84_any_type_and_keeps_empty_and_none() -> None:
    square = Polygon([(119.40, 35.95), (119.45, 35.95), (119.45, 36.0), (119.40, 36.0)])
    projected = shapely.transform(
        square,
        lambda xy: np.column_stack(
            pyproj.Transformer.from_crs(4326, 4549, always_xy=True).transform(xy[:, 0], xy[:, 1])
        ),
    )
    streets = MultiLineString([[(119.41, 35.99), (119.42, 35.98)], [(119.43, 35.97), ZHUCHENG]])
    gcj_streets = shapely.transform(streets, lambda xy: np.column_stack(wgs84_to_gcj02(*xy.T)))
    empty = shapely.Polygon()

    out = geometries_to_wgs84(np.array([projected, empty, None], dtype=object), 4549)
    assert shapely.equals_exact(out[0], square, tolerance=1e-9)
    assert out[1].is_empty and out[1].geom_type == "Polygon" and out[2] is None
    (back,) = geometries_to_wgs84([gcj_streets], "gcj02")
    assert back.geom_type == "MultiLineString"
    assert shapely.equals_exact(back, streets, tolerance=1e-9)


@pytest.mark.parametrize(
    ("lon", "epsg"), [(119.4, 4549), (75.2, 4534), (73.5, 4534), (118.49, 4548), (136.5, 4554)]
)
def test_projected_crs_for_picks_the_nearest_zone(lon: float, epsg: int) -> None:
    assert projected_crs_for(lon) == epsg


def test_projected_crs_codes_are_the_zones_pyproj_knows() -> None:
    for meridian in range(75, 136, 3):
        name = pyproj.CRS.from_epsg(projected_crs_for(meridian)).name
        assert name == f"CGCS2000 / 3-degree Gauss-Kruger CM {meridian}E"


@pytest.mark.parametrize(
    ("lon", "lat", "epsg", "name"),
    [(73.4, 39.5, 32643, "WGS 84 / UTM zone 43N"), (136.6, 45.0, 32653, "WGS 84 / UTM zone 53N"),
     (10.2, 45.0, 32632, "WGS 84 / UTM zone 32N"), (-58.4, -34.6, 32721, "WGS 84 / UTM zone 21S"),
     (180.0, -17.0, 32760, "WGS 84 / UTM zone 60S")],
)  # fmt: skip
def test_projected_crs_for_takes_the_utm_zone_outside_the_chinese_zones(
    lon: float, lat: float, epsg: int, name: str
) -> None:
    # Issue 15: a county outside 73.5-136.5E was refused; it is built in its UTM zone.
    assert projected_crs_for(lon, lat) == epsg
    assert crs_label(epsg) == f"EPSG:{epsg} ({name})"


@pytest.mark.parametrize(("lon", "lat"), [(math.nan, 36.0), (119.4, math.inf), (200.0, 0.0)])
def test_projected_crs_for_refuses_a_centre_that_is_no_place(lon: float, lat: float) -> None:
    with pytest.raises(CoordinateError, match="no metric zone"):
        projected_crs_for(lon, lat)


def test_from_wgs84_is_to_wgs84_backwards() -> None:
    lon, lat = np.array([119.4, 120.0]), np.array([36.0, 35.5])
    x, y = from_wgs84(lon, lat, "EPSG:4549")
    # Zone 40 (CM 120E): 120E itself has the false easting, 500 km.
    assert abs(x[1] - 500_000) < 1e-6 and 3_900_000 < y[0] < 4_100_000
    back = to_wgs84(x, y, "EPSG:4549")
    assert np.allclose(back[0], lon, atol=1e-9) and np.allclose(back[1], lat, atol=1e-9)
    gx, gy = from_wgs84(lon, lat, "gcj02")
    assert np.allclose(gcj02_to_wgs84(gx, gy), (lon, lat), atol=1e-8)
