"""Benchmark: durable bulk ingest of sample reports (file -> check -> assign -> COPY, committed).

A CSV of sample reports for the full county goes through the same core as `geogrid ingest`
(read in chunks, checked, assigned, people and routes, duplicates, COPY, commit per chunk)
into the bench database. Side by side in the same run, the same rows are COPYed raw (no
checks, no assignment) into a scratch table with the same columns, once without indexes and
once with the reports' indexes: the ceilings the server sets.
Target: >= 200,000 reports/s. Medians of --repeats runs; the reports table is emptied
before each run (it is the bench's private database).
Run: .venv/bin/python bench/bench_ingest.py [--reports 1000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from county_db import BENCH_HOME, full_county_engine
from sqlalchemy import text

from geogrid.reports.categories import seed_categories
from geogrid.reports.file_intake import ingest_file
from geogrid.reports.index import load_index
from geogrid.sample.reports import generate_sample_reports


def ingest(engine, path: Path, index) -> tuple[int, int]:
    """The `geogrid ingest` loop without the terminal output; (items, stored)."""
    items = stored = 0
    for done in ingest_file(engine, path, index):
        items += len(done.chunk.items)
        stored += done.result.accepted
    return items, stored


def raw_copy(engine, indexed: bool = False) -> float:
    """Seconds to COPY the stored reports' rows back into a scratch table with the same
    columns (and, if `indexed`, the same indexes as reports), committed: the ceilings the
    server sets, with nothing to check or assign."""
    like = "like reports including indexes" if indexed else "like reports"
    with engine.begin() as conn:
        conn.execute(text("drop table if exists bench_raw_copy"))
        conn.execute(text("create unlogged table bench_scratch as select * from reports"))
        conn.execute(text(f"create table bench_raw_copy ({like})"))
    raw = engine.raw_connection()
    try:
        cursor = raw.driver_connection.cursor()
        with cursor.copy("copy bench_scratch to stdout") as out:
            data = b"".join(bytes(block) for block in out)
        started = time.perf_counter()
        with cursor.copy("copy bench_raw_copy from stdin") as copy:
            copy.write(data)
        raw.driver_connection.commit()
        seconds = time.perf_counter() - started
    finally:
        raw.close()
    with engine.begin() as conn:
        conn.execute(text("drop table bench_scratch; drop table bench_raw_copy"))
    return seconds


def main() -> None:
    """Generate the file once, then time ingest runs and raw COPY runs; print medians."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    engine = full_county_engine()
    with engine.begin() as conn:
        seed_categories(conn)
    path = BENCH_HOME / f"reports_{args.reports}.csv"
    if not path.exists():
        until = datetime.now(timezone(timedelta(hours=8))).replace(hour=0, minute=0, second=0)
        generate_sample_reports(BENCH_HOME / "full.gpkg", args.reports, 2026, path, start=until)
    index = load_index(engine)
    ingest_times, raw_times, indexed_times, stored = [], [], [], 0
    for _ in range(args.repeats):
        with engine.begin() as conn:
            # with what refers to the reports (the loop's extensions, photos' links, the
            # registry's proposals from basic reports): the bench's own database
            conn.execute(text("truncate reports, report_events cascade"))
        started = time.perf_counter()
        items, stored = ingest(engine, path, index)
        ingest_times.append(time.perf_counter() - started)
        raw_times.append(raw_copy(engine))
        indexed_times.append(raw_copy(engine, indexed=True))
    _report(items, stored, ingest_times, raw_times, indexed_times)


def _report(items: int, stored: int, ingest_times, raw_times, indexed_times) -> None:
    ingest_s, raw_s = statistics.median(ingest_times), statistics.median(raw_times)
    indexed_s = statistics.median(indexed_times)
    print(f"{items:,} items, {stored:,} stored per run")
    print(
        f"ingest (file -> check -> assign -> COPY, committed): median {ingest_s:.2f} s = "
        f"{items / ingest_s:,.0f} reports/s (runs {', '.join(f'{t:.2f}' for t in ingest_times)})"
    )
    print(
        f"raw COPY of the same rows, unindexed table: median {raw_s:.2f} s = "
        f"{stored / raw_s:,.0f} rows/s"
    )
    print(
        f"raw COPY of the same rows, table with the reports' indexes: median {indexed_s:.2f} s "
        f"= {stored / indexed_s:,.0f} rows/s"
    )
    verdict = "ok" if items / ingest_s >= 200_000 else "UNDER"
    print(f"target >= 200,000 reports/s: {verdict}")  # fmt: skip


if __name__ == "__main__":
    main()
