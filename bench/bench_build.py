"""Benchmark: building and validating the full sample county (target: 60 s, 2 GB peak).

The inputs go through the same intake as a user's files (read, check, convert); the build
and validation are timed in process, and the peak memory of the whole process is reported.
Then the county is built once more with the first build's codes as the previous version's
(keyed on WGS-84 geometries, as the store gives them back), and the codes that changed
are counted: the same input must keep every code.
Run: .venv/bin/python bench/bench_build.py [--repeats 1]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import shapely
from common import median_seconds, peak_rss_mb, verdict

from geogrid.building.build import BuiltGrids, SourceData, build_grids
from geogrid.building.codes import geometry_key
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


def stored_codes(built: BuiltGrids) -> dict[str, str]:
    """geometry key -> code, as the store would give them back (WGS-84 through WKB)."""
    wgs84 = shapely.from_wkb(shapely.to_wkb(built.grids.to_crs(4326).geometry.to_numpy()))
    return {geometry_key(g): code for g, code in zip(wgs84, built.grids["code"], strict=True)}


def changed_codes(first: BuiltGrids, second: BuiltGrids) -> tuple[int, int]:
    """(codes that differ, geometries that differ) between two builds, grid by grid."""
    if len(first.grids) != len(second.grids):
        return max(len(first.grids), len(second.grids)), -1
    codes = int((first.grids["code"].to_numpy() != second.grids["code"].to_numpy()).sum())
    a, b = first.grids.geometry.to_numpy(), second.grids.geometry.to_numpy()
    return codes, int((shapely.to_wkb(a) != shapely.to_wkb(b)).sum())


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
    report, households = results["report"], results["report"]["households"]
    counts = {level: data["count"] for level, data in report["levels"].items()}
    print(f"grids per level: {counts}; validation passed: {report['passed']}")
    print(f"units holding 20-40 households: {households['share_in_bounds']:.2%}; "
          f"{households['total']:,} households at {households['points']:,} points, "
          f"counted at {households['counting_points']:,}; "
          f"{households['points_without_unit']} in no unit")  # fmt: skip
    print(f"build + validate: runs {', '.join(f'{t:.1f}' for t in times)} s")
    print(f"median {verdict(median, 60, 's')}")
    again = build_grids(sources, previous=stored_codes(results["built"]))
    codes, geometries = changed_codes(results["built"], again)
    print(f"rebuilt with the previous codes: {codes} of {len(again.grids):,} codes changed "
          f"({geometries} geometries differ)")  # fmt: skip
    print(f"peak memory of the process {verdict(peak_rss_mb(), 2048, 'MB')}")


if __name__ == "__main__":
    main()
