"""Benchmark: a station atlas of 100 or more patrol sheets as one PDF (target: 100 sheets in 60 s).

Needs a database with the full sample county loaded, built, activated and staffed, in a
private GEOGRID_HOME (never the default one), for example:

    export GEOGRID_HOME=/tmp/gg-prints
    .venv/bin/geogrid sample --scale full --out /tmp/full.gpkg
    .venv/bin/geogrid load /tmp/full.gpkg --commit
    .venv/bin/geogrid build --activate && .venv/bin/geogrid staff auto
    .venv/bin/python bench/bench_atlas.py --repeats 3

It takes the station with the fewest level-2 grids among those with at least --sheets of
them (or the largest station, when none has that many, and says so), adds synthetic key
places (rental housing, key units, dangerous goods) to its grids inside a transaction that
is rolled back at the end, and times write_station_atlas end to end: queries, drawing, PDF.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import peak_rss_mb, verdict
from sqlalchemy import Connection, text

from geogrid.prints import write_station_atlas
from geogrid.settings import Settings
from geogrid.storage.database import make_engine

_STATIONS_SQL = """
select s.code, s.name, count(*) as grids
from stations s
join station_communities sc on sc.station_id = s.id
join grids g on left(g.code, 12) = sc.community_code and g.level = 2
join grid_versions v on v.id = g.version_id and v.status = 'active'
group by s.code, s.name order by grids, s.code
"""
_CATEGORY_SQL = """
insert into report_categories (code, name_zh, name_en, kind, is_security)
values (:code, :name, :name_en, 'basic', true) on conflict (code) do nothing
"""
_KEY_PLACES_SQL = """
insert into reports (id, category_id, geom, reported_at, received_crs, reporter, text,
                     assignment_method, status)
select gen_random_uuid(), (:categories)[1 + floor(random() * 3)::int], p.geom,
       now() - random() * interval '365 days', 'EPSG:4326', 'bench', '', 'inside', 'closed'
from (select (st_dump(st_generatepoints(g.geom, :per_grid, 11))).geom
      from grids g join grid_versions v on v.id = g.version_id and v.status = 'active'
      join station_communities sc on sc.community_code = left(g.code, 12)
      join stations s on s.id = sc.station_id
      where g.level = 2 and s.code = :station) p
"""
KEY_PLACES = {"rental_housing": "出租房屋", "key_unit": "重点单位", "dangerous_goods": "危险物品"}


def pick_station(conn: Connection, sheets: int) -> tuple[str, str, int]:
    """The smallest station with at least `sheets` grids, else the largest one."""
    stations = conn.execute(text(_STATIONS_SQL)).all()
    if not stations:
        sys.exit("no staffed, active sample county in this GEOGRID_HOME: see the docstring")
    big_enough = [row for row in stations if row.grids >= sheets]
    code, name, grids = (big_enough or stations[-1:])[0]
    return code, name, grids


def add_key_places(conn: Connection, station: str, per_grid: int) -> int:
    """Synthetic key-place reports in every grid of the station; returns how many."""
    for code, name in KEY_PLACES.items():
        conn.execute(text(_CATEGORY_SQL), {"code": code, "name": name, "name_en": code})
    ids = list(
        conn.execute(
            text("select id from report_categories where code = any(:c)"), {"c": list(KEY_PLACES)}
        ).scalars()
    )
    params = {"categories": ids, "per_grid": per_grid, "station": station}
    return conn.execute(text(_KEY_PLACES_SQL), params).rowcount


def main() -> None:
    """Time `repeats` atlases of one station and print pages, sheets/s and the verdict."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sheets", type=int, default=100, help="grids the station should have")
    parser.add_argument("--key-places", type=int, default=30, help="synthetic places per grid")
    parser.add_argument("--paper", default="A4")
    args = parser.parse_args()
    if not os.environ.get("GEOGRID_HOME"):
        sys.exit("set GEOGRID_HOME to a private folder (never the default home)")
    engine = make_engine(Settings())
    with engine.connect() as conn, tempfile.TemporaryDirectory() as folder:
        transaction = conn.begin()
        try:
            code, name, grids = pick_station(conn, args.sheets)
            places = add_key_places(conn, code, args.key_places)
            times, summary = [], None
            for run in range(args.repeats):
                started = time.perf_counter()
                summary = write_station_atlas(
                    conn, code, Path(folder) / f"atlas-{run}.pdf", paper=args.paper
                )
                times.append(time.perf_counter() - started)
            size_mb = summary.path.stat().st_size / 1e6
        finally:
            transaction.rollback()
    report(code, name, grids, places, summary, times, size_mb, args.sheets)


def report(code, name, grids, places, summary, times, size_mb, wanted) -> None:
    """Print the run times, the rate and the verdict against 60 s for `wanted` sheets."""
    median = statistics.median(times)
    rate = summary.grids / median
    print(
        f"station {code} {name}: {summary.grids} grid sheets, {summary.pages} pages "
        f"({summary.index_pages} index continuation), {places} synthetic key-place reports"
    )
    print(f"atlas: runs {', '.join(f'{t:.1f}' for t in times)} s; {size_mb:.1f} MB")
    print(f"median {median:.1f} s = {rate:.2f} sheets/s")
    if grids >= wanted:
        print(f"{grids} sheets (>= {wanted}) in {verdict(median, 60, 's')}")
    else:
        print(
            f"no station has {wanted} grids; {wanted} sheets projected from {grids}: "
            f"{verdict(wanted / rate, 60, 's')}"
        )
    print(f"peak memory of the process {peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
