"""Ingesting a file of reports: every row checked, assigned, routed and stored, in chunks.

Each chunk is committed on its own, so what was accepted stays even if a later chunk fails
or the run is killed; running the file again stores each row exactly once.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from geogrid.vocabulary import GPS_TOLERANCE_M


@dataclass(frozen=True)
class IngestOptions:
    """The CRS of rows without one, the GPS tolerance and the rows per committed chunk."""

    crs: str | None = None
    tolerance_m: float = GPS_TOLERANCE_M
    chunk_size: int = 200_000
    holidays_file: Path | None = None  # extra working-day calendar (GEOGRID_HOLIDAYS_FILE)


@dataclass
class IngestSummary:
    """What became of a file's rows: outcomes, assignment methods, routes and the rejected."""

    outcomes: Counter = field(default_factory=Counter)  # accepted, repeated, rejected
    methods: Counter = field(default_factory=Counter)
    routes: Counter = field(default_factory=Counter)
    duplicates: int = 0
    errors: list[tuple[str, int, object]] = field(default_factory=list)  # where, row, error
    seconds: float = 0.0


def ingest_reports(
    engine: Engine,
    path: Path,
    options: IngestOptions,
    progress: Callable[[int], None] | None = None,
) -> IngestSummary:
    """Store every report of the file; `progress` hears how many rows each chunk held."""
    from geogrid.reports.categories import seed_categories
    from geogrid.reports.deadlines import calendar_of
    from geogrid.reports.file_intake import ingest_file
    from geogrid.reports.index import load_index

    with engine.begin() as conn:
        seed_categories(conn)
    index = load_index(engine)
    started = time.perf_counter()  # the rate counts the rows' work, not the index's reading
    summary = IngestSummary()
    stored = ingest_file(engine, path, index, chunk_size=options.chunk_size, crs=options.crs,
                         tolerance_m=options.tolerance_m,
                         calendar=calendar_of(options.holidays_file))  # fmt: skip
    for chunk, result in ((done.chunk, done.result) for done in stored):
        summary.outcomes.update(result.outcome.tolist())
        summary.methods.update(result.methods)
        summary.routes.update(result.routes)
        summary.duplicates += result.duplicates
        summary.errors += [(chunk.where, chunk.first_row + e.row, e) for e in result.errors]
        if progress:
            progress(len(chunk.items))
    summary.seconds = time.perf_counter() - started
    return summary
