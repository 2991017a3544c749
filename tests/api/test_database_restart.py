"""`geogrid serve` on the embedded cluster brings a killed PostgreSQL back by itself.

Real processes on loopback: a server with two workers on a fresh home, phones posting
reports with client request ids (retrying what fails, as a phone does), the postmaster
killed with SIGKILL under that load. The API must answer 2xx again within 10 s without
anyone acting, and every acknowledged report must be stored exactly once.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import text

from geogrid.access.users import add_user
from geogrid.building.build import build_grids
from geogrid.building.validate import validate_grids
from geogrid.inputs.load import LoadOptions
from geogrid.reports.categories import seed_categories
from geogrid.settings import Settings
from geogrid.storage import embedded, grids, schema
from geogrid.storage.database import make_engine
from geogrid.usecases import boundaries, staffing, versions
from tests.county import SAMPLE_TINY, STAFFED_FROM

REPO = Path(__file__).parents[2]
PHONES = 3
RECOVERY_LIMIT_S = 10.0


@dataclass
class Served:
    """A running `geogrid serve` on its own home, and what a phone needs to post."""

    settings: Settings
    base: str
    token: str
    category: str
    lon: float
    lat: float


@dataclass
class Phones:
    """What the phones sent and which requests were acknowledged (thread-safe enough:
    each phone appends to its own lists)."""

    tries: list[tuple[float, float, int]] = field(default_factory=list)  # sent, answered, code
    acked: dict[str, str] = field(default_factory=dict)  # client request id -> report id
    stop: threading.Event = field(default_factory=threading.Event)


def _stage_county(settings: Settings) -> tuple[str, str, float, float]:
    """The tiny county loaded, built, active and staffed; (token, category, lon, lat)."""
    engine = make_engine(settings)
    try:
        schema.upgrade(engine)
        boundaries.load_boundaries(engine, [SAMPLE_TINY], LoadOptions(), commit=True)
        built = build_grids(versions.read_sources(engine))
        version = versions.save_version(engine, built, validation=validate_grids(built), source="t")
        grids.activate(engine, version)
        staffing.auto_assign(engine, version, STAFFED_FROM)
        with engine.begin() as conn:
            seed_categories(conn)
            token = add_user(conn, "kill-drill", "county_admin")
            category = conn.execute(text("select code from report_categories limit 1")).scalar()
            lon, lat = conn.execute(text(
                "select ST_X(p), ST_Y(p) from (select ST_PointOnSurface(geom) p from grids "
                "where level = 3 limit 1) s")).one()  # fmt: skip
    finally:
        engine.dispose()
    return token, category, lon, lat


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """`geogrid serve --workers 2` on a fresh home (fsync on, as in production)."""
    settings = Settings(home=tmp_path / "home")
    token, category, lon, lat = _stage_county(settings)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOGRID_")}
    env |= {"GEOGRID_HOME": str(settings.home), "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-c", "from geogrid.cli import main; main()", "serve",
               "--port", str(port), "--workers", "2", "--log-level", "warning"]  # fmt: skip
    # Each 503 while the database is down logs a traceback: into a file, not the test output.
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(command, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)  # fmt: skip
    try:
        yield Served(settings, f"http://127.0.0.1:{port}", token, category, lon, lat)
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=30)
        log.close()
        embedded.stop(embedded.cluster_for(settings))


def _post(served: Served, crid: str) -> tuple[int, str | None]:
    body = {"category": served.category, "lon": served.lon, "lat": served.lat,
            "text": "kill drill", "client_request_id": crid}  # fmt: skip
    request = urllib.request.Request(
        f"{served.base}/v1/reports", json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {served.token}", "Content-Type": "application/json"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, json.load(answer)["id"]
    except urllib.error.HTTPError as exc:
        return exc.code, None
    except OSError:  # refused, reset or timed out: no answer at all
        return 0, None


def _phone(served: Served, phones: Phones, number: int) -> None:
    """Send reports one after another; retry each until it is acknowledged."""
    sent = 0
    while not phones.stop.is_set():
        crid = f"kill-{number}-{sent}"
        while not phones.stop.is_set():
            start = time.monotonic()
            code, report_id = _post(served, crid)
            phones.tries.append((start, time.monotonic(), code))
            if 200 <= code < 300:
                phones.acked[crid] = report_id
                break
            time.sleep(0.1)
        sent += 1


def _wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.mark.slow
def test_killed_postmaster_is_restarted_and_no_acknowledged_report_is_lost(served: Served):
    cluster = embedded.cluster_for(served.settings)
    phones = Phones()
    threads = [threading.Thread(target=_phone, args=(served, phones, n)) for n in range(PHONES)]
    for thread in threads:
        thread.start()
    try:
        _wait_until(lambda: len(phones.acked) >= 30, 90, "the server to take reports")
        killed = embedded.kill_server_hard(cluster)
        killed_at = time.monotonic()
        _wait_until(lambda: _answered_again(phones.tries, killed_at) is not None,
                    RECOVERY_LIMIT_S + 5, "a 2xx after the kill")  # fmt: skip
        acked_before_end = len(phones.acked)
        _wait_until(lambda: len(phones.acked) >= acked_before_end + 30, 30, "more reports")
    finally:
        phones.stop.set()
        for thread in threads:
            thread.join(timeout=30)
    recovery = _answered_again(phones.tries, killed_at) - killed_at
    failed = sum(1 for start, _, code in phones.tries if start >= killed_at and code // 100 != 2)
    print(f"\nkill drill: {len(phones.acked)} acknowledged, {failed} failed tries after the "
          f"kill, 2xx again {recovery:.2f} s after the kill")  # fmt: skip
    state = embedded.status(cluster)
    assert state.running and state.pid != killed, "the server restarted the postmaster itself"
    assert failed > 0, "the kill was felt: some requests failed before the restart"
    assert recovery < RECOVERY_LIMIT_S
    _assert_stored_once(served.settings, phones.acked)


def _answered_again(tries: list[tuple[float, float, int]], killed_at: float) -> float | None:
    """When the first 2xx came after the first failure that followed the kill."""
    failures = [start for start, _, code in tries if start >= killed_at and code // 100 != 2]
    if not failures:
        return None
    first_failure = min(failures)
    answers = [done for start, done, code in list(tries)
               if start >= first_failure and code // 100 == 2]  # fmt: skip
    return min(answers, default=None)


def _assert_stored_once(settings: Settings, acked: dict[str, str]) -> None:
    engine = make_engine(settings)
    try:
        with engine.connect() as conn:
            stored = conn.execute(text(
                "select client_request_id, min(id::text), count(*) from reports "
                "where client_request_id like 'kill-%' group by 1")).all()  # fmt: skip
    finally:
        engine.dispose()
    by_crid = {crid: (report_id, count) for crid, report_id, count in stored}
    lost = [crid for crid in acked if crid not in by_crid]
    assert not lost, f"{len(lost)} acknowledged reports were lost, e.g. {lost[:3]}"
    assert all(by_crid[crid] == (report_id, 1) for crid, report_id in acked.items())
    assert max(count for _, count in by_crid.values()) == 1
