"""Keep the garbage collector's full scans short once a worker is warm: plain ASGI middleware.

A full (generation 2) collection walks every container object the process holds. The app
freezes what startup made (api/app.py), but a worker's first requests make many more that
live as long as it does: compiled templates, SQLAlchemy's compiled statements, the statements
built once per scope shape, parsed stored figures. Walking them paused a worker 20-28 ms
every ~200 requests (bench_console.py: a p99 spike at 8 clients). At its WARM_AFTER'th
requests the worker collects once and freezes what is left, so later full scans walk only
what came after (0.8 ms). Freezing twice and no more bounds what a frozen cycle could keep.
"""

from __future__ import annotations

import gc

from starlette.types import ASGIApp, Receive, Scope, Send

WARM_AFTER = (200, 2_000)  # requests served before each freeze


class FreezeWhenWarm:
    """Collect and freeze at the WARM_AFTER'th requests this worker serves."""

    def __init__(self, app: ASGIApp, at: tuple[int, ...] = WARM_AFTER) -> None:
        self.app, self.at, self.served = app, frozenset(at), 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
        if scope["type"] != "http":
            return
        self.served += 1
        if self.served in self.at:
            gc.collect()
            gc.freeze()
