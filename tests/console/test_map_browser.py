"""The console's map in Debian's headless Chromium, cut off from everything but the served
geogrid (as the Folium maps' test): the levels at county zoom, units when zoomed in, a
grid's panel with its leader, the heat layer's toggle, a station's own grids only. Any
blocked or failed request or console error fails a test; a screenshot of each step is kept
in $GEOGRID_SCREENSHOTS (or the test's tmp folder), never committed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from geogrid.api.deps import SESSION_COOKIE
from tests.api.places import person_on
from tests.console.conftest import console_cookie
from tests.maps.test_browser import browser, open_offline  # noqa: F401  (the Chromium fixture)

FIRST_RENDER_S = 1.5  # the budget for the map page's first render


@pytest.fixture(scope="module")
def private_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A data home of this module's own for the served geogrid (its copied map assets)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg")))
        yield


@pytest.fixture(scope="module")
def site(private_home, served: str) -> str:
    """The served geogrid's address (started after `private_home`)."""
    return served


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go."""
    folder = Path(os.environ.get("GEOGRID_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _open_map(browser, site: str, county, token: str, query: str = ""):  # noqa: F811
    browser.clear_cookies()
    browser.add_cookies([{"name": SESSION_COOKIE, "value": console_cookie(county.engine, token),
                          "url": site, "httpOnly": True, "sameSite": "Strict"}])  # fmt: skip
    page, problems = open_offline(browser, site, "/console/map" + query)
    page.wait_for_function(
        "() => window.consoleMap && consoleMap.ggLoaded.level2 >= 1", timeout=30_000
    )
    page.wait_for_function("() => consoleMap.ggLoaded.reports !== undefined", timeout=30_000)
    return page, problems


def _codes(page, level: int) -> list[str]:
    """The codes of a level's features in the tiles the map shows now."""
    return page.evaluate("level => consoleMap.ggCodes(consoleMap.ggLayers.levels[level])", level)


def _tile_requests(page) -> list[tuple[str, int]]:
    """(URL, status) of every grid tile the page asked for."""
    return page.evaluate(
        """() => performance.getEntriesByType('resource')
              .filter(e => e.name.includes('/tiles/WebMercatorQuad/'))
              .map(e => [e.name, e.responseStatus])"""
    )


def _leader(county, grid: str) -> str:
    person_id, _ = person_on(county.engine, grid, "grid_leader")
    with county.engine.connect() as conn:
        return conn.scalar(text("select name from people where id = :i"), {"i": person_id})


def test_county_map_levels_panel_and_heat(browser, site, county, users, reports, shots):  # noqa: F811
    page, problems = _open_map(browser, site, county, users.admin, "?from=2026-05-01&to=2026-06-30")
    print(f"opened at zoom {page.evaluate('consoleMap.getZoom()')}")
    # The tiny county fits the screen at zoom 14; a county's zoom is 10-12.
    page.evaluate("consoleMap.setZoom(11, {animate: false}) && null")
    page.wait_for_function("() => consoleMap.ggLoaded.level2 >= 2", timeout=30_000)
    assert len(_codes(page, 1)) > 1 and len(_codes(page, 2)) > len(_codes(page, 1))
    assert _codes(page, 3) == []  # units only when zoomed in
    assert page.evaluate("consoleMap.ggLoaded.reports") >= 5
    # The levels come from the vector tiles (200, or 204 for an empty tile), never by box.
    tiles = _tile_requests(page)
    assert any("/v1/tiles/WebMercatorQuad/" in url for url, _ in tiles)
    assert {status for _, status in tiles} <= {200, 204} and 200 in {s for _, s in tiles}
    assert not [url for url in problems.requested if "grids.json" in url]
    first = page.evaluate("consoleMap.ggLoaded.level2At") / 1000
    size = page.evaluate(
        """() => performance.getEntriesByType('resource')
              .filter(e => e.name.includes('/v1/tiles/WebMercatorQuad/'))
              .reduce((n, e) => n + e.transferSize, 0)"""
    )
    print(f"first render (level 2 drawn) {first:.2f} s; level 1+2 tiles {size:,} bytes, "
          f"{len(_codes(page, 2))} grids")  # fmt: skip
    # Drawn: the level-2 tiles' canvases hold painted pixels.
    painted = page.evaluate(
        """() => Object.values(consoleMap.ggLayers.grid._vectorTiles).map(r => {
              const c = r.getContainer(), d = c.getContext('2d').getImageData(0, 0, c.width,
                c.height).data; let n = 0; for (let i = 3; i < d.length; i += 4) n += d[i] > 0;
              return n; }).reduce((a, b) => a + b, 0)"""
    )
    assert painted > 1000
    # Level 2's switch hides its shapes (and labels) and draws them again from the tiles.
    level2 = page.locator(".leaflet-control-layers-overlays label", has_text="二级网格")
    level2.locator("input").click()
    assert _codes(page, 2) == []
    page.wait_for_function(  # the tiles drawn again, level 1 only
        "() => consoleMap.ggCodes(consoleMap.ggLayers.levels[1]).length > 1", timeout=30_000
    )
    assert _codes(page, 2) == []
    level2.locator("input").click()
    page.wait_for_function(
        "() => consoleMap.ggCodes(consoleMap.ggLayers.levels[2]).length > 1", timeout=30_000
    )
    assert first <= FIRST_RENDER_S * 3  # the bench measures the budget; here: no stall
    page.screenshot(path=str(shots / "console-map-county.png"))

    heat = ".leaflet-heatmap-layer"
    assert page.locator(heat).count() == 1  # the hazard heatmap is on at first
    toggle = page.locator(".leaflet-control-layers-overlays label", has_text="隐患热力图")
    toggle.locator("input").click()
    assert page.locator(heat).count() == 0
    toggle.locator("input").click()
    assert page.locator(heat).count() == 1

    place = county.p01
    before = page.evaluate("() => consoleMap.ggLoaded.level3 || 0")
    page.evaluate("([lat, lon]) => { consoleMap.setView([lat, lon], 17, {animate: false}); }",
                  [place.lat, place.lon])  # fmt: skip
    page.wait_for_function("n => consoleMap.ggLoaded.level3 > n", arg=before, timeout=30_000)
    assert place.unit in _codes(page, 3)
    point = page.evaluate(
        """([lat, lon]) => { const p = consoleMap.latLngToContainerPoint([lat, lon]);
              const box = consoleMap.getContainer().getBoundingClientRect();
              return [box.left + p.x, box.top + p.y]; }""",
        [place.lat, place.lon],
    )
    # The reports sit on the place: take their markers off so the click reaches the grid.
    page.locator(".leaflet-control-layers-overlays label", has_text="上报").locator("input").click()
    page.mouse.click(*point)
    page.wait_for_selector(".cm-grid", timeout=15_000)
    panel = page.locator("#cm-panel").inner_text()
    assert _leader(county, place.grid) in panel and "考核指标" in panel
    assert place.unit in panel and "网格信息员" in panel  # the unit, drawn over its grid
    page.screenshot(path=str(shots / "console-map-panel.png"))
    assert problems.all() == [], problems.all()
    page.close()


def test_a_station_sees_only_its_own_grids(browser, site, county, users, shots):  # noqa: F811
    page, problems = _open_map(browser, site, county, users.p01)
    codes = _codes(page, 2)
    assert county.p01.grid in codes and county.p02.grid not in codes
    with county.engine.connect() as conn:
        own = set(conn.scalars(text(
            "select community_code from station_communities sc join stations s "
            "on s.id = sc.station_id where s.code = '370782P01'")))  # fmt: skip
    assert {code[:12] for code in codes} <= own
    assert page.evaluate("consoleMap.ggLoaded.stations") == 1
    page.screenshot(path=str(shots / "console-map-station.png"))
    assert problems.all() == [], problems.all()
    page.close()


def test_a_version_diff_is_drawn_without_errors(browser, site, county, users):  # noqa: F811
    with county.engine.connect() as conn:
        version = conn.scalar(text("select id from grid_versions where status = 'active'"))
    page, problems = _open_map(browser, site, county, users.p01, f"?diff={version},{version}")
    page.wait_for_function("() => consoleMap.ggLoaded.diff !== undefined", timeout=30_000)
    assert page.evaluate("consoleMap.ggLoaded.diff") == 0  # a version against itself
    label = page.locator(".leaflet-control-layers-overlays label", has_text="变化的网格")
    assert label.count() == 1
    assert problems.all() == [], problems.all()
    page.close()


def test_the_coverage_layer_toggles_with_its_legend(browser, site, county, users, shots):  # noqa: F811
    page, problems = _open_map(browser, site, county, users.p01)
    label = page.locator(".leaflet-control-layers-overlays label", has_text="巡查覆盖率")
    assert page.locator(".cm-coverage-legend").count() == 0  # off at first
    page.evaluate("consoleMap.setZoom(12, {animate: false}) && null")
    label.locator("input").click()
    page.wait_for_function("() => consoleMap.ggLoaded.coverage2 >= 1", timeout=30_000)
    assert page.locator(".cm-coverage-legend").count() == 1
    assert "未巡查" in page.locator(".cm-coverage-legend").inner_text()
    # the stored figures' time (China clock), as the month pages show theirs
    stamp = page.locator(".cm-coverage-legend .cm-coverage-at").inner_text()
    assert re.fullmatch(r"统计截至 \d\d:\d\d", stamp), stamp
    codes = page.evaluate("""consoleMap.ggLayers.coverage.getLayers()
        .flatMap(layer => consoleMap.ggCodes(layer))""")
    assert county.p01.grid in codes and county.p02.grid not in codes
    assert page.evaluate("consoleMap.ggLoaded.coverageUnits") > 0
    place = county.p01
    page.evaluate("([lat, lon]) => { consoleMap.setView([lat, lon], 17, {animate: false}); }",
                  [place.lat, place.lon])  # fmt: skip
    page.wait_for_function("() => consoleMap.ggLoaded.coverage3 >= 1", timeout=30_000)
    page.screenshot(path=str(shots / "console-map-coverage.png"))
    label.locator("input").click()
    assert page.locator(".cm-coverage-legend").count() == 0
    assert problems.all() == [], problems.all()
    page.close()
