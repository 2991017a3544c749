"""Authentication: the bearer token of a request -> the Caller, with a short cache.

A token is a user's API token or a phone's device-session secret (access/sessions.py). A
verified token is trusted for `auth_cache_seconds` (5 s by default) before the database is
asked again, so the field phones' lookups cost no query; a revoked token, or a grid staff
member's changed grids, take effect within that time.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import Engine

from geogrid.access.roles import Caller
from geogrid.access.sessions import session_caller
from geogrid.access.tokens import hash_token
from geogrid.access.users import caller_for_token
from geogrid.vocabulary import china_now, china_today

MAX_CACHED = 10_000  # tokens; more are forgotten all at once (a flood of distinct tokens)


class Authenticator:
    """Find the Caller of a token: from the cache, else from the database."""

    def __init__(self, engine: Engine, ttl: float) -> None:
        self.engine, self.ttl = engine, ttl
        self._cache: dict[str, tuple[Caller, float]] = {}
        self._lock = threading.Lock()

    def cached(self, token: str) -> Caller | None:
        """The caller if verified within the last `ttl` seconds (no database access)."""
        entry = self._cache.get(hash_token(token))
        if entry is not None and time.monotonic() < entry[1]:
            return entry[0]
        return None

    def verify(self, token: str) -> Caller | None:
        """Ask the database (blocking); None for an unknown or revoked token."""
        with self.engine.begin() as conn:
            caller = caller_for_token(conn, token, china_today())
            if caller is None:  # a phone's device session, signed in with a user's token
                found = session_caller(conn, token, "device", now=china_now(),
                                       today=china_today())  # fmt: skip
                caller = None if found is None else found[0]
        if caller is not None and self.ttl > 0:
            with self._lock:
                if len(self._cache) >= MAX_CACHED:
                    self._cache.clear()
                self._cache[hash_token(token)] = (caller, time.monotonic() + self.ttl)
        return caller

    def forget(self) -> None:
        """Drop every cached token (after users are revoked in this process)."""
        with self._lock:
            self._cache.clear()
