"""/docs (Swagger UI) and /redoc in headless Chromium cut off from the world, as the maps are.

The pages come from a served geogrid on loopback; every request to anything else is blocked
and counted as a failure, as are failed requests and console errors. A screenshot of each
page is kept in the test's folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.maps.test_browser import browser, open_offline  # noqa: F401  (the Chromium fixture)

SUMMARIES = ("Landing page", "Reports as GeoJSON points", "Submit one report")


def _open(browser, site: str, path: str):  # noqa: F811
    """Load one page with everything off-site blocked; the page and what went wrong."""
    return open_offline(browser, site, path)


@pytest.mark.parametrize(
    "path, operation",
    [("/docs", ".opblock .opblock-summary-description"),
     ("/redoc", "[data-section-id^='operation/']")],
)  # fmt: skip
def test_api_docs_render_offline(browser, served: str, tmp_path: Path, path, operation):  # noqa: F811
    page, problems = _open(browser, served, path)
    page.wait_for_selector(operation, timeout=30_000)
    page.wait_for_timeout(300)
    text = page.locator("body").inner_text()
    for summary in SUMMARIES:
        assert summary in text, (path, summary)
    assert page.locator(operation).count() > 20  # the operations list, not a stub
    assert problems.all() == [], problems.all()
    assert all(url.startswith(served + "/") for url in problems.requested)
    assert any("/static/docs/" in url for url in problems.requested)
    screenshot = tmp_path / f"{path.strip('/')}.png"
    page.screenshot(path=str(screenshot), full_page=False)
    print(f"{path} screenshot: {screenshot}")
    page.close()
