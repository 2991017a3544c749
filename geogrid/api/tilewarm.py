"""Warm the tile cache for the first view of the console's map, in the background.

A fresh server, or one that has just seen a version activated (the cache's key changes with
the version), would otherwise make every tile of the county office's first view in
PostGIS while the browser waits. When the lookups' index moves to a version, one daemon
thread makes the county's tiles of all levels (as the console's map asks them: one tile for
all three) of the view its map opens with (fitBounds in a 1366x768 window) and those over
the county one zoom either side, then the opening view of each station's own area (its own
cache keys). It never holds up a
request: requests that come first make their tiles themselves, and the warmer skips what
is cached. A newer version, or the server stopping, ends it; a failure is logged with the
version and the error's kind only (no rows, no parameters).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy import Engine

from geogrid.api.tilecache import TileCache, tile_key
from geogrid.errors import NotFoundError
from geogrid.maps.live import area_bounds, station_communities
from geogrid.storage.places import station_codes, station_id
from geogrid.storage.tiles import (
    LAYER_LEVELS,
    TileQuery,
    fit_zoom,
    grid_tile,
    tiles_over,
    view_box,
)

log = logging.getLogger("geogrid.api")
CONSOLE_MAP_SIZE = (1366 - 320, 768 - 44)  # the map's part of the console at 1366x768
ALL_LAYERS = tuple(LAYER_LEVELS)  # what the console's map asks for: the levels in one tile
Area = tuple[str, ...] | None


class TileWarmer:
    """Starts one background warm-up per version; a newer version supersedes the last."""

    def __init__(self, engine: Engine, cache: TileCache, stations: bool = True) -> None:
        """A warmer filling `cache` from `engine` (the stations' areas too if `stations`)."""
        self.engine, self.cache, self.stations = engine, cache, stations
        self._version: int | None = None
        self._stopped = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self, version: int) -> None:
        """Warm `version`'s first views in a daemon thread (once per version)."""
        if version == self._version or self._stopped.is_set():
            return
        self._version = version
        self.thread = threading.Thread(target=self._run, args=(version,), daemon=True,
                                       name=f"tile-warmer-v{version}")  # fmt: skip
        self.thread.start()

    def stop(self) -> None:
        """End any warm-up at its next tile (the server is stopping)."""
        self._stopped.set()

    def _current(self, version: int) -> bool:
        return self._version == version and not self._stopped.is_set()

    def _run(self, version: int) -> None:
        try:
            warm_first_views(self.engine, self.cache, version, lambda: self._current(version),
                             stations=self.stations)  # fmt: skip
        except Exception as error:  # logged by kind only: a message could quote parameters
            if self._current(version):
                log.warning("cannot warm the tiles of version %s: %s", version,
                            type(error).__name__)  # fmt: skip


def warm_first_views(
    engine: Engine, cache: TileCache, version: int, going: Callable[[], bool],
    *, stations: bool = True,
) -> int:  # fmt: skip
    """Cache the county's (and each station's) first-view tiles of `version` while
    `going()`; the number of tiles made."""
    made = 0
    for area in _areas(engine, stations):
        made += _warm_area(engine, cache, version, area, going)
        if not going():
            break
    return made


def first_view_tiles(bounds: tuple[float, ...], around: bool = True) -> list[tuple[int, int, int]]:
    """The tiles of the console map's opening view of `bounds` (over its window: the empty
    ones around the area too, as the map asks them); with `around`, then those over the
    area one zoom out and one in (tiles off the area are empty and cheap when asked)."""
    fit = fit_zoom(bounds, CONSOLE_MAP_SIZE)
    window = view_box(bounds, fit, CONSOLE_MAP_SIZE)
    opening = (min(window[0], bounds[0]), min(window[1], bounds[1]),
               max(window[2], bounds[2]), max(window[3], bounds[3]))  # fmt: skip
    z = int(fit + 0.5)  # Leaflet's tiles: the rounded zoom
    if not around:
        return tiles_over(opening, z)
    return tiles_over(opening, z) + tiles_over(bounds, z - 1) + tiles_over(bounds, z + 1)


def _areas(engine: Engine, stations: bool) -> list[Area]:
    """The county first, then each station's communities (the key a station's caller has)."""
    areas: list[Area] = [None]
    if stations:
        with engine.connect() as conn:
            for code in station_codes(conn):
                own = station_communities(conn, station_id(conn, code))
                if own:
                    areas.append(tuple(sorted(own)))
    return areas


def _warm_area(engine: Engine, cache: TileCache, version: int, area: Area, going) -> int:
    made = 0
    with engine.connect() as conn:
        try:
            bounds = area_bounds(conn, area)
        except NotFoundError:  # a station without grids in this version
            return 0
        # A station's zoom in shows units (from zoom 13): with them the stations cost four
        # times their opening views (8 s against 2 s at load 5), so their opening view only.
        for z, x, y in first_view_tiles(bounds, around=area is None):
            if not going():
                break
            key = tile_key(version, area, z, x, y, ALL_LAYERS)
            if cache.get(key) is None:
                cache.put(key, grid_tile(conn, TileQuery(version, z, x, y, ALL_LAYERS, area)))
                made += 1
            conn.rollback()  # end the read's transaction: no snapshot held between tiles
    return made
