"""OGC API - Features pieces shared by the collections: conformance, CRS and datetime.

Part 2 (CRS by reference): features are stored in WGS-84 lon/lat and served in CRS84 unless
the `crs` parameter asks for CGCS2000 (EPSG:4490) or the county's CGCS2000 Gauss-Krüger zone
(EPSG:4549 for Zhucheng), each in the axis order of its EPSG definition, as Part 2 asks:
latitude, longitude for 4490 and northing, easting for the zones 4513-4554. A `bbox` may be
given in any of these with `bbox-crs`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Annotated

import pyproj
from fastapi import Depends, Query

from geogrid.api.deps import bbox_query
from geogrid.errors import InputError
from geogrid.geo.crs import projected_crs_for
from geogrid.vocabulary import as_china_time

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{}"
CGCS2000 = 4490
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]
CrsQuery = Annotated[
    str | None,
    Query(max_length=80, description="Output CRS as a URI: CRS84 (default), EPSG 4490 "
          "(lat, lon) or the county's Gauss-Krüger zone (EPSG 4549 for the sample: northing, "
          "easting); see the collection's `crs` list."),
]  # fmt: skip
BboxCrsQuery = Annotated[
    str | None,
    Query(alias="bbox-crs", max_length=80, description="CRS of `bbox` (default CRS84).",
          examples=[CRS84]),
]  # fmt: skip
BboxQuery = Annotated[
    str | None,
    Query(description="minLon,minLat,maxLon,maxLat in WGS-84, or four numbers in the axis "
          "order of `bbox-crs`.", examples=["119.35,35.95,119.45,36.05"]),
]  # fmt: skip
DatetimeQuery = Annotated[
    str | None,
    Query(alias="datetime", max_length=80, description="An instant or interval (RFC 3339, "
          "`..` open): "
          "`2026-06-01T10:00:00+08:00`, `2026-06-01/2026-06-30`, `../2026-06-30T00:00:00Z`. "
          "A date without time is a whole China day."),
]  # fmt: skip


@dataclass(frozen=True)
class OutputCrs:
    """A CRS features can be served in: its URI, EPSG code, axis swap and decimals."""

    uri: str
    srid: int
    north_first: bool  # as EPSG defines 4490 (lat, lon) and 4549 (northing, easting)
    digits: int

    def header(self) -> dict[str, str]:
        """The Content-Crs header of a response in this CRS."""
        return {"Content-Crs": f"<{self.uri}>"}


@dataclass(frozen=True)
class BboxRequest:
    """A `bbox` as given, with the CRS it is given in (None: CRS84)."""

    values: tuple[float, float, float, float] | None
    crs: str | None

    def lon_lat(self, offered: list[OutputCrs]) -> tuple[float, float, float, float] | None:
        """The box in WGS-84 lon/lat; InputError when `bbox-crs` is not offered."""
        box = bbox_in_lon_lat(self.values, chosen_crs(self.crs, offered, "bbox-crs"))
        if box is not None and not all(math.isfinite(v) for v in box):
            raise InputError(f"bbox {self.values} lies outside {self.crs}", field="bbox")
        return box


async def bbox_request(bbox: BboxQuery = None, bbox_crs: BboxCrsQuery = None) -> BboxRequest:
    """`bbox` and `bbox-crs`, checked: lon/lat ranges in CRS84, ordered corners in any."""
    if bbox is None or bbox_crs is None:
        return BboxRequest(await bbox_query(bbox), bbox_crs)
    try:
        values = tuple(float(v) for v in bbox.split(","))
    except ValueError:
        raise InputError(f"bbox {bbox!r} is not four numbers", field="bbox") from None
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise InputError(f"bbox {bbox!r} is not four finite numbers", field="bbox")
    if values[0] > values[2] or values[1] > values[3]:
        raise InputError("bbox must be its lower corner, then its upper corner", field="bbox")
    return BboxRequest(values, bbox_crs)  # type: ignore[arg-type]


BboxRequestDep = Annotated[BboxRequest, Depends(bbox_request)]


def county_crs_list(county_lon: float | None) -> list[OutputCrs]:
    """The CRSs offered: CRS84, CGCS2000 and (when the county is known) its zone."""
    found = [OutputCrs(CRS84, 4326, False, 7), _epsg(CGCS2000, 7)]
    if county_lon is not None:
        found.append(_epsg(projected_crs_for(county_lon), 3))
    return found


@lru_cache(maxsize=16)
def _epsg(srid: int, digits: int) -> OutputCrs:
    """An EPSG CRS in its authority's axis order (OGC API Part 2 serves that order)."""
    first = pyproj.CRS.from_epsg(srid).axis_info[0].direction
    return OutputCrs(EPSG_URI.format(srid), srid, first == "north", digits)


def chosen_crs(value: str | None, offered: list[OutputCrs], field: str = "crs") -> OutputCrs:
    """The offered CRS a parameter names (default CRS84); InputError naming the field."""
    if value is None:
        return offered[0]
    for crs in offered:
        if value.strip() in (crs.uri, f"[{crs.uri}]", f"EPSG:{crs.srid}") or (
            crs.srid == 4326 and value.strip() in ("CRS84", "OGC:CRS84")
        ):
            return crs
    uris = ", ".join(c.uri for c in offered)
    raise InputError(f"{field} {value!r} is not offered: use one of {uris}", field=field)


def bbox_in_lon_lat(
    bbox: tuple[float, float, float, float] | None, crs: OutputCrs
) -> tuple[float, float, float, float] | None:
    """A bbox given in `crs` (its axis order) as WGS-84 lon/lat, enlarged to hold it whole."""
    if bbox is None or crs.srid == 4326:
        return bbox
    x1, y1, x2, y2 = (bbox[1], bbox[0], bbox[3], bbox[2]) if crs.north_first else bbox
    return _to_lon_lat(crs.srid).transform_bounds(x1, y1, x2, y2, densify_pts=21)


def point_coordinates(lon: float, lat: float, crs: OutputCrs) -> list[float]:
    """A stored lon/lat point in `crs`, in its axis order, rounded to its decimals."""
    if crs.srid == 4326:
        x, y = lon, lat
    else:
        x, y = _from_lon_lat(crs.srid).transform(lon, lat)
    pair = [y, x] if crs.north_first else [x, y]
    return [round(v, crs.digits) for v in pair]


def datetime_interval(value: str | None) -> tuple[datetime | None, datetime | None]:
    """`datetime` as (start inclusive, end exclusive); an instant is a single microsecond,
    a date a whole China day. InputError naming `datetime` for anything else."""
    if value is None:
        return None, None
    parts = value.split("/")
    if len(parts) > 2 or not all(parts):
        raise InputError(f"datetime {value!r} is not an instant or start/end", field="datetime")
    if len(parts) == 1:
        return _moment(parts[0])
    start, end = (None if p == ".." else _moment(p) for p in parts)
    begin, finish = (start or (None, None))[0], (end or (None, None))[1]
    if begin is not None and finish is not None and begin >= finish:
        raise InputError(f"datetime {value!r} ends before it starts", field="datetime")
    return begin, finish


def _moment(text: str) -> tuple[datetime, datetime]:
    """An RFC 3339 date-time (one microsecond) or a date (a China day) as [start, end)."""
    try:
        if "T" not in text.upper():
            day = date.fromisoformat(text)
            start = as_china_time(datetime.combine(day, time()))
            return start, start + timedelta(days=1)
        moment = as_china_time(datetime.fromisoformat(text.replace("z", "Z")))
    except ValueError:
        raise InputError(f"datetime {text!r} is not RFC 3339", field="datetime") from None
    return moment, moment + timedelta(microseconds=1)


@lru_cache(maxsize=8)
def _from_lon_lat(srid: int) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(4326, srid, always_xy=True)


@lru_cache(maxsize=8)
def _to_lon_lat(srid: int) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(srid, 4326, always_xy=True)
