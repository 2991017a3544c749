"""Queries on psycopg's own cursor, from a blocking SQLAlchemy connection or an async one.

The intake's hot reads (earlier client request ids, open reports nearby) are written once
as a `Read`: the SQL, its parameters and what its rows mean. The command line and the bulk
intake run them on their SQLAlchemy connection (`run`); the API's report writer runs the
same reads on an async psycopg connection in its event loop (`run_async`), without a
thread to hand each batch to.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import psycopg
from sqlalchemy import Connection, Engine

T = TypeVar("T")


@dataclass(frozen=True)
class Read(Generic[T]):
    """A query (None: nothing to ask) and how its rows become the answer."""

    sql: str | None
    params: Mapping[str, Any] | Sequence[Any]
    parse: Callable[[list[tuple]], T]
    prepare: bool | None = None  # None: psycopg's choice; False: planned at every call

    @classmethod
    def nothing(cls, parse: Callable[[list[tuple]], T]) -> Read[T]:
        """No query: the answer to no rows."""
        return cls(None, (), parse)


def run(conn: Connection, read: Read[T]) -> T:
    """The answer of `read` on a SQLAlchemy connection (in its transaction).

    On the driver's cursor: SQLAlchemy's text() costs more than the query for a few rows.
    """
    if read.sql is None:
        return read.parse([])
    cursor = conn.connection.driver_connection.cursor()
    return read.parse(cursor.execute(read.sql, read.params, prepare=read.prepare).fetchall())


async def run_async(conn: psycopg.AsyncConnection, read: Read[T]) -> T:
    """The answer of `read` on an async psycopg connection."""
    if read.sql is None:
        return read.parse([])
    cursor = conn.cursor()
    await cursor.execute(read.sql, read.params, prepare=read.prepare)
    return read.parse(await cursor.fetchall())


async def run_async_together(conn: psycopg.AsyncConnection, *reads: Read) -> list:
    """The answers of several reads sent together and answered in one round trip (psycopg's
    pipeline mode)."""
    if sum(read.sql is not None for read in reads) < 2:
        return [await run_async(conn, read) for read in reads]
    async with conn.pipeline() as pipeline:
        cursors = []
        for read in reads:
            cursor = None
            if read.sql is not None:
                cursor = conn.cursor()
                await cursor.execute(read.sql, read.params, prepare=read.prepare)
            cursors.append(cursor)
        await pipeline.sync()
        return [read.parse([] if cursor is None else await cursor.fetchall())
                for read, cursor in zip(reads, cursors, strict=True)]  # fmt: skip


async def connect_async(engine: Engine, *, autocommit: bool = False) -> psycopg.AsyncConnection:
    """An async psycopg connection to the engine's database, with the engine's settings."""
    args, options = engine.dialect.create_connect_args(engine.url)
    return await psycopg.AsyncConnection.connect(*args, **options, autocommit=autocommit)
