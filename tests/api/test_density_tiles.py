"""Report density tiles: square bins with counts, scoped exactly as the reports collection."""

from __future__ import annotations

from pathlib import Path

import pyogrio
from sqlalchemy import text

from tests.api.conftest import auth
from tests.api.places import tile_of

DENSITY = "/v1/collections/reports/tiles/WebMercatorQuad"


def bins(body: bytes, folder: Path, name: str) -> list[dict]:
    """The bins of a density tile as GDAL's MVT driver reads them."""
    path = folder / f"{name}.mvt"
    path.write_bytes(body)
    frame = pyogrio.read_dataframe(path, layer="reports", read_geometry=False)
    return frame[["count", "hazard", "incident", "other"]].astype(int).to_dict("records")


def reports_in_tile(engine, z: int, x: int, y: int, station: str | None = None) -> int:
    """Reports (of a station, or all) whose point lies in the tile, counted in Python."""
    with engine.connect() as conn:
        points = conn.execute(text(
            "select st_x(r.geom), st_y(r.geom) from reports r left join stations s "
            "on s.id = r.station_id where r.geom is not null "
            "and (cast(:s as text) is null or s.code = :s)"), {"s": station}).all()  # fmt: skip
    return sum(tile_of(lon, lat, z) == (x, y) for lon, lat in points)


def test_counts_in_a_known_tile_match_the_reports_there(client, county, users, reports,
                                                        tmp_path):  # fmt: skip
    x, y = tile_of(county.p01.lon, county.p01.lat, 9)
    got = client.get(f"{DENSITY}/9/{y}/{x}", headers=auth(users.admin))
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    found = bins(got.content, tmp_path, "admin")
    assert sum(b["count"] for b in found) == reports_in_tile(county.engine, 9, x, y) >= 5
    assert all(b["count"] == b["hazard"] + b["incident"] + b["other"] for b in found)
    # Deep in P01's first unit the three reports made there share one bin.
    x, y = tile_of(county.p01.lon, county.p01.lat, 16)
    deep = bins(client.get(f"{DENSITY}/16/{y}/{x}", headers=auth(users.admin)).content,
                tmp_path, "deep")  # fmt: skip
    assert {"count": 3, "hazard": 1, "incident": 1, "other": 1} in deep


def test_a_station_counts_only_its_own_reports(client, county, users, reports, tmp_path):
    x, y = tile_of(county.p01.lon, county.p01.lat, 9)
    own = client.get(f"{DENSITY}/9/{y}/{x}", headers=auth(users.p01))
    assert own.status_code == 200
    found = bins(own.content, tmp_path, "p01")
    assert sum(b["count"] for b in found) == reports_in_tile(county.engine, 9, x, y, "370782P01")
    everything = reports_in_tile(county.engine, 9, x, y)
    assert sum(b["count"] for b in found) < everything
    x, y = tile_of(county.p01.lon, county.p01.lat, 16)
    assert client.get(f"{DENSITY}/16/{y}/{x}", headers=auth(users.p02)).status_code == 204
    fire = client.get(f"{DENSITY}/16/{y}/{x}", headers=auth(users.fire))  # its one case there
    assert bins(fire.content, tmp_path, "fire") == [
        {"count": 1, "hazard": 1, "incident": 0, "other": 0}
    ]


def test_etag_and_bad_coordinates(client, county, users, reports):
    x, y = tile_of(county.p01.lon, county.p01.lat, 12)
    first = client.get(f"{DENSITY}/12/{y}/{x}", headers=auth(users.admin))
    asked = auth(users.admin) | {"If-None-Match": first.headers["etag"]}
    again = client.get(f"{DENSITY}/12/{y}/{x}", headers=asked)
    assert again.status_code == 304 and "private" in first.headers["cache-control"]
    got = client.get(f"{DENSITY}/3/0/8", headers=auth(users.admin))
    assert got.status_code == 404 and got.json()["field"] == "x"
