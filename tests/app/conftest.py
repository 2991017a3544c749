"""The phone app in Debian's headless Chromium: a phone-sized touch screen at a known place,
every request off the served geogrid aborted, and every console error, failed request or
error answer collected so that a test can fail on it."""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import text

# The API tests' fixtures, imported here once: a second import in a test module would make
# a second session `users`, whose setup revokes the first one's tokens.
from tests.api.places import USER_PREFIX
from tests.maps.test_browser import CHROMIUM, CHROMIUM_ARGS

STAFF = USER_PREFIX + "staff01"
SHOTS = Path(os.environ.get("GEOGRID_APP_SCREENSHOTS", "/tmp/geogrid-app-screenshots"))


@dataclass
class Phone:
    """One phone (a browser context) on the served app, and what went wrong on it."""

    context: object
    page: object
    site: str
    problems: list[str] = field(default_factory=list)
    transferred: list[tuple[str, int]] = field(default_factory=list)
    offline: bool = False

    def go_offline(self, offline: bool = True) -> None:
        """Cut (or give back) the network, as a village does."""
        self.offline = offline
        self.context.set_offline(offline)

    def shot(self, name: str) -> Path:
        """A screenshot kept for people to look at (not committed)."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium driven by Playwright (no browser download)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(chromium, served, county) -> Iterator[Phone]:
    """A fresh 360x640 touch phone standing in station P01's first unit, on the app."""
    context = chromium.new_context(
        viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True,
        device_scale_factor=2, locale="zh-CN", service_workers="allow",
        geolocation={"longitude": county.p01.lon, "latitude": county.p01.lat, "accuracy": 12},
        permissions=["geolocation"],
    )  # fmt: skip
    page = context.new_page()
    made = Phone(context, page, served)
    _watch(made)
    yield made
    context.close()


def _watch(phone: Phone) -> None:
    site = phone.site + "/"

    def only_local(route) -> None:
        if route.request.url.startswith(site):
            route.continue_()
        else:
            phone.problems.append(f"blocked {route.request.url}")
            route.abort()

    def failed(request) -> None:
        # Offline, the app's own calls fail by design (it does not call, but a lookup
        # started just before the cut may): only failures while online count.
        if not phone.offline:
            phone.problems.append(f"failed {request.url} {request.failure}")

    phone.context.route("**/*", only_local)
    page = phone.page
    page.on("requestfailed", failed)
    page.on("response", lambda r: r.status >= 400 and phone.problems.append(f"{r.status} {r.url}"))
    page.on("console", lambda m: m.type == "error" and phone.problems.append(f"console {m.text}"))
    page.on("pageerror", lambda error: phone.problems.append(f"pageerror {error}"))


def sign_in(phone: Phone, token: str) -> None:
    """Sign the phone in once, and wait until its grids are kept and the shell is cached."""
    page = phone.page
    page.goto(phone.site + "/app/")
    page.fill("#signin-token", token)
    page.fill("#signin-device", "测试手机")
    page.tap("#view-signin button[type=submit]")
    page.wait_for_function(
        "() => document.getElementById('area-info').textContent.includes('个单元')"
    )
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    until(phone, "caches.keys().then(k => k.length > 0)")


def until(phone: Phone, script: str, timeout: float = 30) -> None:
    """Wait until a script (which may answer a promise) is true in the page; page scripts
    are not evaluated from strings (the app's CSP forbids eval), so this polls."""
    deadline = time.monotonic() + timeout
    while not phone.page.evaluate(f"async () => Boolean(await ({script}))"):
        assert time.monotonic() < deadline, f"not within {timeout} s: {script}"
        phone.page.wait_for_timeout(250)


def photo(number: int, size: tuple[int, int] = (1600, 1200)) -> dict:
    """A camera-like JPEG, different for every number (its own colour and stripe)."""
    image = Image.new("RGB", size, (number * 37 % 256, number * 91 % 256, 120))
    for x in range(0, size[0], 40):
        image.paste((255, 255, 255), (x + number % 40, 0, x + number % 40 + 3, size[1]))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return {"name": f"IMG_{number:04d}.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def stored(engine, ids: list[str]) -> dict[str, int]:
    """client_request_id -> photos linked, for the app's reports stored under those ids."""
    with engine.connect() as conn:
        rows = conn.execute(text(
            "select r.client_request_id, count(p.id) from reports r "
            "left join report_photos p on p.report_id = r.id "
            "where r.client_request_id = any(:ids) group by r.id, r.client_request_id"),
            {"ids": ids}).all()  # fmt: skip
    return {key: count for key, count in rows}


@pytest.fixture
def cleanup(county):
    """Remove the app's reports after a test."""
    yield
    with county.engine.begin() as conn:
        conn.execute(text("delete from reports where reporter = :r"), {"r": STAFF})
