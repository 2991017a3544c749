"""Benchmark: vector tiles of the grid levels (issue 21 part 2).

Targets: cached tiles >= 1,000 tiles/s with p99 <= 20 ms at 8 clients (wrk against
uvicorn, 2 workers, cycling through the zoom-14 tiles of the county's middle, each fetched
once beforehand so every worker holds it); an uncached level-3 tile at zoom 14 <= 50 ms
(the storage read itself, timed in process over distinct tiles: what a cache miss costs).

Needs wrk and a county loaded, built and active in a private GEOGRID_HOME, e.g.:

    geogrid sample --scale full --out /tmp/full.gpkg
    export GEOGRID_HOME=/tmp/gg-tiles
    geogrid load /tmp/full.gpkg --commit && geogrid build --activate
    .venv/bin/python bench/bench_tiles.py --home /tmp/gg-tiles
"""

from __future__ import annotations

import argparse
import math
import os
import secrets
import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_api import _wrk, served

TILES_PER_S, CACHED_P99_MS, UNCACHED_MS, ZOOM = 1000, 20.0, 50.0, 14


def main() -> None:
    """Time uncached tile reads in process, then cached tiles over HTTP with wrk."""
    args = _arguments()
    from geogrid.access.users import add_user
    from geogrid.settings import Settings
    from geogrid.storage.database import make_engine

    engine = make_engine(Settings(home=args.home))
    tiles = _county_tiles(engine)
    print(f"{len(tiles)} tiles at zoom {ZOOM}; load average {os.getloadavg()[0]:.2f}")
    _uncached(engine, tiles)
    with engine.begin() as conn:
        token = add_user(conn, f"bench-{secrets.token_hex(4)}", "county_admin")
    with served(args, "bench-tiles-") as (server, folder):
        _cached(args, tiles[:64], token, folder, server.pid)


def _county_tiles(engine) -> list[tuple[int, int]]:
    """The zoom-14 tiles (x, y) over the county's level-3 units, middle first."""
    from sqlalchemy import text

    with engine.connect() as conn:
        x1, y1, x2, y2 = conn.execute(text(
            "select st_xmin(e), st_ymin(e), st_xmax(e), st_ymax(e) from (select st_extent(geom) "
            "e from grids where level = 3 and version_id = (select id from grid_versions "
            "where status = 'active')) s")).one()  # fmt: skip
    (ax, ay), (bx, by) = _tile(x1, y2), _tile(x2, y1)
    cx, cy = (ax + bx) / 2, (ay + by) / 2
    every = [(x, y) for x in range(ax, bx + 1) for y in range(ay, by + 1)]
    return sorted(every, key=lambda t: (t[0] - cx) ** 2 + (t[1] - cy) ** 2)


def _tile(lon: float, lat: float) -> tuple[int, int]:
    n = 2**ZOOM
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def _uncached(engine, tiles: list[tuple[int, int]]) -> None:
    """The storage read of 100 distinct tiles, units only and all three layers."""
    from geogrid.storage.tiles import TileQuery, grid_tile
    from geogrid.storage.versions import active_version

    with engine.connect() as conn:
        version = active_version(conn)
        for layers in (("units",), ("communities", "grids", "units")):
            times, sizes = [], []
            for x, y in tiles[:100]:
                started = time.perf_counter()
                body = grid_tile(conn, TileQuery(version, ZOOM, x, y, layers))
                times.append((time.perf_counter() - started) * 1000)
                sizes.append(len(body))
            times.sort()
            state = "ok" if statistics.median(times) <= UNCACHED_MS else "OVER"
            p95 = times[int(0.95 * (len(times) - 1))]  # a small county has under 100 tiles
            print(f"uncached {'+'.join(layers)} z{ZOOM}: median {statistics.median(times):.1f}"
                  f" ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms, median "
                  f"{statistics.median(sizes) / 1024:.1f} KiB (limit {UNCACHED_MS:.0f} ms): "
                  f"{state}")  # fmt: skip


def _cached(args, tiles, token: str, folder: Path, server: int) -> None:
    """wrk over tiles every worker has cached (each fetched a few times first)."""
    paths = [f"/v1/tiles/WebMercatorQuad/{ZOOM}/{y}/{x}" for x, y in tiles]
    for path in paths * 4:  # round-robin over 2 workers: each sees every tile
        request = urllib.request.Request(f"http://127.0.0.1:{args.port}{path}",
                                         headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        urllib.request.urlopen(request).read()
    table = ",".join(f'"{p}"' for p in paths)
    script = folder / "tiles.lua"
    script.write_text(
        f"local p = {{{table}}}\nlocal n = 0\nrequest = function()\n  n = n + 1\n"
        '  return wrk.format("GET", p[(n % #p) + 1], {["Authorization"] = "Bearer " .. '
        'os.getenv("TOKEN")})\nend\n'
    )
    env = os.environ | {"TOKEN": token}
    runs = [_wrk(args.port, "/", args.duration, 8, script, env, server) for _ in range(3)]
    rps = statistics.median(r["rps"] for r in runs)
    p99 = statistics.median(r["p99"] for r in runs)
    errors = sum(r["errors"] for r in runs)
    ok = rps >= TILES_PER_S and p99 <= CACHED_P99_MS and not errors
    print(f"cached z{ZOOM} tiles, 8 clients, {args.workers} workers (median of 3): "
          f"{rps:,.0f} tiles/s, p99 {p99:.2f} ms, {errors} errors "
          f"(targets {TILES_PER_S:,}/s, p99 {CACHED_P99_MS:.0f} ms): "
          f"{'ok' if ok else 'OVER'}")  # fmt: skip


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="a private GEOGRID_HOME")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    return parser.parse_args()


if __name__ == "__main__":
    main()
