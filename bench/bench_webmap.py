"""Benchmark: the county and a station web map over 1,000,000 reports (target: < 3 MB, < 3 s).

Needs a database with a sample county loaded, built, activated and staffed, in a private
GEOGRID_HOME (never the default one), for example:

    export GEOGRID_HOME=/tmp/gg-maps-full
    .venv/bin/geogrid sample --scale full --out /tmp/full.gpkg
    .venv/bin/geogrid load /tmp/full.gpkg --commit
    .venv/bin/geogrid build --activate && .venv/bin/geogrid staff auto
    .venv/bin/python bench/bench_webmap.py --reports 1000000 --repeats 3

It tops the reports table up to --reports synthetic reports (random points in the level-3
units, in proportion to their households, over 2025; COPY-free: one INSERT ... SELECT with
ST_GeneratePoints), then times county_map_html and station_map_html in process and prints
the page sizes. The reports stay in that database for the next run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import median_seconds, verdict
from sqlalchemy import Connection, Engine, text

from geogrid.maps.web import county_map_html, station_map_html
from geogrid.settings import Settings
from geogrid.storage.database import make_engine

# (code, 中文名, heat group, share of reports): the heat groups of the source case.
CATEGORIES = (
    ("dangerous_goods", "危险物品", "hazard", 3), ("work_safety", "安全生产", "hazard", 5),
    ("fire_hazard", "消防隐患", "hazard", 4), ("environment", "环境保护", "hazard", 3),
    ("public_security", "治安", "incident", 10), ("dispute", "矛盾纠纷", "incident", 10),
    ("traffic", "交通", "incident", 5), ("population", "实有人口", None, 30),
    ("rental_housing", "出租房屋", None, 20), ("civil_affairs", "民政", None, 10),
)  # fmt: skip

_CATEGORY_SQL = """
insert into report_categories (code, name_zh, name_en, kind, is_security, heat_group)
values (:code, :name, :name_en, 'dynamic', :security, :grp) on conflict (code) do nothing
"""
_REPORTS_SQL = """
with units as (
    select g.id, g.parent_id, g.geom, g.households + 1 as weight
    from grids g join grid_versions v on v.id = g.version_id and v.status = 'active'
    where g.level = 3
), points as (
    select u.parent_id, (st_dump(st_generatepoints(
        u.geom, greatest(1, round(:n * u.weight / (select sum(weight) from units)))::int,
        :seed))).geom as geom
    from units u
)
insert into reports (id, category_id, geom, reported_at, received_crs, assignment_method,
                     status, route, level2_id, reporter, text)
select gen_random_uuid(), (:categories)[1 + floor(random() * cardinality(:categories))::int],
       p.geom, timestamptz '2025-01-01 00:00+08' + random() * interval '365 days',
       'EPSG:4326', 'inside', 'assigned', 'station', p.parent_id, 'bench', '模拟上报'
from points p
"""


def add_reports(conn: Connection, wanted: int, seed: int = 7) -> int:
    """Top the reports table up to about `wanted` synthetic reports; returns the count."""
    for code, name, group, _share in CATEGORIES:
        security = group == "incident"
        conn.execute(text(_CATEGORY_SQL), {"code": code, "name": name, "name_en": code,
                                           "security": security, "grp": group})  # fmt: skip
    have = conn.scalar(text("select count(*) from reports"))
    if have < wanted * 0.98:
        ids = dict(conn.execute(text("select code, id from report_categories")).all())
        # Each category repeated by its share: a uniform pick from it follows the shares.
        weighted = [ids[code] for code, _n, _g, share in CATEGORIES for _ in range(share)]
        conn.execute(text(_REPORTS_SQL), {"n": wanted - have, "seed": seed, "categories": weighted})
        conn.execute(text("analyze reports"))
    return conn.scalar(text("select count(*) from reports"))


def _engine() -> Engine:
    if not os.environ.get("GEOGRID_HOME"):
        sys.exit("set GEOGRID_HOME to a private folder (never the default one)")
    return make_engine(Settings())


def main() -> None:
    """Fill the reports, then time the county map and the busiest station's map."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    engine = _engine()
    started = time.perf_counter()
    with engine.begin() as conn:
        total = add_reports(conn, args.reports)
    print(f"reports in the database: {total:,} (ready in {time.perf_counter() - started:.1f} s)")
    with engine.connect() as conn:
        station = conn.scalar(text(
            "select station_id from station_communities group by 1 order by count(*) desc limit 1"
        ))  # fmt: skip
        pages, june = {}, date(2025, 6, 1)
        runs = {
            "county": lambda: pages.__setitem__("county", county_map_html(conn, month=june)),
            f"station {station}": lambda: pages.__setitem__("station", station_map_html(
                conn, station, date_from=date(2025, 1, 1), date_to=date(2025, 12, 31), month=june)),
        }  # fmt: skip
        for name, run in runs.items():
            median, times = median_seconds(run, args.repeats)
            size = len(pages[name.split()[0]].encode("utf-8"))
            print(f"{name} map: runs {', '.join(f'{t:.2f}' for t in times)} s")
            print(f"  build median {verdict(median, 3, 's')}")
            print(f"  page size {verdict(size / 1e6, 3, 'MB')} ({size:,} bytes)")


if __name__ == "__main__":
    main()
