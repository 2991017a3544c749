"""Benchmark: building and validating the full sample county (target: 60 s, 2 GB peak).

The inputs go through the same intake as a user's files (read, check, convert); the build
and validation are timed in process, and the peak memory of the whole process is reported.
Run: .venv/bin/python bench/bench_build.py [--repeats 1]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import median_seconds, peak_rss_mb, verdict

from geogrid.building.build import SourceData, build_grids
from geogrid.building.validate import validate_grids
from geogrid.cli.sample import read_outline
from geogrid.inputs.load import LoadOptions, prepare_boundaries
from geogrid.sample import generate_sample_county


def full_sources() -> SourceData:
    """The full sample county, generated and read back as a GIS analyst's file would be."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "full.gpkg"
        generate_sample_county(read_outline(), "full", 2026, path)
        report = prepare_boundaries([path], LoadOptions())
    layer = {r.role: r.accepted for r in report.layers}
    return SourceData(layer["county"].geometry.union_all(), layer["communities"],
                      layer["villages"], layer["streets"], layer["households"])  # fmt: skip


def main() -> None:
    """Time build + validate on the full sample county and print counts and the verdicts."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    sources = full_sources()
    results = {}

    def build_and_validate() -> None:
        built = build_grids(sources)
        results["built"], results["report"] = built, validate_grids(built)

    median, times = median_seconds(build_and_validate, args.repeats)
    report = results["report"]
    counts = {level: data["count"] for level, data in report["levels"].items()}
    print(f"grids per level: {counts}; validation passed: {report['passed']}")
    print(f"units holding 20-40 households: {report['households']['share_in_bounds']:.1%}")
    print(f"build + validate: runs {', '.join(f'{t:.1f}' for t in times)} s")
    print(f"median {verdict(median, 60, 's')}")
    print(f"peak memory of the process {verdict(peak_rss_mb(), 2048, 'MB')}")


if __name__ == "__main__":
    main()
