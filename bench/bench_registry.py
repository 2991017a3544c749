"""Benchmark: the registry (issue 19). Import of residents from CSV (target: 500,000 in
<= 60 s), address search p99 (<= 20 ms), completeness for the whole county (<= 2 s).

On a bench county of its own (GEOGRID_BENCH_HOME, default /tmp/geogrid-bench-registry: the
registry's tables are emptied there first). Writes a CSV of `--residents` rows (fake ID
numbers, about three residents an address, points in the county's units), imports it with
the same use case as `geogrid registry import --commit`, then searches 1,000 of its
addresses by text and times the county's completeness.

    GEOGRID_BENCH_HOME=/tmp/geogrid-bench-registry \\
        .venv/bin/python bench/bench_registry.py --residents 500000 [--scale town]
"""

from __future__ import annotations

import argparse
import csv
import os
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import shapely

os.environ.setdefault("GEOGRID_BENCH_HOME", "/tmp/geogrid-bench-registry")

from common import median_seconds, verdict
from county_db import full_county_engine
from sqlalchemy import text

SEARCHES = 1_000


def write_residents(path: Path, index, count: int, seed: int = 19) -> list[str]:
    """A CSV of `count` residents at about count / 3 addresses; the addresses' texts."""
    from geogrid.registry.idnumbers import check_digit

    rng = np.random.default_rng(seed)
    units = rng.integers(0, len(index.units.geoms), size=count // 3 + 1)
    points = [shapely.point_on_surface(index.units.geoms[u]) for u in units]
    # 120 flats a house number: 5 buildings, 2 units, 6 floors, 2 flats a floor.
    texts = [f"基准路{i // 120 + 1}号{i // 24 % 5 + 1}号楼{i // 12 % 2 + 1}单元"
             f"{i // 2 % 6 + 1}0{i % 2 + 1}室" for i in range(len(units))]  # fmt: skip
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["地址", "经度", "纬度", "姓名", "户籍类型", "身份证号"])
        for i in range(count):
            a = i // 3
            birth = date(1950, 1, 1) + timedelta(days=i % 20_000)  # unique up to 20 M rows
            first17 = f"999999{birth:%Y%m%d}{i // 20_000:03d}"
            number = first17 + check_digit(first17)
            writer.writerow([texts[a], points[a].x, points[a].y, f"居民{i}",
                             "流动" if i % 10 == 0 else "户籍", number])  # fmt: skip
    return texts


def main() -> None:
    """Run the three measurements and print them against their limits."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=500_000)
    parser.add_argument("--scale", default="full")
    args = parser.parse_args()
    engine = full_county_engine(args.scale)
    from geogrid.registry.addresses import search_addresses
    from geogrid.registry.completeness import completeness
    from geogrid.registry.idnumbers import IdCipher, new_key
    from geogrid.registry.imports import ImportOptions, import_registry
    from geogrid.reports.index import load_index
    from geogrid.settings import Settings
    from geogrid.vocabulary import china_today

    with engine.begin() as conn:
        conn.execute(text("truncate registry_checks, registry_versions, registry_proposals, "
                          "registry_records, registry_addresses"))  # fmt: skip
    index = load_index(engine)
    cipher = IdCipher.from_settings(Settings(registry_key=new_key()))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "residents.csv"
        texts = write_residents(path, index, args.residents)
        started = time.perf_counter()
        result = import_registry(engine, path, ImportOptions("resident", commit=True),
                                 index=index, cipher=cipher)  # fmt: skip
        seconds = time.perf_counter() - started
    scaled = seconds * 500_000 / max(args.residents, 1)
    print(
        f"import: {result.imported:,} of {result.rows:,} residents, {len(result.errors):,} "
        f"rejected, {seconds:.1f} s; scaled to 500,000: {verdict(scaled, 60, 's')}"
    )
    rng = np.random.default_rng(7)
    times = []
    with engine.connect() as conn:
        for i in rng.integers(0, len(texts), size=SEARCHES):
            begun = time.perf_counter()
            assert search_addresses(conn, "诸城市" + texts[i]), texts[i]
            times.append(time.perf_counter() - begun)
        p99 = float(np.percentile(times, 99)) * 1000
        print(f"address search p99 over {SEARCHES:,}: {verdict(p99, 20, 'ms')}")
        month = china_today().strftime("%Y-%m")
        median, _ = median_seconds(lambda: completeness(conn, month, 1), 3)
    print(f"completeness of the county ({month}): {verdict(median, 2, 's')}")


if __name__ == "__main__":
    main()
