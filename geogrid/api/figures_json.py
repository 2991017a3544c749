"""Stored month figures' JSON bodies kept per API worker, by key and computed time.

A body made of stored figures changes only when they are computed again, so it is rendered
once per (key, computed time): the county's coverage layer (7,236 units) is several
milliseconds of dict building and JSON per view otherwise, most of the view's time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from starlette.responses import JSONResponse

from geogrid.team.month_store import FiguresKey

MAX_BODIES = 256  # keys (scope x month) kept; past it the oldest goes
_BODIES: dict[FiguresKey, tuple[datetime, bytes]] = {}
_GUARD = threading.Lock()


def figures_body(key: FiguresKey | None, computed_at: datetime,
                 content: Callable[[], object]) -> bytes:  # fmt: skip
    """The JSON body of `content()` as JSONResponse renders it, rendered again only when
    the key's figures have another computed time (a key of None: every time)."""
    if key is not None:
        with _GUARD:
            kept = _BODIES.get(key)
        if kept is not None and kept[0] == computed_at:
            return kept[1]
    body = bytes(JSONResponse(content()).body)
    if key is not None:
        with _GUARD:
            _BODIES.pop(key, None)  # re-inserted last: the dict's order is the age order
            _BODIES[key] = (computed_at, body)
            while len(_BODIES) > MAX_BODIES:
                del _BODIES[next(iter(_BODIES))]
    return body
