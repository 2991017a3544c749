"""Benchmark: the console's map page (targets: first render <= 1.5 s in the test browser,
the county's level-2 layer at county zoom <= 1.5 MB transferred).

    .venv/bin/python bench/bench_console_map.py --scale full --repeats 3

Prepares (once) the sample county of --scale in the bench home (bench/county_db.py), then:
1. in process, the level-1 and level-2 vector tiles (storage/tiles.py) of the whole county at
   the tile zoom a 1366x768 window opens it at, each level alone and both in one tile (as
   the page asks): tiles, bytes of MVT, median time to make them all uncached;
2. with --browser (default), `geogrid serve` on that database and Debian's Chromium with
   every request off the server blocked: the page opened --repeats times by a county user
   (a warm asset cache after the first; a fresh server, so the tiles are made anew), the time
   from navigation to the level-2 tiles drawn and the bytes the tiles (levels 1 and 2)
   transferred.
With --reports N the database is first topped up to N synthetic reports over 2025
(bench_webmap.add_reports) and the page opened for --period (default the last quarter of
2025): the reports' read in process and the time until their markers are drawn.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import median_seconds
from county_db import GEOGRID, full_county_engine

from geogrid.access.sessions import open_session
from geogrid.access.users import add_user
from geogrid.maps.live import area_bounds, report_layer
from geogrid.storage.tiles import TileQuery, grid_tile, tiles_over
from geogrid.storage.tiles import fit_zoom as view_zoom
from geogrid.storage.versions import active_version
from geogrid.vocabulary import china_now

WINDOW = (1366 - 320, 768 - 44)  # the map's part of a 1366x768 window (side panel, bar)
BUDGET_S, BUDGET_MB = 1.5, 1.5


def fit_zoom(bounds: tuple[float, ...], size: tuple[int, int] = WINDOW) -> float:
    """The zoom (in half steps) at which Leaflet's fitBounds shows the whole box."""
    return view_zoom(bounds, size)


def county_tiles(bounds: tuple[float, ...], zoom: float) -> list[tuple[int, int, int]]:
    """The WebMercatorQuad tiles over the county at the tile zoom Leaflet uses for `zoom`."""
    return tiles_over(bounds, math.floor(zoom + 0.5))


def in_process(engine, repeats: int) -> float:
    """Print the county's level-1 and level-2 tiles' sizes and times; the county zoom."""
    with engine.connect() as conn:
        bounds = area_bounds(conn, None)
        zoom = fit_zoom(bounds)
        version = active_version(conn)
        tiles = county_tiles(bounds, zoom)
        # Each level alone, then both in one tile, as the page asks for them.
        for layers in (("communities",), ("grids",), ("communities", "grids")):
            queries = [TileQuery(version, z, x, y, layers) for z, x, y in tiles]

            def make_all(queries=queries) -> list[bytes]:
                return [grid_tile(conn, query) for query in queries]

            bodies = make_all()
            took, _ = median_seconds(make_all, repeats)
            size = sum(len(body) for body in bodies)
            print(f"{' + '.join(layers)} at zoom {zoom} (tiles of zoom {tiles[0][0]}): "
                  f"{sum(1 for body in bodies if body)} of {len(tiles)} tiles hold grids, "
                  f"{size / 1e6:.3f} MB of MVT, {took * 1000:.0f} ms to make them all "
                  "in process (uncached)")  # fmt: skip
    return zoom


def reports_in_process(engine, wanted: int, period: tuple[date, date], repeats: int) -> None:
    """Top the reports up to `wanted` and time the county's read of the period's reports."""
    from bench_webmap import add_reports

    with engine.begin() as conn:
        print(f"reports in the database: {add_reports(conn, wanted):,}", flush=True)
    with engine.connect() as conn:
        data = report_layer(conn, None, *period, now=china_now())
        took, _ = median_seconds(lambda: report_layer(conn, None, *period, now=china_now()),
                                 repeats)  # fmt: skip
    print(f"reports {period[0]}..{period[1]}: {data['total']:,} in the period, "
          f"{len(data['markers']['rows'])} markers, {took * 1000:.0f} ms in process")  # fmt: skip


def _serve(env: dict) -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [GEOGRID, "serve", "--port", str(port), "--log-level", "warning"]
    server = subprocess.Popen(command, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):
                return server, url
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("geogrid serve did not start") from None
            time.sleep(0.3)


def in_browser(engine, repeats: int, query: str = "") -> None:
    """Open the page in Chromium against a served geogrid and print the figures."""
    from playwright.sync_api import sync_playwright

    with engine.begin() as conn:
        token = add_user(conn, f"bench-console-{os.getpid()}", "county_admin")
        secret = open_session(conn, token, "console", now=china_now(),
                              lifetime=timedelta(hours=1)).secret  # fmt: skip
    server, url = _serve(dict(os.environ))
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            context = browser.new_context(viewport={"width": 1366, "height": 768})
            context.add_cookies([{"name": "geogrid_session", "value": secret, "url": url}])
            context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(url)
                          else r.abort())  # fmt: skip
            for run in range(repeats):
                page = context.new_page()
                page.goto(url + "/console/map" + query)
                page.wait_for_function("() => window.consoleMap && consoleMap.ggLoaded.level2At",
                                       timeout=120_000)  # fmt: skip
                first = page.evaluate("() => consoleMap.ggLoaded.level2At") / 1000
                size, count = page.evaluate(
                    """() => { const tiles = performance.getEntriesByType('resource')
                          .filter(e => e.name.includes('/v1/tiles/WebMercatorQuad/'));
                        return [tiles.reduce((n, e) => n + e.transferSize, 0), tiles.length]; }"""
                )  # fmt: skip
                _warmed_share(engine, page)
                parts = page.evaluate(
                    """() => { const nav = performance.getEntriesByType('navigation')[0];
                        const tiles = performance.getEntriesByType('resource')
                            .filter(e => e.name.includes('/v1/tiles/WebMercatorQuad/'));
                        return [nav.responseEnd, Math.min(...tiles.map(e => e.startTime)),
                                Math.max(...tiles.map(e => e.responseEnd))]; }"""
                )  # fmt: skip
                print("  page in {:.0f} ms; first tile asked {:.0f}, the last one in "
                      "{:.0f} ms after navigation".format(*parts))  # fmt: skip
                state = "ok" if first <= BUDGET_S and size <= BUDGET_MB * 1e6 else "OVER"
                print(f"browser run {run + 1}: level 2 drawn {first:.2f} s after navigation "
                      f"(budget {BUDGET_S} s), {count} tiles (levels 1 + 2) "
                      f"{size / 1e3:,.1f} kB transferred (budget {BUDGET_MB} MB): "
                      f"{state}")  # fmt: skip
                if query:
                    page.wait_for_function("() => consoleMap.ggLoaded.reportsAt",
                                           timeout=120_000)  # fmt: skip
                    done = page.evaluate("() => consoleMap.ggLoaded.reportsAt") / 1000
                    print(f"  the period's reports drawn {done:.2f} s after navigation")
                page.close()
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=30)


def _warmed_share(engine, page) -> None:
    """Print how many of the tiles the page asked are among those the server warms."""
    from geogrid.api.tilewarm import first_view_tiles

    asked = page.evaluate("""() => performance.getEntriesByType('resource').map(e => e.name)
        .filter(n => n.includes('/v1/tiles/WebMercatorQuad/'))""")  # fmt: skip
    zyx = {tuple(int(v) for v in name.split("?")[0].split("/")[-3:]) for name in asked}
    with engine.connect() as conn:
        warmed = set(first_view_tiles(area_bounds(conn, None)))
    hits = sum(1 for z, y, x in zyx if (z, x, y) in warmed)
    print(f"  {hits} of the {len(zyx)} tiles asked are among the {len(warmed)} the server warms")


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="full", choices=("tiny", "town", "full"))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--reports", type=int, default=0, help="top reports up to this many")
    parser.add_argument("--period", default="2025-10-01,2025-12-31", help="FROM,TO")
    args = parser.parse_args()
    engine = full_county_engine(args.scale)
    in_process(engine, args.repeats)
    query = ""
    if args.reports:
        first, last = (date.fromisoformat(d) for d in args.period.split(","))
        reports_in_process(engine, args.reports, (first, last), args.repeats)
        query = f"?from={first}&to={last}"
    if not args.no_browser:
        in_browser(engine, args.repeats, query)


if __name__ == "__main__":
    main()
