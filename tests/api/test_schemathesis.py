"""Schemathesis over the whole OpenAPI document, every check: the document and the
behaviour agree (no 5xx, no schema-valid request refused with a 422, no schema-violating
one accepted, responses as documented, 405s with a true Allow header, ...).

Bounded (a few examples per operation, derandomized) so that it runs in well under a
minute as part of the normal suite; bench/fuzz_api.sh runs the same checks longer against
a served demo. The settings shared with it are in schemathesis.toml (which statuses answer
a request the document allows). The document comes from an app built without a database
(routes are static); the requests go, through a forwarding ASGI app, to the session's app
on the tiny county, with the county administrator's token.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from sqlalchemy import text

from geogrid.api.app import create_app
from tests.api.fixtures import auth
from tests.registry.conftest import clear_registry

EXAMPLES = 10  # per operation and mode; the coverage phase adds its boundary cases
STEPS = 5  # per stateful scenario
SCENARIOS = 10


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
    clear_registry(county.engine)  # what the fuzzing proposed, confirmed and checked


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))  # fmt: skip
def test_every_check_passes_on_every_operation(case, users):
    case.call_and_validate(headers=auth(users.admin))


@pytest.fixture
def stateful(users):
    """The stateful phase's machine: calls chained by the links schemathesis infers (a
    created report's id into the reads and changes of that report), every check each step."""
    token = users.admin

    class Machine(schema.as_state_machine()):
        def get_call_kwargs(self, case) -> dict:
            return {"headers": auth(token)}

    return Machine


def test_the_stateful_phase_finds_nothing(stateful):
    case = stateful.TestCase
    case.settings = settings(max_examples=SCENARIOS, stateful_step_count=STEPS, deadline=None,
                             derandomize=True, database=None,
                             suppress_health_check=list(HealthCheck))  # fmt: skip
    case().runTest()
