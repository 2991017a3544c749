"""OGC API - Features: landing page, conformance, the reports collection and CRS (Part 2)."""

from __future__ import annotations

from datetime import datetime

import pyproj
import pytest
from sqlalchemy import event, text

from tests.api.fixtures import auth

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CGCS2000 = "http://www.opengis.net/def/crs/EPSG/0/4490"
ZONE = "http://www.opengis.net/def/crs/EPSG/0/4549"  # Gauss-Krüger 3° zone of 120°E


def test_landing_page_at_v1_links_what_ogc_clients_need(client):
    body = client.get("/v1/").json()
    rels = {link["rel"]: link["href"] for link in body["links"]}
    assert {"self", "service-desc", "service-doc", "conformance", "data"} <= set(rels)
    assert rels["conformance"].endswith("/v1/conformance")
    assert rels["data"].endswith("/v1/collections")
    assert client.get(rels["service-desc"]).json()["openapi"].startswith("3.")
    assert client.get(rels["service-doc"]).status_code == 200
    classes = client.get("/v1/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in classes
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in classes


def test_collections_offer_crs84_cgcs2000_and_the_county_zone(client, users):
    body = client.get("/v1/collections", headers=auth(users.p01)).json()
    for found in body["collections"]:
        assert found["crs"] == [CRS84, CGCS2000, ZONE] and found["storageCrs"] == CRS84
    reports = client.get("/v1/collections/reports", headers=auth(users.p01)).json()
    assert reports["id"] == "reports"
    assert any(link["rel"] == "items" for link in reports["links"])


def test_report_collection_is_scoped_as_the_report_list(client, users, reports):
    for token in (users.p01, users.p02, users.fire, users.staff01, users.admin):
        listed = client.get("/v1/reports", params={"limit": 20}, headers=auth(token)).json()
        items = client.get("/v1/collections/reports/items", params={"limit": 20},
                           headers=auth(token))  # fmt: skip
        assert items.status_code == 200 and items.headers["content-crs"] == f"<{CRS84}>"
        body = items.json()
        assert [f["id"] for f in body["features"]] == [r["id"] for r in listed["items"]]
        assert body["numberReturned"] == len(body["features"])
        assert body["numberMatched"] >= body["numberReturned"]
    mine = client.get("/v1/collections/reports/items", headers=auth(users.p02)).json()
    ids = {f["id"] for f in mine["features"]}
    assert reports.p02_security in ids and reports.p01_security not in ids
    assert {f["properties"]["station"] for f in mine["features"]} == {"370782P02"}


def test_report_collection_extent_is_where_and_when_the_callers_reports_are(
    client, county, users, reports
):
    with county.engine.connect() as conn:
        later = conn.execute(
            text(
                "update reports set reported_at = reported_at + interval '3 days' "
                "where id = :i returning reported_at"
            ),
            {"i": reports.p02_security},
        ).scalar_one()
        conn.commit()  # fmt: skip
    try:
        every = client.get("/v1/collections/reports", headers=auth(users.admin)).json()
        station = client.get("/v1/collections/reports", headers=auth(users.p01)).json()
    finally:
        with county.engine.begin() as conn:
            conn.execute(text("update reports set reported_at = reported_at - interval "
                              "'3 days' where id = :i"), {"i": reports.p02_security})  # fmt: skip
    first, last = (datetime.fromisoformat(t) for t in every["extent"]["temporal"]["interval"][0])
    assert last == later and first < last  # the county's last report is P02's, moved later
    ((_, end),) = station["extent"]["temporal"]["interval"]
    assert datetime.fromisoformat(end) < later  # P01 does not see P02's report
    minx, miny, maxx, maxy = station["extent"]["spatial"]["bbox"][0]
    assert minx <= county.p01.lon <= maxx and miny <= county.p01.lat <= maxy
    assert not minx <= county.p02.lon <= maxx or not miny <= county.p02.lat <= maxy


def test_report_items_page_with_next_links_and_number_matched(client, users, reports):
    first = client.get("/v1/collections/reports/items", params={"limit": 2},
                       headers=auth(users.admin)).json()  # fmt: skip
    assert first["numberReturned"] == 2 and first["numberMatched"] >= 6
    following = next(link["href"] for link in first["links"] if link["rel"] == "next")
    second = client.get(following, headers=auth(users.admin)).json()
    assert not {f["id"] for f in first["features"]} & {f["id"] for f in second["features"]}


def test_report_datetime_and_bbox_filters(client, county, users, reports):
    def ids(**params) -> set[str]:
        got = client.get("/v1/collections/reports/items", params=params | {"limit": 20},
                         headers=auth(users.p02))  # fmt: skip
        assert got.status_code == 200, got.text
        return {f["id"] for f in got.json()["features"]}

    assert reports.p02_security in ids(datetime="2026-06-01")  # the China day reported
    assert reports.p02_security in ids(datetime="2026-06-01T02:00:00Z")  # 10:00 China time
    assert reports.p02_security not in ids(datetime="2026-06-02/..")
    assert reports.p02_security in ids(datetime="../2026-06-01T10:00:00+08:00")
    p = county.p02
    near = f"{p.lon - 0.001},{p.lat - 0.001},{p.lon + 0.001},{p.lat + 0.001}"
    assert reports.p02_security in ids(bbox=near)
    assert reports.p02_security not in ids(
        bbox=f"{p.lon + 0.01},{p.lat},{p.lon + 0.02},{p.lat + 1}"
    )
    lat_lon = f"{p.lat - 0.001},{p.lon - 0.001},{p.lat + 0.001},{p.lon + 0.001}"
    assert reports.p02_security in ids(bbox=lat_lon, **{"bbox-crs": CGCS2000})


def test_reports_and_grids_in_cgcs2000_are_lat_lon_and_in_the_zone_metres(client, county, users,
                                                                          reports):  # fmt: skip
    url = f"/v1/collections/reports/items/{reports.p02_security}"
    p = county.p02
    lat_lon = client.get(url, params={"crs": CGCS2000}, headers=auth(users.p02))
    assert lat_lon.headers["content-crs"] == f"<{CGCS2000}>"
    assert lat_lon.json()["geometry"]["coordinates"] == pytest.approx([p.lat, p.lon], abs=1e-6)
    metres = client.get(url, params={"crs": ZONE}, headers=auth(users.p02)).json()
    # EPSG:4549's axes are northing, easting (as pyproj's authority-order transformer gives).
    expected = pyproj.Transformer.from_crs(4326, 4549).transform(p.lat, p.lon)
    assert expected[0] > 3_000_000  # northing first
    assert metres["geometry"]["coordinates"] == pytest.approx(list(expected), abs=0.01)
    unit = client.get(f"/v1/collections/units/items/{p.unit}", params={"crs": ZONE},
                      headers=auth(users.p02))  # fmt: skip
    assert unit.headers["content-crs"] == f"<{ZONE}>"
    north, east = unit.json()["geometry"]["coordinates"][0][0][0]
    assert abs(north - expected[0]) < 2_000 and abs(east - expected[1]) < 2_000


def test_an_unoffered_crs_or_bad_datetime_is_a_400_naming_it(client, users):
    for params, field in (({"crs": "http://www.opengis.net/def/crs/EPSG/0/3857"}, "crs"),
                          ({"bbox-crs": "EPSG:9999", "bbox": "0,0,1,1"}, "bbox-crs"),
                          ({"datetime": "yesterday"}, "datetime"),
                          ({"datetime": "2026-06-02/2026-06-01"}, "datetime")):  # fmt: skip
        got = client.get("/v1/collections/reports/items", params=params, headers=auth(users.p01))
        assert got.status_code == 400 and got.json()["field"] == field, got.text
    got = client.get("/v1/collections/grids/items", params={"crs": "EPSG:3857"},
                     headers=auth(users.p01))  # fmt: skip
    assert got.status_code == 400 and got.json()["field"] == "crs"


def test_a_report_outside_the_scope_or_malformed_is_a_404(client, users, reports):
    other = client.get(f"/v1/collections/reports/items/{reports.p01_security}",
                       headers=auth(users.p02))  # fmt: skip
    assert other.status_code == 404
    assert client.get("/v1/collections/reports/items/security",
                      headers=auth(users.p02)).status_code == 404  # fmt: skip


def test_items_requests_read_the_county_zone_once(client, county, users):
    url = "/v1/collections/units/items?limit=1"
    assert client.get(url, headers=auth(users.admin)).status_code == 200  # the zone is known
    extents: list[str] = []

    def watch(conn, cursor, statement, parameters, context, executemany) -> None:
        if "st_extent" in statement.lower():
            extents.append(statement)

    event.listen(county.engine, "before_cursor_execute", watch)
    try:
        for crs in (None, ZONE, CGCS2000):
            got = client.get(url, params={"crs": crs} if crs else {}, headers=auth(users.admin))
            assert got.status_code == 200, got.text
    finally:
        event.remove(county.engine, "before_cursor_execute", watch)
    assert extents == []
