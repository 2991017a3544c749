"""Benchmark: bulk assignment of 1,000,000 points to the full sample county's level-3 units.

The full chain (point -> unit -> grid -> community, boundary and nearest rules, the people
on duty on each report's day, the route) runs in process and is timed side by side with a
bare shapely STRtree `intersects` query on the same polygons and points (building the
points from coordinates counted in both). Target: the chain at >= 0.8x the bare query's
throughput. Runs alternate; medians are reported.
Run: .venv/bin/python bench/bench_assign.py [--points 1000000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))

from county_db import full_county_engine

from geogrid.reports.assign import china_days, people_on_duty, place_points
from geogrid.reports.categories import seed_categories
from geogrid.reports.index import load_index
from geogrid.reports.routing import read_categories, route_reports


def sample_points(index, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Points where reports come from: inside units (by households), 1 % near or outside."""
    weights = index.units.households / index.units.households.sum()
    units = rng.choice(len(weights), size=n, p=weights)
    x0, y0, x1, y1 = (shapely.bounds(index.units.geoms)[units]).T
    lon, lat = rng.uniform(x0, x1), rng.uniform(y0, y1)  # in the unit's box: mostly inside
    outside = rng.random(n) < 0.01
    lon[outside] += rng.normal(0, 0.01, outside.sum())
    return lon, lat


def main() -> None:
    """Time the chain and the bare query alternately; print medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    engine = full_county_engine()
    with engine.begin() as conn:
        seed_categories(conn)
        table = read_categories(conn)
    index = load_index(engine)
    rng = np.random.default_rng(7)
    lon, lat = sample_points(index, args.points, rng)
    category = rng.integers(0, len(table.codes), args.points)
    days = china_days(np.full(args.points, int(time.time())) - rng.integers(0, 365 * 86400,
                                                                          args.points))  # fmt: skip
    tree = shapely.STRtree(index.units.geoms)  # the bare query's own tree, same polygons

    def bare() -> object:
        return tree.query(shapely.points(lon, lat), predicate="intersects")

    def chain() -> object:
        placement = place_points(index, lon, lat, 50.0)
        people = people_on_duty(index, placement, days)
        return placement, people, route_reports(table, category, placement, people)

    times: dict[str, list[float]] = {"bare": [], "chain": []}
    for _ in range(args.repeats):
        for name, run in (("bare", bare), ("chain", chain)):
            started = time.perf_counter()
            result = run()
            times[name].append(time.perf_counter() - started)
    _report(args.points, index, times, result)


def _report(n: int, index, times: dict[str, list[float]], result) -> None:
    placement, people, _routes = result
    bare, chain = statistics.median(times["bare"]), statistics.median(times["chain"])
    print(f"{n:,} points, {len(index.units.ids):,} level-3 units (version {index.version_id})")
    names, counts = np.unique(placement.method_names(), return_counts=True)
    methods = {str(k): int(v) for k, v in zip(names, counts, strict=True)}
    print(f"methods: {methods}; with an officer on duty: {(people.officer >= 0).mean():.1%}")
    for name, median in (("bare STRtree intersects", bare), ("full chain", chain)):
        runs = ", ".join(f"{t:.2f}" for t in times["bare" if "bare" in name else "chain"])
        print(f"{name}: median {median:.2f} s = {n / median:,.0f} points/s (runs {runs})")
    ratio = bare / chain
    print(f"chain throughput / bare throughput = {ratio:.2f} (target >= 0.80): "
          f"{'ok' if ratio >= 0.8 else 'UNDER'}")  # fmt: skip


if __name__ == "__main__":
    main()
