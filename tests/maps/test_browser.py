"""The county and a station map in real headless Chromium (Debian's), cut off from the world.

The pages and their assets are served by a local HTTP server; every request to anything
else is blocked and counted as a failure. The test fails, never skips, when Chromium or
Playwright is missing: `apt-get install chromium` and `pip install playwright` (Playwright
drives the Debian browser; it never downloads one).
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from geogrid.maps.web import county_map_html, station_map_html, write_map
from tests.maps import county_with_reports

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]  # fmt: skip
OVERLAYS = (
    "一级网格（社区）",
    "二级网格",
    "三级网格（单元）",
    "隐患热力图（安全隐患、危险物品…）",
    "治安热力图（治安、矛盾纠纷…）",
    "上报（最新 50 条）",
    "2025年06月各二级网格上报量",
)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: the test reports what matters."""


@dataclass
class Problems:
    """Everything that went wrong while a page loaded."""

    requested: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def all(self) -> list[str]:
        """Every problem, labelled."""
        return ([f"blocked {u}" for u in self.blocked] + [f"failed {u}" for u in self.failed]
                + [f"console {m}" for m in self.console])  # fmt: skip


@pytest.fixture(scope="module")
def site(county_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A local server holding the county map, a station map and their assets; its URL."""
    folder = tmp_path_factory.mktemp("site")
    with county_with_reports(county_engine) as conn:
        options = {"marker_limit": 50, "month": date(2025, 6, 1), "day": date(2025, 6, 1)}
        write_map(county_map_html(conn, **options), folder / "county.html")
        write_map(station_map_html(conn, 1, **options), folder / "station.html")
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    """Debian's Chromium driven by Playwright, with a fresh profile."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (the map test needs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is missing: pip install playwright (no browser download needed)")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 860},
        )
        yield context
        context.close()


def open_offline(browser, site: str, path: str):
    """Load one page of `site` with everything off-site blocked; the page and what went
    wrong (blocked and failed requests, console errors). The docs test uses it too."""
    problems = Problems()
    page = browser.new_page()

    def only_local(route) -> None:
        problems.requested.append(route.request.url)
        if route.request.url.startswith(site + "/"):
            route.continue_()
        else:
            problems.blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.on("requestfailed", lambda request: problems.failed.append(request.url))
    page.on("response", lambda r: r.status >= 400 and problems.failed.append(f"{r.status} {r.url}"))
    page.on("console", lambda m: m.type == "error" and problems.console.append(m.text))
    page.on("pageerror", lambda error: problems.console.append(str(error)))
    page.goto(f"{site}{path}", wait_until="networkidle")
    return page, problems


def _open(browser, site: str, name: str):
    """A map page loaded offline, its layers control and heat layer drawn."""
    page, problems = open_offline(browser, site, f"/{name}.html")
    page.wait_for_selector(".leaflet-control-layers-overlays label")
    page.wait_for_timeout(500)  # the heat layer and the labels draw after the load event
    return page, problems


def _painted_pixels(page, selector: str) -> int:
    return page.evaluate(
        """(selector) => {
            const canvas = document.querySelector(selector);
            const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
            let painted = 0;
            for (let i = 3; i < pixels.data.length; i += 4) if (pixels.data[i] > 0) painted++;
            return painted;
        }""",
        selector,
    )


def test_county_map_in_chromium(browser, site: str, tmp_path: Path) -> None:
    page, problems = _open(browser, site, "county")
    assert problems.all() == []
    labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    for name in OVERLAYS:
        assert any(name in label for label in labels), (name, labels)
    assert "街路巷与社区界线" in page.locator(".leaflet-control-layers-base").inner_text()
    vector = ".leaflet-overlay-pane canvas:not(.leaflet-heatmap-layer)"
    assert _painted_pixels(page, vector) > 10_000  # grids and streets drawn
    assert _painted_pixels(page, "canvas.leaflet-heatmap-layer") > 1_000
    assert page.locator(".marker-cluster, .leaflet-marker-pane > *").count() > 0
    assert page.locator(".gg-label-1").count() >= 1  # community names on the map
    note = page.locator(".gg-title").inner_text()
    assert "上报点只显示最新 50 条，共" in note
    # The system's Noto Sans CJK draws the names; the 3 MB fallback font stays unfetched ...
    assert not [url for url in problems.requested if "geogrid-cjk" in url]
    # ... and works where it is needed.
    loaded = page.evaluate("""document.fonts.load('16px "Geogrid CJK"', '诸城网格')
                              .then(faces => faces.map(face => face.status))""")
    assert loaded == ["loaded"] and problems.all() == []
    screenshot = tmp_path / "county-map.png"
    page.screenshot(path=str(screenshot))
    print(f"county map screenshot: {screenshot}")
    page.close()


def test_station_map_popups_and_choropleth(browser, site: str, tmp_path: Path) -> None:
    page, problems = _open(browser, site, "station")
    overlays = page.locator(".leaflet-control-layers-overlays label")
    for name in ("隐患热力图", "上报（最新", "二级网格上报量"):
        overlays.filter(has_text=name).locator("input").click()  # heat off, markers off, map on
    assert page.locator(".gg-legend").count() == 1
    page.mouse.click(640, 430)  # the map is fitted to the station: its middle is a grid
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "上报" in popup.inner_text()
    overlays.filter(has_text="二级网格上报量").locator("input").click()
    assert page.locator(".gg-legend").count() == 0
    page.mouse.click(20, 20)  # close the popup on the empty corner
    page.mouse.click(640, 430)
    page.locator(".leaflet-popup-content", has_text="编码").wait_for()
    assert problems.all() == []
    screenshot = tmp_path / "station-map.png"
    page.screenshot(path=str(screenshot))
    print(f"station map screenshot: {screenshot}")
    page.close()
