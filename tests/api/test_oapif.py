"""GDAL's OGC API - Features driver (what QGIS uses) as the client of a served geogrid.

`geogrid serve` runs on loopback in a process of its own (the `served` fixture: GDAL holds
the GIL while it reads, so a server thread in the test process would never answer), on the
tiny county with pages of at most 20 items, so GDAL follows `next` links. GDAL starts from
/v1, reads the landing page and the OpenAPI document, and sends the token as its bearer
authentication (GDAL_HTTP_AUTH=BEARER, GDAL_HTTP_BEARER=token): GDAL_HTTP_HEADERS does not reach the
server, as the driver sends its own Accept header, which replaces that option's headers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pyogrio
import pytest
from fastapi.testclient import TestClient

from tests.api.fixtures import auth

LEVELS = ("communities", "grids", "units")


@pytest.fixture(scope="module")
def api(served: str) -> str:
    """The OGC API's root (landing page) on the served geogrid."""
    return served + "/v1"


@contextmanager
def bearer(token: str) -> Iterator[None]:
    """GDAL sends `Authorization: Bearer token` with each request inside."""
    pyogrio.set_gdal_config_options({"GDAL_HTTP_AUTH": "BEARER", "GDAL_HTTP_BEARER": token})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"GDAL_HTTP_AUTH": None, "GDAL_HTTP_BEARER": None})


def read(url: str, token: str, layer: str, **options):
    """A collection read by GDAL's OAPIF driver with the token."""
    with bearer(token):
        return pyogrio.read_dataframe(f"OAPIF:{url}", layer=layer, **options)


def matched(client: TestClient, token: str, collection: str, **params) -> int:
    """numberMatched of a collection as the API counts it."""
    got = client.get(f"/v1/collections/{collection}/items", params=params | {"limit": 1},
                     headers=auth(token))  # fmt: skip
    return got.json()["numberMatched"]


def test_gdal_lists_and_reads_every_collection_whole(api, client, users, reports):
    with bearer(users.admin):
        layers = {name for name, _ in pyogrio.list_layers(f"OAPIF:{api}")}
    assert layers == {*LEVELS, "reports"}
    for layer in (*LEVELS, "reports"):
        frame = read(api, users.admin, layer)
        assert len(frame) == matched(client, users.admin, layer) > 0, layer
        assert frame.crs.to_string() == "OGC:CRS84" and frame.geometry.notna().all()
        assert frame.geometry.is_valid.all()
    units = read(api, users.admin, "units")
    assert units["code"].str.len().eq(18).all() and units["code"].is_unique


def test_gdal_bbox_read_returns_only_what_meets_the_box(api, client, county, users):
    p = county.p01
    box = (p.lon - 0.002, p.lat - 0.002, p.lon + 0.002, p.lat + 0.002)
    frame = read(api, users.admin, "units", bbox=box)
    whole = matched(client, users.admin, "units")
    assert 0 < len(frame) < whole and p.unit in set(frame["code"])
    assert len(frame) == matched(client, users.admin, "units", bbox=",".join(map(str, box)))


def test_gdal_reads_the_county_zone_in_metres(api, county, users):
    frame = read(api, users.admin, "communities", CRS="EPSG:4549")
    assert frame.crs.to_epsg() == 4549
    xmin, ymin, xmax, ymax = frame.total_bounds
    # Zhucheng in the 120°E zone: eastings near 500 km, northings near 3,990 km.
    assert 400_000 < xmin < xmax < 600_000 and 3_900_000 < ymin < ymax < 4_100_000
    lon_lat = read(api, users.admin, "communities").to_crs(4549)
    assert abs(frame.area.sum() - lon_lat.area.sum()) < 1e-4 * lon_lat.area.sum()


def test_gdal_reads_only_the_stations_reports_with_its_token(api, client, users, reports):
    frame = read(api, users.p02, "reports")
    assert len(frame) == matched(client, users.p02, "reports") > 0
    assert set(frame["station"]) == {"370782P02"}
    assert reports.p02_security in set(frame["id"]) and reports.p01_security not in set(frame["id"])
    assert frame["reported_at"].notna().all() and frame.crs.to_string() == "OGC:CRS84"
    everything = read(api, users.admin, "reports")
    assert len(everything) > len(frame)


def test_gdal_reads_with_the_token_as_a_basic_password_as_qgis_3_22_sends_it(api, users):
    """QGIS 3.22 (Debian 12's) has no method sending a bearer header; its Basic method
    sends `Authorization: Basic base64(user:password)`: the token as the password works,
    any user name, and a wrong one is refused."""
    pyogrio.set_gdal_config_options({"GDAL_HTTP_AUTH": "BASIC",
                                     "GDAL_HTTP_USERPWD": f"qgis:{users.p02}"})  # fmt: skip
    try:
        frame = pyogrio.read_dataframe(f"OAPIF:{api}", layer="communities")
        assert len(frame) > 0
        pyogrio.set_gdal_config_options({"GDAL_HTTP_USERPWD": "qgis:not-a-token"})
        with pytest.raises(Exception, match=r"401|[Uu]nauthori"):
            pyogrio.read_dataframe(f"OAPIF:{api}", layer="communities")
    finally:
        pyogrio.set_gdal_config_options({"GDAL_HTTP_AUTH": None, "GDAL_HTTP_USERPWD": None})
