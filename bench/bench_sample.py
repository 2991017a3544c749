"""Benchmark: generating the full-scale sample county (target: 60 s or less).

Run: .venv/bin/python bench/bench_sample.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import median_seconds, verdict

from geogrid.cli.sample import read_outline
from geogrid.sample import generate_sample_county


def main() -> None:
    """Time `repeats` full-scale generations and print the median against the target."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    outline = read_outline()
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "full.gpkg"
        median, times = median_seconds(
            lambda: generate_sample_county(outline, "full", 2026, target), args.repeats
        )
    print(f"sample --scale full: runs {', '.join(f'{t:.2f}' for t in times)} s")
    print(f"median {verdict(median, 60, 's')}")


if __name__ == "__main__":
    main()
