"""A report file through the intake, chunk by chunk, each chunk committed on its own.

The server stores a chunk (duplicates search, COPY, index upkeep, commit) while this process
mostly waits, and reading and checking the next chunk is mostly this process's work, so the
next chunk is read and checked in a background thread meanwhile. The categories are read
once, when the file starts.

Every row is stored at most once, whatever happened to an earlier run of the file: a row
without a client request id is given one from its content (`file_rows`), so a rerun after
a kill answers the chunks committed before it as already stored ('repeated').
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from geogrid.reports.assign import DEFAULT_TOLERANCE_M
from geogrid.reports.checks import DEFAULT_CRS, CheckedItems, ItemError, check_items
from geogrid.reports.deadlines import WorkCalendar
from geogrid.reports.file_rows import FileRows
from geogrid.reports.files import ReportChunk, read_report_file
from geogrid.reports.index import AssignmentIndex
from geogrid.reports.intake import IntakeOptions, IntakeResult, submit_checked
from geogrid.reports.routing import read_categories


@dataclass
class ChunkOutcome:
    """One stored chunk: where its rows came from and what became of them."""

    chunk: ReportChunk
    result: IntakeResult


def ingest_file(
    engine: Engine,
    path: Path,
    index: AssignmentIndex,
    *,
    chunk_size: int = 200_000,
    crs: str | None = None,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    calendar: WorkCalendar | None = None,
) -> Iterator[ChunkOutcome]:
    """Store a file's reports; yields each chunk's outcome once it is committed. `crs`
    is the CRS of rows without one (else the file's own, else WGS-84)."""
    with engine.connect() as conn:
        table = read_categories(conn)
    chunks = read_report_file(path, chunk_size)
    codes, rows = set(table.codes), FileRows()

    def next_checked() -> tuple[ReportChunk, IntakeOptions, CheckedItems, list[ItemError]] | None:
        chunk = next(chunks, None)
        if chunk is None:
            return None
        options = IntakeOptions(default_crs=crs or chunk.crs or DEFAULT_CRS,
                                tolerance_m=tolerance_m, calendar=calendar)  # fmt: skip
        checked, errors = check_items(chunk.items, codes, default_crs=options.default_crs)
        _give_ids(checked, *rows.ids(chunk.items))
        return chunk, options, checked, errors

    with ThreadPoolExecutor(1, thread_name_prefix="geogrid-read") as reader:
        ahead = reader.submit(next_checked)
        while (done := ahead.result()) is not None:
            ahead = reader.submit(next_checked)
            chunk, options, checked, errors = done
            result = submit_checked(engine, len(chunk.items), checked, errors, table, options,
                                    index=index)  # fmt: skip
            yield ChunkOutcome(chunk, result)


def _give_ids(checked: CheckedItems, ids, bodies) -> None:
    """The file's ids (and body hashes) to the checked rows that came without their own."""
    missing = checked.client_request_id == None  # noqa: E711 (elementwise on an object array)
    at = checked.rows[missing]
    checked.client_request_id[missing] = ids[at]
    checked.body_hash[missing] = bodies[at]
