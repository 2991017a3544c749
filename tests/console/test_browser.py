"""The console in Debian's headless Chromium, cut off from everything but the geogrid
server: sign in, filter the list, a station dispatches a case to a department, the
department handles it with a photo, the grid's assistant verifies it and the station closes
it (结案) from its inbox's 待结案; another station's case is the 404 page; after sign-out and
after expiry the pages go back to sign-in. No console error and no failed request on any page.

A screenshot of every page is kept in $GEOGRID_SCREENSHOTS, else in the test's folder
(printed), never committed.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.api.fixtures import _wait_until_up
from tests.maps.test_browser import CHROMIUM, CHROMIUM_ARGS, Problems
from tests.media.photos import jpeg


@pytest.fixture(scope="module")
def site(county, users, tmp_path_factory) -> Iterator[str]:
    """`geogrid serve` on the county database, its data home in a temporary folder."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOGRID_")}
    env |= {"GEOGRID_DATABASE_URL": county.engine.url.render_as_string(hide_password=False),
            "GEOGRID_HOME": str(tmp_path_factory.mktemp("console-home")),
            "GEOGRID_API_AUTH_CACHE_SECONDS": "0"}  # fmt: skip
    code = "import typer; from geogrid.cli.serve import serve; typer.run(serve)"
    command = [sys.executable, "-c", code, "--port", str(port), "--log-level", "warning"]
    server = subprocess.Popen(command, env=env, start_new_session=True)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    """Where the screenshots go."""
    folder = os.environ.get("GEOGRID_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("console-screenshots")
    path.mkdir(parents=True, exist_ok=True)
    print(f"console screenshots: {path}")
    return path


class User:
    """One person at one browser (its own cookies), every page watched for problems."""

    def __init__(self, chromium, site: str, shots: Path, name: str) -> None:
        self.site, self.shots, self.name = site, shots, name
        self.context = chromium.new_context(viewport={"width": 1366, "height": 768})
        self.problems = Problems()
        self.page = self.context.new_page()
        self.page.route("**/*", self._only_site)
        self.page.on("requestfailed", lambda r: self.problems.failed.append(r.url))
        self.page.on("response", lambda r: r.status >= 400
                     and self.problems.failed.append(f"{r.status} {r.url}"))  # fmt: skip
        self.page.on(
            "console", lambda m: m.type == "error" and self.problems.console.append(m.text)
        )
        self.page.on("pageerror", lambda error: self.problems.console.append(str(error)))

    def _only_site(self, route) -> None:
        self.problems.requested.append(route.request.url)
        if route.request.url.startswith(self.site + "/"):
            route.continue_()
        else:
            self.problems.blocked.append(route.request.url)
            route.abort()

    def go(self, path: str) -> None:
        """Open a page of the site."""
        self.page.goto(self.site + path, wait_until="networkidle")

    def shot(self, label: str) -> None:
        """Keep a screenshot of the page as it is."""
        self.page.screenshot(path=str(self.shots / f"{self.name}-{label}.png"), full_page=True)

    def sign_in(self, token: str) -> None:
        """Sign in through the form, from wherever the console sent us."""
        self.go("/console/cases")
        assert "/console/signin" in self.page.url
        self.shot("signin")
        self.page.fill("input[name=token]", token)
        self.page.click("form button[type=submit]")
        self.page.wait_for_load_state("networkidle")
        assert self.page.url.endswith("/console/cases"), self.page.url

    def submit(self, form: str) -> None:
        """Submit one of the page's forms and wait for the next page."""
        with self.page.expect_navigation(wait_until="networkidle"):
            self.page.click(f"{form} button[type=submit]")


def test_the_case_loop_through_the_console(chromium, site, shots, users, reports, tmp_path):
    case = reports.p01_security
    desk = User(chromium, site, shots, "station")
    desk.sign_in(users.p01)
    desk.shot("inbox")
    desk.go("/console/cases/list")
    desk.page.select_option("select[name=category]", "public_security")
    desk.submit("form.filters")
    assert "category=public_security" in desk.page.url
    listed = desk.page.locator("table.cases tbody a").evaluate_all("a => a.map(x => x.href)")
    assert any(case in href for href in listed)
    assert not any(reports.p02_security in href for href in listed)
    desk.shot("list")
    desk.go(f"/console/cases/{case}")
    desk.submit("#step-accept")
    desk.page.select_option("#step-dispatch select[name=handler_department]", "fire")
    desk.page.fill("#step-dispatch textarea[name=note]", "请消防大队到场核查")
    desk.submit("#step-dispatch")
    assert "已派遣" in desk.page.inner_text("h1")
    desk.shot("case-dispatched")

    fire = User(chromium, site, shots, "department")
    fire.sign_in(users.fire)
    fire.page.click(f"a[href='/console/cases/{case}']")
    fire.page.wait_for_load_state("networkidle")
    photo = tmp_path / "site.jpg"
    photo.write_bytes(jpeg(color=(20, 120, 60), size=(320, 240)))
    fire.page.set_input_files("#step-handle input[type=file]", str(photo))
    fire.page.fill("#step-handle textarea[name=note]", "已清理完毕")
    fire.submit("#step-handle")
    assert "处置完毕" in fire.page.inner_text("h1")
    assert fire.page.locator(".photos img").evaluate("img => img.naturalWidth") > 0
    fire.shot("case-handled")

    staff = User(chromium, site, shots, "assistant")
    staff.sign_in(users.staff01)
    staff.go(f"/console/cases/{case}")
    staff.submit("#step-verify")
    assert "核查通过，待结案" in staff.page.inner_text("h1")
    assert staff.page.locator("#step-close").count() == 0, "the station's desk closes it"
    staff.shot("case-verified")

    desk.go("/console/cases")
    row = desk.page.locator(f"tr:has(a[href='/console/cases/{case}'])")
    assert "待结案" in row.inner_text()
    desk.go(f"/console/cases/{case}")
    desk.page.fill("#step-close textarea[name=note]", "核查通过，予以结案")
    desk.submit("#step-close")
    status = desk.page.inner_text("h1 small")
    assert status == "结案", status
    trail = desk.page.inner_text(".trail")
    assert "请消防大队到场核查" in trail and "核查通过，予以结案" in trail
    desk.shot("case-closed")
    for user in (desk, fire, staff):
        assert user.problems.all() == [], (user.name, user.problems.all())
        assert all(u.startswith(site + "/") for u in user.problems.requested)


def test_other_stations_case_sign_out_and_expiry(chromium, site, shots, users, reports, county):
    other = User(chromium, site, shots, "other-station")
    other.sign_in(users.p02)
    for path in ("/console/cases/list", "/console/grids", "/console/assessment", "/console/export"):
        other.go(path)
        other.shot(path.rsplit("/", 1)[1])
    assert other.problems.all() == []
    other.go(f"/console/cases/{reports.p01_security}")
    assert "404" in other.page.inner_text("h1")
    other.shot("404")
    assert other.problems.failed == [f"404 {site}/console/cases/{reports.p01_security}"]
    assert [m for m in other.problems.console if "404" not in m] == []
    other.problems.failed.clear()
    other.problems.console.clear()  # the browser's own line about the 404 asked for
    other.submit("form.signout")
    assert "/console/signin" in other.page.url
    other.go("/console/cases")
    assert "/console/signin" in other.page.url

    late = User(chromium, site, shots, "expired")
    late.sign_in(users.p02)
    with county.engine.begin() as conn:
        latest = "(select max(id) from web_sessions where kind = 'console')"
        conn.execute(text("update web_sessions set expires_at = now() - interval '1 second' "
                          f"where id = {latest}"))  # fmt: skip
    late.go("/console/cases/list")
    assert "/console/signin" in late.page.url
    for user in (other, late):
        assert user.problems.all() == [], (user.name, user.problems.all())
