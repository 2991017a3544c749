"""The API on the tiny sample county: a TestClient, users of every role, known reports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from geogrid.api.app import create_app
from geogrid.api.settings import ApiSettings
from geogrid.reports.categories import seed_categories
from geogrid.reports.index import AssignmentIndex, load_index
from geogrid.settings import Settings
from tests.api.places import (
    USER_PREFIX,
    Place,
    Reports,
    Users,
    delete_reports,
    delete_users,
    make_reports,
    make_users,
    person_on,
    station_places,
)


@dataclass(frozen=True)
class County:
    """The county as the tests see it: engine, index and a place in each station."""

    engine: Engine
    index: AssignmentIndex
    p01: Place  # in station 370782P01's first unit
    p02: Place  # in station 370782P02's first unit
    places: dict[str, list[Place]]


@pytest.fixture(scope="session")
def county(county_engine: Engine) -> County:
    """The tiny county with categories seeded."""
    with county_engine.begin() as conn:
        seed_categories(conn)
    index = load_index(county_engine)
    places = station_places(county_engine, index)
    return County(county_engine, index, places["370782P01"][0], places["370782P02"][0], places)


@pytest.fixture(scope="session")
def users(county: County) -> Iterator[Users]:
    """A user of every role (grid staff: the leaders of each station's first grid)."""
    delete_users(county.engine)
    staff01 = person_on(county.engine, county.p01.grid, "grid_leader")[1]
    staff02 = person_on(county.engine, county.p02.grid, "grid_leader")[1]
    yield make_users(county.engine, staff01, staff02)
    delete_users(county.engine)


@pytest.fixture(scope="session")
def api_settings() -> ApiSettings:
    """Limits small enough to test, no token cache (revocation takes effect at once)."""
    return ApiSettings(auth_cache_seconds=0, max_body_bytes=200_000, max_batch_items=50,
                       max_page_size=20, default_page_size=10, gc_freeze=False)  # fmt: skip


@pytest.fixture(scope="session")
def client(county: County, users: Users, settings: Settings, api_settings) -> Iterator[TestClient]:
    """A client of the API on the county database (the lifespan runs)."""
    app = create_app(settings, api_settings, engine=county.engine)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def reports(county: County) -> Iterator[Reports]:
    """The six known reports (places.make_reports), removed after the module."""
    made = make_reports(county.engine, county.index, county.p01, county.p02)
    yield made
    delete_reports(county.engine, made.all())
    with county.engine.begin() as conn:
        conn.execute(text("delete from reports where reporter like :p"),
                     {"p": USER_PREFIX + "%"})  # fmt: skip


@pytest.fixture(scope="module")
def served(county, users, settings) -> Iterator[str]:
    """`geogrid serve` in a process of its own on a free loopback port, on the county
    database, with pages of at most 20 items and the session's registry key; its address."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOGRID_")}
    env |= {"GEOGRID_DATABASE_URL": county.engine.url.render_as_string(hide_password=False),
            "GEOGRID_API_MAX_PAGE_SIZE": "20", "GEOGRID_API_DEFAULT_PAGE_SIZE": "10",
            "GEOGRID_API_AUTH_CACHE_SECONDS": "0",
            "GEOGRID_REGISTRY_KEY": settings.registry_key}  # fmt: skip
    code = "import typer; from geogrid.cli.serve import serve; typer.run(serve)"
    command = [sys.executable, "-c", code, "--port", str(port), "--log-level", "warning"]
    server = subprocess.Popen(command, env=env, start_new_session=True)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=30)


def _wait_until_up(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            assert server.poll() is None, "geogrid serve stopped"
            assert time.monotonic() < deadline, f"no answer from {url} within 60 s"
            time.sleep(0.3)


def auth(token: str) -> dict[str, str]:
    """The header carrying a token."""
    return {"Authorization": f"Bearer {token}"}
