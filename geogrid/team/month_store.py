"""A month's figures stored and served while they are young (stale-while-revalidate).

The console's month pages (the assessment table, the team's month lines) used to work a
month of reports and their trails out on every view. Their rows are stored per kind, scope
(the county or a station's code) and month (storage/figures_tables.py) with the time they
were computed, and a view:

- with none stored (or a max age of 0), computes them now and stores them;
- with stored rows younger than the max age, serves them;
- with older ones, serves them too, while one worker of all recomputes them in a thread
  (a PostgreSQL advisory lock per key; this process starts at most one thread per key).

Each worker keeps the rows it last parsed per key with their time, and reads the JSON
again only when the stored time has changed, so a served answer is always the stored one.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, text

from geogrid.vocabulary import FIGURES_KINDS, china_now

log = logging.getLogger("geogrid.team")
Compute = Callable[[Connection], list]


@dataclass(frozen=True)
class FiguresKey:
    """Which month's figures: their kind (vocabulary.FIGURES_KINDS), scope and month."""

    kind: str
    scope: str  # 'county' or a station's code
    month: str

    def __post_init__(self) -> None:
        if self.kind not in FIGURES_KINDS:
            raise ValueError(f"kind {self.kind!r} is not one of {', '.join(FIGURES_KINDS)}")

    @property
    def lock_name(self) -> str:
        """The name whose hash is the key's advisory lock."""
        return f"month_figures/{self.kind}/{self.scope}/{self.month}"


@dataclass(frozen=True)
class Stored:
    """A month's rows as stored (shared by the requests of a worker: never change them)
    and when they were computed."""

    rows: list
    computed_at: datetime


@dataclass(frozen=True)
class Codec:
    """How one kind's rows become JSON (an object or, for a compact row, a list) and come
    back; `of_json` raises TypeError, KeyError or ValueError on a shape it does not know."""

    to_json: Callable[[Any], object]
    of_json: Callable[[Any], object]


_PARSED: dict[FiguresKey, Stored] = {}  # per worker: the rows last read, by their time
_RUNNING: dict[FiguresKey, threading.Thread] = {}  # this process's refreshes under way
_GUARD = threading.Lock()


def stored_figures(
    engine: Engine, conn: Connection, key: FiguresKey, compute: Compute, codec: Codec,
    max_age_s: int,
) -> Stored:  # fmt: skip
    """The key's rows: stored ones (recomputed in the background when older than
    `max_age_s`), or computed now and stored when there are none or `max_age_s` is 0."""
    found = _read(conn, key, codec) if max_age_s > 0 else None
    if found is None:
        return refresh_now(conn, key, compute, codec)
    if (china_now() - found.computed_at).total_seconds() > max_age_s:
        _refresh_later(engine, key, compute, codec, max_age_s)
    return found


def refresh_now(conn: Connection, key: FiguresKey, compute: Compute, codec: Codec) -> Stored:
    """Compute the key's rows now and store them (in the caller's transaction)."""
    at = china_now()  # the figures hold the data as it stood from here on
    rows = compute(conn)
    body = json.dumps([codec.to_json(row) for row in rows], ensure_ascii=False, default=str)
    conn.execute(text(
        "insert into month_figures (kind, scope, month, rows, computed_at)"
        " values (:kind, :scope, :month, cast(:rows as jsonb), :at)"
        " on conflict (kind, scope, month) do update"
        " set rows = excluded.rows, computed_at = excluded.computed_at"),
        {**asdict(key), "rows": body, "at": at})  # fmt: skip
    return Stored(rows, at)


def _read(conn: Connection, key: FiguresKey, codec: Codec) -> Stored | None:
    """The stored rows, parsed only when their time differs from the ones this worker has."""
    known = _PARSED.get(key)
    row = conn.execute(text(
        "select computed_at, case when computed_at = cast(:known as timestamptz) then null"
        " else rows end as rows from month_figures"
        " where kind = :kind and scope = :scope and month = :month"),
        {**asdict(key), "known": known.computed_at if known else None}).first()  # fmt: skip
    if row is None:
        return None
    if row.rows is None and known is not None:
        return known
    try:
        found = Stored([codec.of_json(item) for item in row.rows], row.computed_at)
    except (TypeError, KeyError, ValueError, ArithmeticError):
        return None  # rows of an older release's shape: computed afresh and stored over
    _PARSED[key] = found
    return found


def _refresh_later(engine: Engine, key: FiguresKey, compute: Compute, codec: Codec,
                   max_age_s: int) -> None:  # fmt: skip
    """Start the key's refresh in a thread, unless one of this process is under way."""
    with _GUARD:
        if key in _RUNNING:
            return
        thread = threading.Thread(
            target=_refresh_locked, name=f"figures {key.lock_name}", daemon=True,
            args=(engine, key, compute, codec, max_age_s))  # fmt: skip
        _RUNNING[key] = thread
    thread.start()


def _refresh_locked(engine: Engine, key: FiguresKey, compute: Compute, codec: Codec,
                    max_age_s: int) -> None:  # fmt: skip
    """Recompute the key's rows if no other worker is at it and they are still stale."""
    try:
        with engine.begin() as conn:
            mine = conn.execute(text("select pg_try_advisory_xact_lock(hashtext(:name))"),
                                {"name": key.lock_name}).scalar()  # fmt: skip
            at = conn.execute(text(
                "select computed_at from month_figures"
                " where kind = :kind and scope = :scope and month = :month"),
                asdict(key)).scalar()  # fmt: skip
            # Another worker may have refreshed them between our read and the lock.
            if mine and (at is None or (china_now() - at).total_seconds() > max_age_s):
                refresh_now(conn, key, compute, codec)
    except Exception as exc:  # the stored rows stay served; the next view tries again
        log.warning("refreshing the figures %s failed: %s", key.lock_name, type(exc).__name__)
    finally:
        with _GUARD:
            _RUNNING.pop(key, None)


def wait_for_refreshes(timeout_s: float = 30.0) -> bool:
    """Wait until this process's background refreshes are done (tests, shutdown); whether
    they all finished within the timeout."""
    with _GUARD:
        running = list(_RUNNING.values())
    for thread in running:
        thread.join(timeout_s)
    return not any(thread.is_alive() for thread in running)
