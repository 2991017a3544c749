"""Coordinate reference systems of input data, and conversion of coordinates to WGS-84.

Besides anything pyproj knows (EPSG codes, PROJ strings, WKT), Chinese data comes in two
offset ("encrypted") systems that no EPSG code describes:

- GCJ-02 (国测局坐标, "Mars" coordinates): AMap/高德, Tencent, Google China. WGS-84 lon/lat
  moved by the published obfuscation polynomials on the Krasovsky ellipsoid, 100-700 m.
- BD-09 (百度坐标): Baidu. GCJ-02 moved once more by Baidu's published rotation formula.

The forward formulas are the ones every open implementation uses; the inverses are
iterated until they reproduce the input to ~1e-9 degrees (about 0.1 mm), where the
one-step "inverses" most libraries ship are off by up to 5 m (GCJ-02) and 0.2 m (BD-09).

Points outside a rough bounding box of China (lon 72.004-137.8347, lat 0.8293-55.8271) are
not offset by any of the conversions, BD-09 included: that is the usual convention, and
AMap and Baidu serve plain WGS-84 abroad. The box is rough, so near its edges (the sea,
neighbouring countries) the answer is only as right as the convention.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeAlias

import numpy as np
import pyproj
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj.exceptions import CRSError

from geogrid.errors import CoordinateError, UnknownCRSError

Coords: TypeAlias = NDArray[np.float64] | float  # an array in, an array out; a scalar, a float
Pair: TypeAlias = tuple[NDArray[np.float64], NDArray[np.float64]]

KRASOVSKY_A = 6378245.0  # semi-major axis of the ellipsoid GCJ-02 is defined on
KRASOVSKY_EE = 0.00669342162296594323  # its eccentricity squared, as published
X_PI = math.pi * 3000.0 / 180.0  # BD-09's published constant
CHINA_LON = (72.004, 137.8347)
CHINA_LAT = (0.8293, 55.8271)
INVERSE_TOLERANCE_DEG = 1e-9
INVERSE_MAX_STEPS = 30  # the offsets contract ~1000x per step: 4-5 steps are the norm

WGS84_EPSG = 4326
CGCS2000_EPSG = 4490
GK3_FIRST_EPSG, GK3_FIRST_CM, GK3_LAST_CM = 4534, 75, 135  # CGCS2000 3-degree zones
GK3_LON_RANGE = (73.5, 136.5)  # the outer edges of the first and the last zone
UTM_NORTH_EPSG, UTM_SOUTH_EPSG = 32600, 32700  # + zone number: WGS 84 / UTM zone NN N or S

# Spellings compared after lower-casing and dropping '-', '_' and spaces.
_ALIASES: dict[str, tuple[int, str | None]] = {
    "wgs84": (WGS84_EPSG, None),
    "gcj02": (WGS84_EPSG, "gcj02"),
    "bd09": (WGS84_EPSG, "bd09"),
    "cgcs2000": (CGCS2000_EPSG, None),
}
ACCEPTED = (
    "wgs84 (EPSG:4326), gcj02 (AMap/高德), bd09 (Baidu), cgcs2000 (EPSG:4490), "
    "an EPSG code such as EPSG:4549 or 4549, or a PROJ or WKT definition"
)
NAME_MAX = 64  # the database keeps the CRS name in a String(64) column


@dataclass(frozen=True)
class CrsSpec:
    """A parsed CRS: a short name, the Chinese offset if any, and the pyproj CRS under it."""

    name: str
    offset: str | None
    pyproj_crs: pyproj.CRS


def _coords(lon: ArrayLike, lat: ArrayLike) -> Pair:
    """Float arrays of one shape, copied so that callers' arrays are never written."""
    x, y = np.broadcast_arrays(np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64))
    return x.copy(), y.copy()


def _out(values: NDArray[np.float64]) -> Coords:
    """The array itself, or a numpy float when the input was a scalar."""
    return values[()]


def _in_china(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Inside the rough box; NaN is outside, so it passes through untouched."""
    return (
        (lon >= CHINA_LON[0])
        & (lon <= CHINA_LON[1])
        & (lat >= CHINA_LAT[0])
        & (lat <= CHINA_LAT[1])
    )


def _transform_lat(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    """The published latitude polynomial, in metres-like units before scaling."""
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * math.pi) + 20.0 * np.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * math.pi) + 40.0 * np.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * math.pi) + 320.0 * np.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    """The published longitude polynomial, in metres-like units before scaling."""
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * math.pi) + 20.0 * np.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * math.pi) + 40.0 * np.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * math.pi) + 300.0 * np.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _gcj_forward(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> Pair:
    """WGS-84 to GCJ-02 with no China test, operation order as published (bit-for-bit)."""
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - KRASOVSKY_EE * np.sin(radlat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((KRASOVSKY_A * (1 - KRASOVSKY_EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (KRASOVSKY_A / sqrt_magic * np.cos(radlat) * math.pi)
    return lon + dlon, lat + dlat


def _bd_forward(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> Pair:
    """GCJ-02 to BD-09 with no China test, as Baidu published it."""
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _bd_first_guess(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> Pair:
    """Baidu's published one-step inverse (off by up to 0.2 m): _invert's start."""
    x, y = lon - 0.0065, lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def _invert(
    forward: Callable[[NDArray[np.float64], NDArray[np.float64]], Pair],
    target: Pair,
    guess: Pair,
) -> Pair:
    """Solve forward(p) = target by fixed-point steps; the offsets vary slowly, so it converges."""
    x, y = guess
    for _ in range(INVERSE_MAX_STEPS):
        fx, fy = forward(x, y)
        ex, ey = fx - target[0], fy - target[1]
        x, y = x - ex, y - ey
        # NaN > tol is False: a NaN coordinate cannot keep the loop going.
        if not ((np.abs(ex) > INVERSE_TOLERANCE_DEG) | (np.abs(ey) > INVERSE_TOLERANCE_DEG)).any():
            break
    return x, y


def _apply_in_china(
    lon: ArrayLike, lat: ArrayLike, convert: Callable[..., Pair]
) -> tuple[Coords, Coords]:
    """Run convert on the points inside China only; the rest stay as they are."""
    x, y = _coords(lon, lat)
    inside = _in_china(x, y)
    if inside.any():
        x[inside], y[inside] = convert(x[inside], y[inside])
    return _out(x), _out(y)


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[Coords, Coords]:
    """WGS-84 lon/lat to GCJ-02 (AMap/高德); points outside China are returned unchanged."""
    return _apply_in_china(lon, lat, _gcj_forward)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[Coords, Coords]:
    """GCJ-02 lon/lat to WGS-84, iterated to ~1e-9 degrees; outside China unchanged."""
    return _apply_in_china(lon, lat, lambda x, y: _invert(_gcj_forward, (x, y), (x, y)))


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[Coords, Coords]:
    """GCJ-02 lon/lat to BD-09 (Baidu); points outside China are returned unchanged."""
    return _apply_in_china(lon, lat, _bd_forward)


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[Coords, Coords]:
    """BD-09 lon/lat to GCJ-02, iterated to ~1e-9 degrees; outside China unchanged."""
    return _apply_in_china(
        lon, lat, lambda x, y: _invert(_bd_forward, (x, y), _bd_first_guess(x, y))
    )


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[Coords, Coords]:
    """WGS-84 lon/lat to BD-09, through GCJ-02."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[Coords, Coords]:
    """BD-09 lon/lat to WGS-84, through GCJ-02."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_TO_WGS84 = {"gcj02": gcj02_to_wgs84, "bd09": bd09_to_wgs84}


def parse_crs(text: str | int | None) -> CrsSpec:
    """The CrsSpec for a name (wgs84, gcj02, bd09, cgcs2000), an EPSG code, PROJ or WKT text."""
    if text is None:
        # Which CRS a file that declares none is in is the caller's decision, not ours.
        raise UnknownCRSError(f"no coordinate system given: use {ACCEPTED}")
    if isinstance(text, bool) or not isinstance(text, str | int):
        raise UnknownCRSError(f"unknown coordinate system {text!r}: use {ACCEPTED}")
    return _parse(text.strip() if isinstance(text, str) else text)


@lru_cache(maxsize=64)
def _parse(text: str | int) -> CrsSpec:
    """parse_crs without the type checks, cached: pyproj takes milliseconds per CRS."""
    key = str(text).lower().replace("-", "").replace("_", "").replace(" ", "")
    if key in _ALIASES:
        epsg, offset = _ALIASES[key]
        crs = pyproj.CRS.from_epsg(epsg)
        return CrsSpec(offset or f"EPSG:{epsg}", offset, crs)
    try:
        crs = pyproj.CRS.from_user_input(text)
    except CRSError:
        raise UnknownCRSError(
            f"unknown coordinate system {text!r}: use {ACCEPTED}"
        ) from None  # pyproj's own message is PROJ internals, of no use to a user
    if not (crs.is_geographic or crs.is_projected):
        # Vertical, geocentric or engineering systems "convert" to nonsense lon/lat.
        raise UnknownCRSError(
            f"{text!r} is not a geographic or projected coordinate system: use {ACCEPTED}"
        )
    epsg = crs.to_epsg()
    return CrsSpec(f"EPSG:{epsg}" if epsg else crs.name[:NAME_MAX], None, crs)


_FROM_WGS84 = {"gcj02": wgs84_to_gcj02, "bd09": wgs84_to_bd09}


@lru_cache(maxsize=64)
def _transformer(crs: pyproj.CRS, *, to_wgs84: bool) -> pyproj.Transformer:
    """A cached transformer between crs and WGS-84 lon/lat, either way (pyproj >= 3.1 makes
    them thread-safe)."""
    pair = (crs, WGS84_EPSG) if to_wgs84 else (WGS84_EPSG, crs)
    return pyproj.Transformer.from_crs(*pair, always_xy=True)


def _convert(x: ArrayLike, y: ArrayLike, crs: CrsSpec | str | int, *, to_wgs84: bool) -> Pair:
    spec = crs if isinstance(crs, CrsSpec) else parse_crs(crs)
    if spec.offset is not None:
        u, v = (_TO_WGS84 if to_wgs84 else _FROM_WGS84)[spec.offset](x, y)
    else:
        u, v = _transformer(spec.pyproj_crs, to_wgs84=to_wgs84).transform(
            np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        )
    return np.asarray(u, dtype=np.float64), np.asarray(v, dtype=np.float64)


def to_wgs84(x: ArrayLike, y: ArrayLike, crs: CrsSpec | str | int) -> Pair:
    """Coordinates in crs to WGS-84 lon/lat arrays (x is easting or longitude)."""
    return _convert(x, y, crs, to_wgs84=True)


def from_wgs84(lon: ArrayLike, lat: ArrayLike, crs: CrsSpec | str | int) -> Pair:
    """WGS-84 lon/lat to coordinates in crs (x is easting or longitude): to_wgs84's inverse."""
    return _convert(lon, lat, crs, to_wgs84=False)


def geometries_to_wgs84(geoms: ArrayLike, crs: CrsSpec | str | int) -> NDArray[np.object_]:
    """Shapely geometries in crs to WGS-84, any type; None and empty ones stay as they are.

    Z values are dropped: geogrid stores 2-D geometries, and a horizontal change of
    datum says nothing about heights.
    """
    spec = crs if isinstance(crs, CrsSpec) else parse_crs(crs)

    def convert(xy: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.column_stack(to_wgs84(xy[:, 0], xy[:, 1], spec))

    return shapely.transform(np.asarray(geoms, dtype=object), convert)


def projected_crs_for(lon: float, lat: float = 0.0) -> int:
    """EPSG code of the metric zone a county centred at lon/lat is built in.

    Inside China's span, the CGCS2000 3-degree Gauss-Krüger zone nearest lon (no zone
    prefix), as official data uses; elsewhere the WGS 84 UTM zone of the centre (north or
    south by lat), whose scale error stays within 0.1 % across a county-sized area.
    """
    if not (math.isfinite(lon) and math.isfinite(lat)) or abs(lat) > 90 or abs(lon) > 180:
        raise CoordinateError(f"no metric zone for the centre lon {lon!r}, lat {lat!r}")
    if not GK3_LON_RANGE[0] <= lon <= GK3_LON_RANGE[1]:
        return utm_crs_for(lon, lat)
    # floor(x + 0.5), not round(): round() sends 73.5 (half-even) to the zone of 72E.
    meridian = 3 * math.floor(lon / 3 + 0.5)
    meridian = min(max(meridian, GK3_FIRST_CM), GK3_LAST_CM)
    return GK3_FIRST_EPSG + (meridian - GK3_FIRST_CM) // 3


def utm_crs_for(lon: float, lat: float) -> int:
    """EPSG code of the WGS 84 UTM zone holding lon/lat (326xx north, 327xx south)."""
    zone = min(int((lon + 180) // 6) + 1, 60)  # 180E itself belongs to zone 60
    return (UTM_NORTH_EPSG if lat >= 0 else UTM_SOUTH_EPSG) + zone


def crs_label(epsg: int) -> str:
    """'EPSG:32632 (WGS 84 / UTM zone 32N)': the code and pyproj's name, for people to read."""
    return f"EPSG:{epsg} ({pyproj.CRS.from_epsg(epsg).name})"
