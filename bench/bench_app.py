"""Benchmark: what the phone app keeps and fetches for one grid leader of the full county.

Targets (issue 18): one leader's cached grid data (grids, units, streets, key places) <= 300
KB; the app's first start <= 2 MB transferred. The app's own figures (100 queued reports
synced <= 5 s, an offline start with no request) are measured in the browser by tests/app.

This asks the API in process, as the app does, for the leaders with the most units and the
largest grid, and sums the bodies; "kept" is what the phone stores after dropping the
properties it does not use (area.js `slim`). Uses the bench county (bench/county_db.py):

    GEOGRID_BENCH_HOME=/tmp/geogrid-bench-app .venv/bin/python bench/bench_app.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).parent))
from county_db import full_county_engine

from geogrid.access.users import add_user, remove_users
from geogrid.api.app import create_app
from geogrid.app.shell import shell_files
from geogrid.settings import get_settings

USER = "bench-app-leader"
LEADERS = """
select p.person_no, count(u.code) as units, max(st_area(g.geom::geography)) as area
from grid_assignments a join people p on p.id = a.person_id
join grids g on g.code = a.grid_code and g.level = 2
join grid_versions v on v.id = g.version_id and v.status = 'active'
join grids u on u.version_id = g.version_id and u.level = 3 and left(u.code, 15) = g.code
where a.role = 'grid_leader' and a.valid_to is null group by p.person_no
"""


def _slim(features: list[dict]) -> list[dict]:
    return [{"type": "Feature", "geometry": f["geometry"],
             "properties": {"code": f["properties"]["code"], "name": f["properties"]["name"]}}
            for f in features]  # fmt: skip


def leader_data(client: TestClient, token: str) -> tuple[int, int]:
    """(bytes fetched, bytes kept) of one leader's grids, units, streets and key places."""
    head = {"Authorization": f"Bearer {token}"}
    fetched, kept = 0, []
    grids: list[dict] = []
    for level in ("grids", "units"):
        answer = client.get(f"/v1/collections/{level}/items?limit=1000&simplify=1", headers=head)
        fetched += len(answer.content)
        features = answer.json()["features"]
        grids = features if level == "grids" else grids
        kept.append(_slim(features))
    for grid in grids:
        answer = client.get(f"/v1/grids/{grid['properties']['code']}/streets", headers=head)
        fetched += len(answer.content)
        kept.append(answer.json()["features"])
    places = client.get("/v1/reports?category=key_unit&category=dangerous_goods&limit=1000",
                        headers=head)  # fmt: skip
    fetched += len(places.content)
    kept.append([{"lon": r["lon"], "lat": r["lat"], "name": r["category_name"]}
                 for r in places.json()["items"]])  # fmt: skip
    return fetched, len(json.dumps(kept, ensure_ascii=False, separators=(",", ":")))


def main() -> None:
    engine = full_county_engine()
    with engine.connect() as conn:
        rows = conn.execute(text(LEADERS)).all()
    most_units = max(rows, key=lambda r: r.units)
    largest = max(rows, key=lambda r: r.area)
    app = create_app(get_settings(), engine=engine)
    with TestClient(app) as client:
        shell = sum(len(client.get(url).content) for url in shell_files())
        print(f"app shell (page, scripts, styles, kinds, Leaflet): {shell:,} bytes")
        for label, row in (("most units", most_units), ("largest grid", largest)):
            with engine.begin() as conn:
                remove_users(conn, [USER])
                token = add_user(conn, USER, "grid_staff", person=row.person_no)
            try:
                fetched, kept = leader_data(client, token)
            finally:
                with engine.begin() as conn:
                    remove_users(conn, [USER])
            verdict = "met" if kept <= 300_000 else "NOT met"
            print(
                f"leader with the {label} ({row.units} units, {row.area / 1e6:.2f} km2): "
                f"fetched {fetched:,} bytes, kept {kept:,} bytes (target 300 KB: {verdict})"
            )


if __name__ == "__main__":
    main()
