"""Single report POSTs, committed together (group commit) through the intake core.

The intake costs about the same for one report as for a hundred (one transaction, one
COPY), so reports arriving while a batch is being written wait for the next one, and a
whole batch is committed before any of its requests is answered. An idle server writes a
report at once; a busy one writes many per transaction. If a combined batch fails as a
whole (two processes racing on one client request id, say), its items are written one by one
so that each gets its own answer.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from geogrid.errors import ConflictError, GeogridError, InputError
from geogrid.reports.index import AssignmentIndex, IndexCache
from geogrid.reports.intake import IntakeOptions, IntakeResult, submit_one, submit_reports
from geogrid.reports.routing import CategoryCache

log = logging.getLogger("geogrid.api")
Outcome = tuple[str, str] | BaseException  # (report id, 'accepted' | 'repeated') or the error


class ReportWriter:
    """Queue of single reports for one event loop; `submit` returns when committed."""

    def __init__(
        self,
        engine: Engine,
        index: IndexCache,
        options: Callable[[], IntakeOptions],
        max_batch: int,
    ) -> None:
        self.engine, self.index, self.options, self.max_batch = engine, index, options, max_batch
        self.categories = CategoryCache(ttl=index.ttl)
        self._conn: Connection | None = None
        self._lock = threading.Lock()
        # One thread of its own: pyproj sets a transformer up again in every new thread
        # (~100 ms), and the default executor's threads come and go.
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="geogrid-writer")
        self._pending: list[tuple[dict, asyncio.Future]] = []
        # One drain per event loop: a server has one; a test client may bring its own.
        self._drains: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    async def submit(self, item: dict) -> tuple[str, str]:
        """Store one report item; its id and outcome, or the item's error raised."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()
        self._pending.append((item, future))
        drain = self._drains.get(loop)
        if drain is None or drain.done():
            self._drains[loop] = loop.create_task(self._drain(loop))
        return await future

    async def _drain(self, loop: asyncio.AbstractEventLoop) -> None:
        while True:
            batch = [p for p in self._pending if p[1].get_loop() is loop][: self.max_batch]
            if not batch:
                return
            taken = {id(future) for _, future in batch}
            self._pending = [p for p in self._pending if id(p[1]) not in taken]
            try:
                items = [item for item, _ in batch]
                outcomes = await loop.run_in_executor(self._thread, self.write, items)
            except Exception as exc:  # every waiter must hear of it
                outcomes = [exc] * len(batch)
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if future.done():  # the client went away
                    continue
                if isinstance(outcome, BaseException):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)

    def write(self, items: list[dict]) -> list[Outcome]:
        """Write items in one transaction (blocking); one outcome per item."""
        with self._lock:  # one connection: event loops of test clients must take turns
            return self._write(items)

    def _write(self, items: list[dict]) -> list[Outcome]:
        try:
            result = submit_reports(self.engine, items, self.options(), index=self.index,
                                    categories=self.categories,
                                    connection=self._connection())  # fmt: skip
        except DBAPIError:
            self.close()  # it may be the connection that failed: the next write takes another
            if len(items) == 1:
                raise
            log.warning("a batch of %d reports failed as a whole; writing them one by one",
                        len(items))  # fmt: skip
            return [self._write_one(item) for item in items]
        return outcomes_of(result)

    def _connection(self) -> Connection:
        """The writer's own connection: taking one from the pool per batch costs a ping."""
        if self._conn is None or self._conn.closed or self._conn.invalidated:
            self._conn = self.engine.connect()
        return self._conn

    def close(self) -> None:
        """Give the writer's connection back (at shutdown, or after a database error)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def warm_up(self, index: AssignmentIndex) -> None:
        """Ready the writer's thread for a new index (`AssignmentIndex.warm_up`)."""
        await asyncio.get_running_loop().run_in_executor(self._thread, index.warm_up)

    def shutdown(self) -> None:
        """Close the connection and stop the writer's thread (the app's end)."""
        self._thread.submit(self.close).result()
        self._thread.shutdown()

    def _write_one(self, item: dict) -> Outcome:
        try:
            report = submit_one(self.engine, item, self.options(), index=self.index,
                                categories=self.categories)  # fmt: skip
            return report, "accepted"
        except (GeogridError, DBAPIError) as exc:
            return exc


def outcomes_of(result: IntakeResult) -> list[Outcome]:
    """Per item of an intake result: (report id, outcome), or its error naming the field."""
    errors = {e.row: e for e in result.errors}
    outcomes: list[Outcome] = []
    for row, outcome in enumerate(result.outcome):
        if outcome == "rejected":
            problem = errors[row]
            kind = ConflictError if problem.field == "client_request_id" else InputError
            outcomes.append(kind(f"{problem.field}: {problem.message}", field=problem.field))
        else:
            outcomes.append((str(result.report_id[row]), str(outcome)))
    return outcomes
