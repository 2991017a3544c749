"""Benchmark: patrol coverage for the county's monthly assessment (issue 18).

The full sample county in a private home ($GEOGRID_BENCH_HOME-coverage, default
/tmp/geogrid-bench-coverage: it carries the patrol tables, so it is not the other benches'
database), sample patrols of `--leaders` grid leaders over last month (kept: a rerun
measures at once), then the medians of `coverage_by_unit` over the county's units,
`coverage_by_person` (what the assessment adds) and the whole assessment table.

    .venv/bin/python bench/bench_coverage.py [--leaders 200] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import time

from common import median_seconds

os.environ["GEOGRID_BENCH_HOME"] = os.environ.get("GEOGRID_BENCH_HOME", "/tmp/geogrid-bench")
os.environ["GEOGRID_BENCH_HOME"] += "-coverage"


def main() -> None:
    """Prepare, then time the three reads."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaders", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from county_db import full_county_engine

    from geogrid.patrols.coverage import coverage_by_person, coverage_by_unit
    from geogrid.reports.queries import ReportScope
    from geogrid.reports.stats import assessment
    from geogrid.usecases.sample_patrols import make_sample_patrols

    engine = full_county_engine()
    started = time.perf_counter()
    made = make_sample_patrols(engine, leaders=args.leaders)
    print(f"sample: {made.patrols:,} patrols, {made.points:,} points, {made.logs:,} logs of "
          f"{made.leaders} leaders in {time.perf_counter() - started:.1f} s")  # fmt: skip
    with engine.connect() as conn:
        units = coverage_by_unit(conn, made.month)
        print(f"{len(units):,} units, {sum(u.patrols > 0 for u in units):,} patrolled")
        for name, run in (
            ("coverage_by_unit, county", lambda: coverage_by_unit(conn, made.month)),
            ("coverage_by_person, county", lambda: coverage_by_person(conn, made.month)),
            ("assessment table, county", lambda: assessment(
                conn, made.month, ReportScope(everything=True, details=True))),
        ):  # fmt: skip
            median, times = median_seconds(run, args.repeats)
            print(f"{name}: {median:.2f} s, runs {[round(t, 2) for t in times]}")


if __name__ == "__main__":
    main()
