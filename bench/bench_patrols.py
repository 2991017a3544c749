"""Benchmark: 10,000 track points accepted in <= 1 s (issue 18).

Through the whole API in process (FastAPI's TestClient: JSON parsing, validation, the
per-point checks, one INSERT of the batch and the commit; no network; the bodies encoded
before the clock starts), a new patrol per run (its start is timed too): 10,000 points as
one batch, and as ten batches of 1,000; then the use case alone (`tracks.add_points` in a
transaction, committed) for the split between HTTP and database.
Runs in its own database in $GEOGRID_BENCH_HOME-patrols (default /tmp/geogrid-bench-patrols)
with one grid staff person and no county: the points need no grids.

    .venv/bin/python bench/bench_patrols.py [--repeats 5] [--points 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import uuid
from datetime import timedelta
from pathlib import Path

from common import median_seconds, verdict
from sqlalchemy import text

LIMIT_S = 1.0
HOME = Path(os.environ.get("GEOGRID_BENCH_HOME", "/tmp/geogrid-bench") + "-patrols")
PERSON = "bench-patrol"
ADD_PERSON = """insert into people (person_no, name, phone, gender, roles, vetting_status, active)
values (:p, '巡查测试', '', '', '{grid_leader}', 'passed', true) on conflict do nothing"""


def _engine():
    from geogrid.settings import Settings
    from geogrid.storage.database import make_engine
    from geogrid.storage.schema import ensure_schema

    os.environ["GEOGRID_HOME"] = str(HOME)
    os.environ.pop("GEOGRID_DATABASE_URL", None)
    settings = Settings(home=HOME, db_fsync=True)
    engine = make_engine(settings)
    ensure_schema(engine, migrate=True)
    return settings, engine


def _token(engine) -> tuple[int, str]:
    """The bench person's id and a fresh grid staff token for it."""
    from geogrid.access.users import add_user

    with engine.begin() as conn:
        conn.execute(text(ADD_PERSON), {"p": PERSON})
        conn.execute(text("delete from api_users where name like 'bench-patrol%'"))
        token = add_user(conn, f"bench-patrol-{uuid.uuid4().hex[:6]}", "grid_staff",
                         person=PERSON)  # fmt: skip
        person = conn.execute(text("select id from people where person_no = :p"), {"p": PERSON})
        return person.scalar_one(), token


def _points(n: int, start) -> list[dict]:
    """n points a second apart walking a slow circle near Zhucheng."""
    return [{"at": (start + timedelta(seconds=i)).isoformat(), "lon": 119.40 + 1e-5 * (i % 500),
             "lat": 36.00 + 1e-5 * (i // 500), "accuracy_m": 5.0} for i in range(n)]  # fmt: skip


def main() -> None:
    """Time the uploads and print medians against the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--points", type=int, default=10_000)
    args = parser.parse_args()
    from fastapi.testclient import TestClient

    from geogrid.api.app import create_app
    from geogrid.api.settings import ApiSettings
    from geogrid.patrols import tracks
    from geogrid.patrols.points import PointIn
    from geogrid.vocabulary import china_now

    settings, engine = _engine()
    person, token = _token(engine)
    headers = {"Authorization": f"Bearer {token}"}
    start = china_now().replace(microsecond=0) - timedelta(seconds=args.points + 60)
    points = _points(args.points, start)

    def patrol(client) -> int:
        body = {"client_id": uuid.uuid4().hex, "started_at": start.isoformat()}
        return client.post("/v1/patrols", json=body, headers=headers).json()["patrol"]["id"]

    with TestClient(create_app(settings, ApiSettings(), engine=engine)) as client:

        def bodies(batches: int) -> list[bytes]:
            """The batches as the phone sends them, encoded before the clock starts."""
            size = len(points) // batches
            return [json.dumps({"batch_id": f"b{b}", "points": points[b * size : (b + 1) * size]
                                }).encode() for b in range(batches)]  # fmt: skip

        def upload(batches: int) -> None:
            url, size = f"/v1/patrols/{patrol(client)}/points", len(points) // batches
            for body in encoded[batches]:
                answer = client.post(url, content=body, headers=sent)
                assert answer.status_code == 200 and not answer.json()["rejected"], answer.text
                assert answer.json()["stored"] == size

        sent = headers | {"Content-Type": "application/json"}
        encoded = {batches: bodies(batches) for batches in (1, 10)}
        for batches in (1, 10):
            median, times = median_seconds(lambda b=batches: upload(b), args.repeats)
            runs = [round(t, 3) for t in times]
            print(f"API, {args.points:,} points in {batches} batch(es): "
                  f"{verdict(median, LIMIT_S, 's')} runs {runs}")  # fmt: skip

    domain = [PointIn(start + timedelta(seconds=i), p["lon"], p["lat"], 5.0)
              for i, p in enumerate(points)]  # fmt: skip

    def use_case() -> None:
        with engine.begin() as conn:
            _, made = tracks.start_patrol(conn, person, uuid.uuid4().hex, start)
            assert tracks.add_points(conn, person, made["id"], "b", domain).stored == len(domain)

    median, times = median_seconds(use_case, args.repeats)
    print(f"use case alone (check, INSERT, commit): {median:.3f} s, runs "
          f"{[round(t, 3) for t in times]}")  # fmt: skip
    with engine.begin() as conn:  # leave the bench database small
        conn.execute(text("delete from patrol_points where patrol_id in (select id from patrols "
                          "where person_id = :p)"), {"p": person})  # fmt: skip
        conn.execute(text("delete from patrols where person_id = :p"), {"p": person})


if __name__ == "__main__":
    main()
