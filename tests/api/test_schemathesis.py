"""Schemathesis over the whole OpenAPI document: no request, valid or not, makes a 5xx.

Bounded (a few dozen examples per operation, derandomized) so that it runs in seconds as
part of the normal suite. The document comes from an app built without a database (routes
are static); the requests go, through a forwarding ASGI app, to the session's app on the
tiny county.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from sqlalchemy import text

from geogrid.api.app import create_app
from tests.api.conftest import auth

EXAMPLES = 10  # per operation and mode; the coverage phase adds its boundary cases


class Forward:
    """An ASGI app passing HTTP to the app under test; that app's lifespan is run by the
    session's TestClient, so the lifespan here only answers."""

    target = None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await receive()
            await send({"type": "lifespan.startup.complete"})
            await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        await self.target(scope, receive, send)


FORWARD = Forward()
schema = schemathesis.openapi.from_dict(create_app().openapi())
schema.app = FORWARD


@pytest.fixture(scope="module", autouse=True)
def target(client, county, reports):
    """Point the forwarder at the session's app; remove what the fuzzing wrote."""
    FORWARD.target = client.app
    yield
    with county.engine.begin() as conn:
        conn.execute(text("delete from grid_instructions where actor like 'apitest-%'"))


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))  # fmt: skip
def test_no_request_makes_a_server_error(case, users):
    case.call_and_validate(headers=auth(users.admin))
