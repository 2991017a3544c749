"""Statements built once and kept: for a hot read whose SQLAlchemy statement took longer to
build than PostgreSQL took to answer it (the map panel, a report's page, a session). And
answers kept a while: a read whose answer seldom changes, asked at every request.

A statement is kept under a key that names everything its text depends on (a scope's shape,
a grid level); every value goes in as a parameter when it runs, and a parameter left out
is an error (`bindparam(..., required=True)`), never the value of an earlier run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")
_BUILT: dict[Hashable, object] = {}


def built_once(key: Hashable, build: Callable[[], T]) -> T:
    """What `build()` made under `key` the first time it was asked for."""
    found = _BUILT.get(key)
    if found is None:  # two threads may both build it: the first one kept is used by all
        found = _BUILT.setdefault(key, build())
    return found  # type: ignore[return-value]


def kept_for(store: dict, key: Hashable, seconds: float, read: Callable[[], T],
             most: int = 4096) -> T:  # fmt: skip
    """What `read()` gave under `key` in `store` (a module's own dict) if given less than
    `seconds` ago, else read again and kept; a store past `most` keys is emptied first."""
    now = time.monotonic()
    found = store.get(key)
    if found is not None and now - found[0] < seconds:
        return found[1]
    value = read()
    if len(store) >= most:
        store.clear()  # rarely: thousands of keys within the time kept
    store[key] = (now, value)
    return value
