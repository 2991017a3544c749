"""The tile warmer: a started server holds the county's and each station's first-view tiles,
the route serves them from the cache, and a failure is logged by kind without stopping."""

from __future__ import annotations

import logging

from sqlalchemy import create_engine

from geogrid.api.tilecache import TileCache, tile_key
from geogrid.api.tilewarm import ALL_LAYERS, TileWarmer, first_view_tiles
from geogrid.maps.live import area_bounds
from geogrid.storage.tiles import TileQuery, grid_tile
from geogrid.storage.versions import active_version
from tests.api.fixtures import auth

TMS = "/v1/tiles/WebMercatorQuad"


def _warmed(client) -> tuple[TileCache, int]:
    state = client.app.state.geogrid
    client.get("/healthz")  # the lifespan has run
    state.warmer.thread.join(timeout=60)
    assert not state.warmer.thread.is_alive(), "the warmer did not finish within a minute"
    return state.tiles, state.point_lookup().index.version_id


def test_the_county_and_a_stations_first_view_are_cached_as_the_route_reads_them(
    client, county, users
):
    cache, version = _warmed(client)
    with county.engine.connect() as conn:
        assert active_version(conn) == version
        tiles = first_view_tiles(area_bounds(conn, None))
        z, x, y = tiles[0]
        made = grid_tile(conn, TileQuery(version, z, x, y, ALL_LAYERS))
        own = tuple(sorted(_station_communities(conn, "370782P01")))
        station_tiles = first_view_tiles(area_bounds(conn, own), around=False)
    assert len({t[0] for t in tiles}) == 3  # the opening zoom and one either side
    for z, x, y in tiles:
        assert cache.get(tile_key(version, None, z, x, y, ALL_LAYERS)) is not None, (z, x, y)
    for z, x, y in station_tiles:
        assert cache.get(tile_key(version, own, z, x, y, ALL_LAYERS)) is not None, (z, x, y)
    z, x, y = tiles[0]
    held = len(cache)
    got = client.get(f"{TMS}/{z}/{y}/{x}", headers=auth(users.admin))
    assert got.status_code in (200, 204) and got.content == made  # the warmed bytes
    assert got.headers["etag"] == cache.get(tile_key(version, None, z, x, y, ALL_LAYERS)).etag
    z, x, y = station_tiles[0]
    assert client.get(f"{TMS}/{z}/{y}/{x}", headers=auth(users.p01)).status_code in (200, 204)
    assert len(cache) == held  # both served from the cache (the same keys): nothing new made


def test_a_failing_warm_up_is_logged_by_kind_and_harms_nothing(caplog):
    nowhere = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    warmer = TileWarmer(nowhere, TileCache(), stations=False)
    with caplog.at_level(logging.WARNING, logger="geogrid.api"):
        warmer.start(41)
        warmer.thread.join(timeout=30)
    assert not warmer.thread.is_alive()
    logged = [r.getMessage() for r in caplog.records if "warm the tiles" in r.getMessage()]
    assert logged == ["cannot warm the tiles of version 41: OperationalError"]
    warmer.start(41)  # once per version: no second thread for the same one
    assert warmer.thread.name == "tile-warmer-v41" and not warmer.thread.is_alive()
    warmer.stop()
    warmer.start(42)  # stopped: no new warm-up
    assert warmer.thread.name == "tile-warmer-v41"


def _station_communities(conn, code: str) -> list[str]:
    from geogrid.maps.live import station_communities
    from geogrid.storage.places import station_id

    return list(station_communities(conn, station_id(conn, code)))
