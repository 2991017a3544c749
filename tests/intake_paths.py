"""One report through the path a phone's POST takes in production: the API's writer."""

from __future__ import annotations

import asyncio

from sqlalchemy import Engine

from geogrid.api.writer import ReportWriter
from geogrid.reports.index import AssignmentIndex, load_index
from geogrid.reports.intake import IntakeOptions


def submit_one(
    engine: Engine,
    item: dict,
    options: IntakeOptions | None = None,
    *,
    index: AssignmentIndex | None = None,
) -> str:
    """Store one report as `POST /v1/reports` does; its id, or the item's error raised."""
    index = index if index is not None else load_index(engine)
    writer = ReportWriter(engine, lambda: index, lambda: options or IntakeOptions(), max_batch=1)

    async def submit() -> str:
        try:
            return (await writer.submit(item))[0]
        finally:
            await writer.close()

    return asyncio.run(submit())
