"""Shared bits of the benchmarks: repeated timing with medians, peak memory, the outline."""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable


def median_seconds(run: Callable[[], object], repeats: int) -> tuple[float, list[float]]:
    """Run `repeats` times; the median and every time, in seconds."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


def peak_rss_mb() -> float:
    """The peak resident memory of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def verdict(value: float, limit: float, unit: str) -> str:
    """'12.3 s (limit 60 s): ok' style line."""
    state = "ok" if value <= limit else "OVER"
    return f"{value:,.1f} {unit} (limit {limit:,.0f} {unit}): {state}"
