"""Vector tiles: decoded by GDAL's MVT driver, counted against PostGIS, scoped, cached."""

from __future__ import annotations

import time
from pathlib import Path

import pyogrio
from sqlalchemy import text

from geogrid.storage import grids as stored_grids
from geogrid.storage.versions import active_version
from tests.api.fixtures import auth
from tests.api.places import tile_of

TMS = "/v1/tiles/WebMercatorQuad"
LEVELS = {"communities": 1, "grids": 2, "units": 3}


def county_centre(engine) -> tuple[float, float]:
    """A point inside the first unit of the active version."""
    with engine.connect() as conn:
        return conn.execute(text(
            "select st_x(p), st_y(p) from (select st_pointonsurface(geom) p from grids "
            "where level = 3 and version_id = (select id from grid_versions "
            "where status = 'active') order by code limit 1) s")).one()  # fmt: skip


def decoded(body: bytes, folder: Path, name: str = "t") -> dict[str, list[str]]:
    """Layer -> grid codes of an MVT tile, read by GDAL from a file."""
    path = folder / f"{name}.mvt"
    path.write_bytes(body)
    names = [layer for layer, _ in pyogrio.list_layers(path)]
    return {layer: list(pyogrio.read_dataframe(path, layer=layer)["code"]) for layer in names}


def intersecting(engine, level: int, z: int, x: int, y: int, margin: float) -> int:
    """How many grids of a level of the active version touch the (widened) tile."""
    with engine.connect() as conn:
        return conn.execute(text(
            "select count(*) from grids where level = :l and version_id = (select id from "
            "grid_versions where status = 'active') and st_intersects(geom, st_transform("
            "st_tileenvelope(:z, :x, :y, margin => :m), 4326))"),
            {"l": level, "z": z, "x": x, "y": y, "m": margin}).scalar_one()  # fmt: skip


def test_a_tile_decodes_with_the_three_layers_and_the_right_counts(client, county, users,
                                                                    tmp_path):  # fmt: skip
    lon, lat = county_centre(county.engine)
    x, y = tile_of(lon, lat, 14)
    got = client.get(f"{TMS}/14/{y}/{x}", headers=auth(users.admin))
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    layers = decoded(got.content, tmp_path)
    assert set(layers) == set(LEVELS)
    for name, level in LEVELS.items():
        inside = intersecting(county.engine, level, 14, x, y, 0.0)
        near = intersecting(county.engine, level, 14, x, y, 64 / 4096)
        assert 0 < inside <= len(layers[name]) <= near, name
        assert len(set(layers[name])) == len(layers[name]), name


def test_units_only_from_zoom_13_and_one_collection_per_tile(client, county, users, tmp_path):
    lon, lat = county_centre(county.engine)
    x, y = tile_of(lon, lat, 12)
    low = client.get(f"{TMS}/12/{y}/{x}", headers=auth(users.admin))
    assert set(decoded(low.content, tmp_path, "low")) == {"communities", "grids"}
    x, y = tile_of(lon, lat, 15)
    one = client.get(f"/v1/collections/units/tiles/WebMercatorQuad/15/{y}/{x}",
                     headers=auth(users.admin))  # fmt: skip
    assert set(decoded(one.content, tmp_path, "one")) == {"units"}
    picked = client.get(f"{TMS}/15/{y}/{x}?layers=grids", headers=auth(users.admin))
    assert set(decoded(picked.content, tmp_path, "picked")) == {"grids"}


def test_a_tile_outside_the_county_is_204(client, users):
    got = client.get(f"{TMS}/14/0/0", headers=auth(users.admin))  # the Arctic off Alaska
    assert got.status_code == 204 and got.content == b""


def test_bad_tile_coordinates_and_layers_are_named(client, users):
    for path, field in ((f"{TMS}/25/0/0", "z"), (f"{TMS}/3/0/8", "x"), (f"{TMS}/3/8/0", "y")):
        got = client.get(path, headers=auth(users.admin))
        assert got.status_code == 404, path
        assert field in got.text, path
    got = client.get(f"{TMS}/3/0/0?layers=roads", headers=auth(users.admin))
    assert got.status_code == 400 and "roads" in got.text
    assert client.get(f"{TMS}/3/0/0").status_code == 401
    # A collection without tiles (reports have density tiles now): 404 naming it, not a 422.
    roads = client.get("/v1/collections/roads/tiles/WebMercatorQuad/3/0/0",
                       headers=auth(users.admin))  # fmt: skip
    assert roads.status_code == 404 and roads.json()["field"] == "collection_id"


def test_a_station_sees_only_its_own_grids(client, county, users, tmp_path):
    lon, lat = county_centre(county.engine)
    x, y = tile_of(lon, lat, 9)  # the whole tiny county in one tile
    with county.engine.connect() as conn:
        own = set(conn.execute(text(
            "select sc.community_code from station_communities sc join stations st "
            "on st.id = sc.station_id where st.code = '370782P01'")).scalars())  # fmt: skip
    every = decoded(client.get(f"{TMS}/9/{y}/{x}", headers=auth(users.admin)).content,
                    tmp_path, "all")  # fmt: skip
    station = decoded(client.get(f"{TMS}/9/{y}/{x}", headers=auth(users.p01)).content,
                      tmp_path, "p01")  # fmt: skip
    assert station["grids"] and {c[:12] for c in station["grids"]} <= own
    assert {c[:12] for c in every["grids"]} - own  # the county's tile shows other stations
    assert set(station["communities"]) == own & set(every["communities"])


def test_cached_with_an_etag_and_activation_changes_the_tile(client, county, users, tmp_path):
    lon, lat = county_centre(county.engine)
    x, y = tile_of(lon, lat, 10)
    url = f"/v1/collections/communities/tiles/WebMercatorQuad/10/{y}/{x}"
    first = client.get(url, headers=auth(users.admin))
    again = client.get(url, headers=auth(users.admin) | {"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and "private" in first.headers["cache-control"]
    with county.engine.connect() as conn:
        old = active_version(conn)
    new = _copy_version(county.engine, old)
    try:
        stored_grids.activate(county.engine, new)
        after = _changed(client, url, users.admin, first.headers["etag"])
        names = pyogrio.read_dataframe(_written(after.content, tmp_path), layer="communities")
        assert names["name"].str.endswith("·新").all() and names["version"].eq(new).all()
    finally:
        stored_grids.activate(county.engine, old)
        with county.engine.begin() as conn:
            conn.execute(text("delete from grid_versions where id = :v"), {"v": new})
    back = _changed(client, url, users.admin, after.headers["etag"])
    assert back.headers["etag"] == first.headers["etag"] and back.content == first.content


def _changed(client, url: str, token: str, etag: str):
    """The tile once its ETag differs from `etag`: the API's index refresher picks up an
    activation within a second or two (index_refresh_seconds)."""
    deadline = time.monotonic() + 10
    while True:
        got = client.get(url, headers=auth(token))
        fresh = got.status_code == 200 and got.headers["etag"] != etag
        if fresh or time.monotonic() > deadline:
            assert fresh, f"the tile did not change with the version: {got.status_code}"
            return got
        time.sleep(0.1)


def _written(body: bytes, folder: Path) -> Path:
    path = folder / "after.mvt"
    path.write_bytes(body)
    return path


def _copy_version(engine, old: int) -> int:
    """A new draft version holding the old one's grids, the communities renamed."""
    copy = (
        "insert into grids (version_id, level, code, name, parent_id, kind, geom, area_m2, "
        "households) select :new, g.level, g.code, g.name || case when g.level = 1 "
        "then '·新' else '' end, np.id, g.kind, g.geom, g.area_m2, g.households "
        "from grids g left join grids p on p.id = g.parent_id left join grids np "
        "on np.version_id = :new and np.code = p.code "
        "where g.version_id = :old and g.level = :level"
    )
    with engine.begin() as conn:
        new = conn.execute(
            text("insert into grid_versions (status, source, note) "
                 "values ('draft', 'test', 'tiles') returning id")
        ).scalar_one()  # fmt: skip
        for level in (1, 2, 3):
            conn.execute(text(copy), {"new": new, "old": old, "level": level})
    return new
