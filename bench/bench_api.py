"""Benchmark: the HTTP API under a real load generator (wrk) against uvicorn.

Targets (issue 6): the geotag lookup serves >= 3,000 requests/s with p99 <= 5 ms, and at
least 0.7x the throughput of a trivial endpoint of the same app in the same run; a single
report POST, committed, has p99 <= 20 ms at 16 concurrent clients (each POST carries a
client request id, as the phones send them).

The trivial endpoints are /healthz (no token) and /v1/me (the same token check as the
lookup, then a small answer); the lookup is compared with both, all three driven by the
same kind of wrk script. Each measurement runs `--repeats` times, interleaved, and the
medians are reported.

Needs wrk (Debian: apt-get install wrk) and a county loaded, built, active and staffed in a
private GEOGRID_HOME, with a year of reports (the POSTs' duplicate search and the planner's
statistics are those of a table in use, not of an empty one), e.g.:

    geogrid sample --scale town --out /tmp/town.gpkg
    export GEOGRID_HOME=/tmp/gg-api
    geogrid load /tmp/town.gpkg --commit && geogrid build --activate && geogrid staff auto
    geogrid sample-reports --count 100000 --county /tmp/town.gpkg --out /tmp/town.csv
    geogrid ingest /tmp/town.csv
    .venv/bin/python bench/bench_api.py --home /tmp/gg-api

The benchmark adds a user and reports of its own and deletes them afterwards.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import shapely
from sqlalchemy import Engine, text

LOOKUP_RPS, LOOKUP_P99_MS, RATIO, POST_P99_MS = 3000, 5.0, 0.7, 20.0
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def main() -> None:
    """Start uvicorn on the given home, load it with wrk, print medians and verdicts."""
    args = _arguments()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    print(f"load average before: {os.getloadavg()[0]:.2f} (other work on the machine skews "
          "every figure)")  # fmt: skip
    engine, points = _prepare(args.home)
    name, token = _bench_user(engine)
    try:
        with served(args, "gg-bench-api-") as (server, folder):
            scripts = _lua_scripts(folder, points)
            env = os.environ | {"TOKEN": token, "TODAY": datetime.now(UTC).isoformat()}
            _report(_measure(args, scripts, env, server.pid), args)
    finally:
        _clean_up(engine, name)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--home",
        type=Path,
        required=True,
        help="A private GEOGRID_HOME holding a staffed county (not the default)",
    )
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (lookup)")
    parser.add_argument("--repeats", type=int, default=5)
    return parser.parse_args()  # fmt: skip


def _prepare(home: Path) -> tuple[Engine, list[tuple[float, float]]]:
    """The engine on the home's database, categories seeded, and 2,000 random points
    inside random units of the active version (a fixed seed)."""
    from geogrid.reports.categories import seed_categories
    from geogrid.reports.index import load_index
    from geogrid.settings import Settings
    from geogrid.storage.database import make_engine

    engine = make_engine(Settings(home=home))
    with engine.begin() as conn:
        seed_categories(conn)
    # An earlier run's deleted reports would bring autovacuum into this run's measurements.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("vacuum (analyze) reports"))
    index = load_index(engine)
    rng = np.random.default_rng(7)
    points = []
    for unit in rng.integers(0, len(index.units.ids), 2000):
        geom = index.units.geoms[unit]
        x0, y0, x1, y1 = geom.bounds
        while True:
            x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
            if geom.contains(shapely.Point(x, y)):
                points.append((x, y))
                break
    return engine, points


def _bench_user(engine: Engine) -> tuple[str, str]:
    from geogrid.access.users import add_user

    name = f"bench-{secrets.token_hex(4)}"
    with engine.begin() as conn:
        return name, add_user(conn, name, "county_admin")


def _start_server(args: argparse.Namespace, folder: Path) -> subprocess.Popen:
    """uvicorn as `geogrid serve` runs it (no access log, no proxy headers), at warning."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOGRID_")}
    env["GEOGRID_HOME"] = str(args.home)
    command = [sys.executable, "-m", "uvicorn", "--factory", "geogrid.api.app:create_app",
               "--host", "127.0.0.1", "--port", str(args.port), "--workers", str(args.workers),
               "--log-level", "warning", "--no-access-log", "--no-proxy-headers"]  # fmt: skip
    log = (folder / "server.log").open("w")
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)  # fmt: skip


@contextmanager
def served(args: argparse.Namespace, prefix: str) -> Iterator[tuple[subprocess.Popen, Path]]:
    """uvicorn on `args.home`, logging into a fresh temporary folder, up and answering; on a
    failure the log's end is shown; afterwards the server and its workers are stopped and
    the folder removed. Every wrk benchmark runs its measurements inside one."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    server = _start_server(args, folder)
    try:
        _wait_until_up(args.port, server)
        yield server, folder
    except (RuntimeError, subprocess.CalledProcessError):
        print((folder / "server.log").read_text()[-3000:], file=sys.stderr)
        raise
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)  # the server and its workers, nothing else
            server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


def _wait_until_up(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server exited")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                time.sleep(2)  # every worker up, indexes loaded
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the server did not answer within 60 s")


def _lua_scripts(folder: Path, points: list[tuple[float, float]]) -> dict[str, Path]:
    """wrk scripts: lookups cycling through the points, the trivial endpoints, and single
    report POSTs. wrk shares the two cores with the server, so the trivial endpoints are
    driven the same way as the lookup (the same Lua work per request, their own fixed
    path): without a script, /healthz got about 10 % more throughput from a lighter wrk
    (11,900 against 10,700 req/s, medians of 4 alternating runs)."""
    table = ",".join(f"{{{x:.7f},{y:.7f}}}" for x, y in points)
    auth = '{["Authorization"] = "Bearer " .. os.getenv("TOKEN")'
    each = (f"local p = {{{table}}}\nlocal n = 0\nrequest = function()\n  n = n + 1\n"
            "  local q = p[(n % #p) + 1]\n"
            '  local at = string.format("/v1/lookup?lon=%.7f&lat=%.7f", q[1], q[2])\n')  # fmt: skip
    lookup = f'{each}  return wrk.format("GET", at, {auth}}})\nend\n'
    me = f'{each}  return wrk.format("GET", "/v1/me", {auth}}})\nend\n'
    healthz = f'{each}  return wrk.format("GET", "/healthz")\nend\n'
    # As a phone sends it: with a client request id (unique per wrk run and request).
    post = (f"local p = {{{table}}}\nlocal n = 0\nlocal today = os.getenv('TODAY')\n"
            "math.randomseed(os.time() + math.floor(os.clock() * 1e6))\n"
            "local run = string.format('%d-%d', os.time(), math.random(1, 1000000000))\n"
            "request = function()\n  n = n + 1\n  local q = p[(n % #p) + 1]\n"
            '  local body = string.format(\'{"category":"fire_hazard","lon":%.7f,"lat":%.7f,'
            '"reported_at":"%s","text":"bench","client_request_id":"bench-%s-%d"}\', q[1], '
            "q[2], today, run, n)\n"
            f'  return wrk.format("POST", "/v1/reports", {auth}, '
            '["Content-Type"] = "application/json"}, body)\nend\n')  # fmt: skip
    scripts = {"lookup": lookup, "post": post, "me": me, "healthz": healthz}
    for kind, body in scripts.items():
        (folder / f"{kind}.lua").write_text(body)
    return {kind: folder / f"{kind}.lua" for kind in scripts}


def _wrk(port: int, path: str, seconds: int, connections: int, script: Path | None, env,
         server: int, timeout_s: int = 2) -> dict:  # fmt: skip
    """One wrk run: requests/s, p50, p99, non-2xx count, and the server's CPU per request
    (all its processes), which other work on the machine hardly changes. A request slower
    than `timeout_s` is wrk's socket timeout, left out of its latencies."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
               f"--timeout={timeout_s}s"]  # fmt: skip
    if script is not None:
        command += ["-s", str(script)]
    cpu_before = _cpu_seconds(server)
    out = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"], capture_output=True,
                         text=True, env=env, check=True).stdout  # fmt: skip
    cpu = _cpu_seconds(server) - cpu_before
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    timeouts = re.search(r"timeout (\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out)[1])
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
            "p50": _ms(latency["50"]), "p99": _ms(latency["99"]),
            "errors": int(bad[1]) if bad else 0, "timeouts": int(timeouts[1]) if timeouts else 0,
            "cpu_us": cpu / max(requests, 1) * 1e6}  # fmt: skip


def _cpu_seconds(group: int) -> float:
    """User + system CPU seconds of every process in a process group (Linux /proc)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[2]) == group:  # pgrp
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", value).groups()
    return float(number) * UNITS[unit]


def _measure(args, scripts: dict[str, Path], env, server: int) -> dict[str, list[dict]]:
    """Short runs of each kind, interleaved, so that a load elsewhere on the machine falls on
    all kinds alike; the POSTs last (they grow the reports table)."""
    runs: dict[str, list[dict]] = {"healthz": [], "me": [], "lookup": [], "post": []}
    port, seconds, c = args.port, args.duration, args.connections
    _wrk(port, "/", 5, c, scripts["lookup"], env, server)  # warm the workers' caches
    _wrk(port, "/", 3, 16, scripts["post"], env, server)  # and the intake's (first COPY ...)
    for _ in range(args.repeats):
        runs["healthz"].append(_wrk(port, "/", seconds, c, scripts["healthz"], env, server))
        runs["me"].append(_wrk(port, "/", seconds, c, scripts["me"], env, server))
        runs["lookup"].append(_wrk(port, "/", seconds, c, scripts["lookup"], env, server))
    for _ in range(args.repeats):
        runs["post"].append(_wrk(port, "/", seconds, 16, scripts["post"], env, server))
    return runs


def _report(runs: dict[str, list[dict]], args) -> None:
    def median(kind: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[kind])

    print(f"wrk -t1, {args.duration} s per run, {args.repeats} runs each; uvicorn "
          f"{args.workers} worker(s); lookup/trivial at {args.connections} connections, "
          f"POST at 16; load average now {os.getloadavg()[0]:.2f}")  # fmt: skip
    for kind in runs:
        each = ", ".join(f"{r['rps']:,.0f}/s p99 {r['p99']:.2f} ms" for r in runs[kind])
        errors = sum(r["errors"] for r in runs[kind])
        print(f"{kind:8s} median {median(kind, 'rps'):8,.0f} req/s, p50 "
              f"{median(kind, 'p50'):.2f} ms, p99 {median(kind, 'p99'):.2f} ms, server CPU "
              f"{median(kind, 'cpu_us'):.0f} us/request, non-2xx {errors}  [{each}]")  # fmt: skip
    rps, p99 = median("lookup", "rps"), median("lookup", "p99")
    throughput = _verdict(rps >= LOOKUP_RPS, f"{rps:,.0f} req/s", f">= {LOOKUP_RPS:,}")
    print(f"lookup throughput {throughput}")
    print(f"lookup p99 {_verdict(p99 <= LOOKUP_P99_MS, f'{p99:.2f} ms', f'<= {LOOKUP_P99_MS} ms')}")
    for trivial in ("me", "healthz"):
        ratio = rps / median(trivial, "rps")
        by_cpu = median(trivial, "cpu_us") / median("lookup", "cpu_us")
        print(f"lookup / {trivial} {_verdict(ratio >= RATIO, f'{ratio:.2f}', f'>= {RATIO}')}; "
              f"by server CPU per request {by_cpu:.2f}")  # fmt: skip
    post = median("post", "p99")
    print(f"report POST p99 at 16 clients "
          f"{_verdict(post <= POST_P99_MS, f'{post:.2f} ms', f'<= {POST_P99_MS} ms')}")  # fmt: skip


def _verdict(ok: bool, value: str, target: str) -> str:
    return f"{value} (target {target}): {'ok' if ok else 'MISSED'}"


def _clean_up(engine: Engine, name: str) -> None:
    """Remove the benchmark's reports, audit entries and user."""
    with engine.begin() as conn:
        conn.execute(text("delete from reports where reporter = :n"), {"n": name})
        conn.execute(text("delete from audit_log where user_name = :n"), {"n": name})
        conn.execute(text("delete from api_users where name = :n"), {"n": name})


if __name__ == "__main__":
    main()
