"""A warm worker freezes what it holds, at its WARM_AFTER'th requests and only then."""

from __future__ import annotations

import gc

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from geogrid.api.gcfreeze import FreezeWhenWarm


def test_the_worker_freezes_at_the_named_requests_only():
    async def hello(request):
        return PlainTextResponse("hello")

    app = Starlette(routes=[Route("/", hello)])
    app.add_middleware(FreezeWhenWarm, at=(3,))
    gc.unfreeze()
    try:
        with TestClient(app) as client:
            frozen = []
            for _ in range(5):
                assert client.get("/").text == "hello"
                frozen.append(gc.get_freeze_count())
        assert frozen[0] == frozen[1] == 0, "nothing frozen before the third request"
        assert frozen[2] > 0 and frozen[4] <= frozen[3] <= frozen[2], "frozen once, at the third"
    finally:
        gc.unfreeze()
