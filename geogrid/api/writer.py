"""Single report POSTs, committed together (group commit) through the intake's steps.

The intake costs about the same for one report as for a hundred (one transaction, one
COPY), so reports arriving while a batch is being written wait for the next one, and a
whole batch is committed before any of its requests is answered. An idle server writes a
report at once; a busy one writes many per transaction, and after each batch waits
`linger` seconds (1 ms in the API) for more to join the next: under the bench's load that
cut the CPU per report by about a quarter. If a combined batch fails as a whole (two
processes racing on one client request id, say), its items are written one by one so that
each gets its own answer.

The writer works in the event loop, on an async connection of its own: the checks and the
assignment of a batch take a fraction of a millisecond, and while the database works the
loop serves other requests. Handing each batch to a thread instead cost the process more
than the batch itself (the two threads' turns at the GIL; measured in the README).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import psycopg
from sqlalchemy import Engine

from geogrid.errors import ConflictError, GeogridError, InputError
from geogrid.reports import store
from geogrid.reports.checks import CheckedItems
from geogrid.reports.index import AssignmentIndex
from geogrid.reports.intake import (
    IntakeOptions,
    IntakeResult,
    NewReports,
    check,
    earlier_requests_of,
    new_result,
    open_reports_near_any,
    settle_retries,
)
from geogrid.reports.routing import CategoryCache, CategoryTable
from geogrid.storage.driver import connect_async, run_async_together

log = logging.getLogger("geogrid.api")
Outcome = tuple[str, str] | BaseException  # (report id, 'accepted' | 'repeated') or the error


class ReportWriter:
    """Queue of single reports for one event loop; `submit` returns when committed."""

    def __init__(
        self,
        engine: Engine,
        index: Callable[[], AssignmentIndex],
        options: Callable[[], IntakeOptions],
        max_batch: int,
        categories_ttl: float = 1.0,
        linger: float = 0.0,
    ) -> None:
        self.engine, self.index, self.options, self.max_batch = engine, index, options, max_batch
        self.linger = linger
        self.categories = CategoryCache(ttl=categories_ttl)
        self._conn: psycopg.AsyncConnection | None = None
        self._pending: list[tuple[dict, asyncio.Future]] = []
        self._drain: asyncio.Task | None = None

    async def submit(self, item: dict) -> tuple[str, str]:
        """Store one report item; its id and outcome, or the item's error raised."""
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._drain is None or self._drain.done():
            self._drain = asyncio.create_task(self._drain_pending())
        return await future

    async def _drain_pending(self) -> None:
        busy = False  # a batch was just written: reports are coming in faster than one by one
        while self._pending:
            if busy and self.linger > 0:
                await asyncio.sleep(self.linger)  # let more join the next batch
            busy = True
            batch, self._pending = self._pending[: self.max_batch], self._pending[self.max_batch :]
            try:
                outcomes = await self.write([item for item, _ in batch])
            except Exception as exc:  # every waiter must hear of it
                outcomes = [exc] * len(batch)
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if future.done():  # the client went away
                    continue
                if isinstance(outcome, BaseException):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)

    async def write(self, items: list[dict]) -> list[Outcome]:
        """Write items together (one COPY); one outcome per item."""
        try:
            return outcomes_of(await self._write(items))
        except psycopg.Error:
            await self.close()  # it may be the connection that failed: the next write opens one
            if len(items) == 1:
                raise
            log.warning("a batch of %d reports failed as a whole; writing them one by one",
                        len(items))  # fmt: skip
            return [await self._write_one(item) for item in items]

    async def _write_one(self, item: dict) -> Outcome:
        try:
            return (await self.write([item]))[0]
        except (GeogridError, psycopg.Error) as exc:
            return exc

    async def _write(self, items: list[dict]) -> IntakeResult:
        """The intake's steps (as `intake._store_checked` takes them) on the writer's async
        connection."""
        options, table = self.options(), await self._categories()
        checked, errors = check(items, set(table.codes), options)
        result = new_result(len(items), errors)
        conn = await self._connection()
        # No transaction around the steps (the connection is in autocommit): the COPY of a
        # batch is atomic and committed by itself, and the reads before it see what is
        # committed, as they would in a READ COMMITTED transaction; a racing retry of the
        # same client request id fails the COPY on the unique index, and then each item is
        # written alone. BEGIN and COMMIT would cost two more round trips per batch.
        # The retries and the open reports near every item, asked in one round trip.
        earlier, open_near = await run_async_together(
            conn, earlier_requests_of(checked), open_reports_near_any(checked, table, options)
        )
        fresh: CheckedItems = settle_retries(checked, earlier, result)
        if len(fresh):
            new = NewReports.of(fresh, table, self.index(), options)
            await store.copy_reports_async(conn, new.rows(open_near, result))
        return result

    async def _categories(self) -> CategoryTable:
        """The cached categories; read again (in a thread) when the cache is stale."""
        table = self.categories.cached()
        if table is None:
            table = await asyncio.to_thread(self._read_categories)
        return table

    def _read_categories(self) -> CategoryTable:
        with self.engine.connect() as conn:
            return self.categories.get(conn)

    async def _connection(self) -> psycopg.AsyncConnection:
        """The writer's own connection, opened on first use and after a failure."""
        if self._conn is None or self._conn.closed:
            self._conn = await connect_async(self.engine, autocommit=True)
        return self._conn

    async def close(self) -> None:
        """Close the writer's connection (at the app's end, or after a database error)."""
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await conn.close()


def outcomes_of(result: IntakeResult) -> list[Outcome]:
    """Per item of an intake result: (report id, outcome), or its error naming the field."""
    errors = {e.row: e for e in result.errors}
    outcomes: list[Outcome] = []
    for row, outcome in enumerate(result.outcome):
        if outcome == "rejected":
            problem = errors[row]
            kind = ConflictError if problem.conflict else InputError
            outcomes.append(kind(f"{problem.field}: {problem.message}", field=problem.field))
        else:
            outcomes.append((str(result.report_id[row]), str(outcome)))
    return outcomes
