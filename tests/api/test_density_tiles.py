"""Report density tiles: square bins with counts, scoped exactly as the reports collection."""

from __future__ import annotations

from pathlib import Path

import pyogrio
from sqlalchemy import text

from tests.api.fixtures import auth
from tests.api.places import tile_of

DENSITY = "/v1/collections/reports/tiles/WebMercatorQuad"
FIELDS = ("count", "hazard", "incident", "other")


def bins(body: bytes, folder: Path, name: str) -> list[dict]:
    """The bins of a density tile as GDAL's MVT driver reads them."""
    path = folder / f"{name}.mvt"
    path.write_bytes(body)
    frame = pyogrio.read_dataframe(path, layer="reports", read_geometry=False)
    return frame[list(FIELDS)].astype(int).to_dict("records")


# Who sees a report, as the scope condition says it (tests/api/places.make_users' roles).
SCOPES = {
    "admin": "true",
    "p01": "r.station_id = (select id from stations where code = '370782P01')",
    "fire": "(select id from departments where code = 'fire') in "
            "(r.department_id, r.handler_department_id)",
}  # fmt: skip


def expected_bins(engine, z: int, x: int, y: int, who: str) -> list[dict]:
    """The bins of tile z/x/y worked out in Python: a bin of a tile at zoom z is the tile
    at zoom z + 4 (16 = 2**4 bins across) holding the point."""
    with engine.connect() as conn:
        rows = conn.execute(text(
            "select st_x(r.geom), st_y(r.geom), c.heat_group from reports r "
            "join report_categories c on c.id = r.category_id "
            f"where r.geom is not null and {SCOPES[who]}")).all()  # fmt: skip
    found: dict[tuple[int, int], dict] = {}
    for lon, lat, group in rows:
        if tile_of(lon, lat, z) == (x, y):
            counts = found.setdefault(tile_of(lon, lat, z + 4), dict.fromkeys(FIELDS, 0))
            counts["count"] += 1
            counts[group or "other"] += 1
    return sorted(found.values(), key=str)


def test_counts_in_a_known_tile_match_the_reports_there(client, county, users, reports,
                                                        tmp_path):  # fmt: skip
    for z in (9, 16):
        x, y = tile_of(county.p01.lon, county.p01.lat, z)
        got = client.get(f"{DENSITY}/{z}/{y}/{x}", headers=auth(users.admin))
        assert got.status_code == 200, got.text
        assert got.headers["content-type"] == "application/vnd.mapbox-vector-tile"
        found = sorted(bins(got.content, tmp_path, f"admin{z}"), key=str)
        assert found == expected_bins(county.engine, z, x, y, "admin")
        assert sum(b["count"] for b in found) >= (5 if z == 9 else 3)
    # Deep in P01's first unit the three reports made there share a bin, one of each group.
    assert any(min(b.values()) >= 1 and b["count"] >= 3 for b in found)


def test_a_station_counts_only_its_own_reports(client, county, users, reports, tmp_path):
    x, y = tile_of(county.p01.lon, county.p01.lat, 9)
    own = client.get(f"{DENSITY}/9/{y}/{x}", headers=auth(users.p01))
    assert own.status_code == 200
    found = sorted(bins(own.content, tmp_path, "p01"), key=str)
    assert found == expected_bins(county.engine, 9, x, y, "p01")
    every = expected_bins(county.engine, 9, x, y, "admin")
    assert sum(b["count"] for b in found) < sum(b["count"] for b in every)
    x, y = tile_of(county.p02.lon, county.p02.lat, 16)  # P02's own reports: none for P01
    assert client.get(f"{DENSITY}/16/{y}/{x}", headers=auth(users.p01)).status_code == 204
    x, y = tile_of(county.p01.lon, county.p01.lat, 16)
    fire = client.get(f"{DENSITY}/16/{y}/{x}", headers=auth(users.fire))  # its case there
    expected = expected_bins(county.engine, 16, x, y, "fire")
    assert sorted(bins(fire.content, tmp_path, "fire"), key=str) == expected
    assert sum(b["hazard"] for b in expected) >= 1  # the fire hazard made there


def test_etag_and_bad_coordinates(client, county, users, reports):
    x, y = tile_of(county.p01.lon, county.p01.lat, 12)
    first = client.get(f"{DENSITY}/12/{y}/{x}", headers=auth(users.admin))
    asked = auth(users.admin) | {"If-None-Match": first.headers["etag"]}
    again = client.get(f"{DENSITY}/12/{y}/{x}", headers=asked)
    assert again.status_code == 304 and "private" in first.headers["cache-control"]
    got = client.get(f"{DENSITY}/3/0/8", headers=auth(users.admin))
    assert got.status_code == 404 and got.json()["field"] == "x"
