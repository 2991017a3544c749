"""LeanRoute: the endpoint is called as is, errors still reach the app's handlers, and an
endpoint that needs FastAPI's machinery is refused."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.testclient import TestClient

from geogrid.api.lean import LeanRoute
from geogrid.errors import InputError


def _app(endpoint, **route) -> TestClient:
    app = FastAPI()

    @app.exception_handler(InputError)
    async def problem(request: Request, exc: InputError) -> JSONResponse:
        return JSONResponse({"code": "bad_input", "field": exc.field}, status_code=422)

    app.router.add_api_route("/lean", endpoint, route_class_override=LeanRoute, **route)
    return TestClient(app)


def test_the_endpoint_answers_and_its_errors_reach_the_app_handlers() -> None:
    async def echo(request: Request) -> Response:
        if "fail" in request.query_params:
            raise InputError("no", field="fail")
        return Response(request.query_params["say"], media_type="text/plain")

    client = _app(echo, methods=["GET"])
    assert client.get("/lean", params={"say": "hi"}).text == "hi"
    failed = client.get("/lean", params={"fail": "1"})
    assert (failed.status_code, failed.json()) == (422, {"code": "bad_input", "field": "fail"})


def test_fastapis_request_handler_is_skipped(monkeypatch) -> None:
    import fastapi.routing

    solved = []
    solve = fastapi.routing.solve_dependencies

    async def counting(*args, **kwargs):
        solved.append(1)
        return await solve(*args, **kwargs)

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", counting)

    async def raw(request: Request) -> Response:
        return Response(b"{}", media_type="application/json")

    app = FastAPI()
    app.router.add_api_route("/lean", raw, route_class_override=LeanRoute)
    app.router.add_api_route("/plain", raw)
    client = TestClient(app)
    assert client.get("/lean").json() == {} and solved == []
    assert client.get("/plain").json() == {} and solved == [1]  # the same endpoint, not lean


def _needs(request: Request) -> str:
    return "x"


async def _with_query(request: Request, q: str) -> Response:
    return Response(q)


async def _with_dependency(request: Request, x: str = Depends(_needs)) -> Response:
    return Response(x)


async def _without_request() -> Response:
    return Response("x")


@pytest.mark.parametrize("endpoint", [_with_query, _with_dependency, _without_request])
def test_an_endpoint_that_needs_the_machinery_is_refused(endpoint) -> None:
    with pytest.raises(TypeError, match="the Request alone"):
        LeanRoute("/lean", endpoint, methods=["GET"])


def test_a_router_dependency_is_refused() -> None:
    async def fine(request: Request) -> Response:
        return Response("x")

    router = APIRouter(route_class=LeanRoute, dependencies=[Depends(_needs)])
    with pytest.raises(TypeError, match="no dependencies"):
        router.add_api_route("/lean", fine, methods=["GET"])


def test_the_phones_calls_are_lean(client) -> None:
    routes = client.app.routes
    lean = {(r.path, m) for r in routes if isinstance(r, LeanRoute) for m in r.methods}
    assert lean == {("/v1/lookup", "GET"), ("/v1/reports", "POST"), ("/v1/inbox", "GET")}
