"""Errors in one shape: problem bodies naming the field, limits, and no leaks on a 500."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy import text

from geogrid.access.users import add_user, revoke_user
from geogrid.api.app import create_app
from geogrid.api.errors import PROBLEM_JSON
from tests.api.fixtures import auth
from tests.api.places import USER_PREFIX


def test_unknown_paths_and_methods_are_problems(client, users):
    missing = client.get("/v1/nothing", headers=auth(users.admin))
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM_JSON
    wrong = client.delete("/v1/lookup", headers=auth(users.admin))
    assert wrong.status_code == 405 and wrong.json()["title"] == "Method Not Allowed"


JSON = {"Content-Type": "application/json"}


def test_a_body_over_the_limit_is_413_before_it_is_read(client, users, api_settings):
    big = b'{"items": [' + b" " * api_settings.max_body_bytes + b"]}"
    answer = client.post("/v1/reports/batch", content=big, headers=auth(users.admin) | JSON)
    assert answer.status_code == 413 and answer.json()["code"] == "body_too_large"

    def chunks():
        yield b'{"items": ['
        for _ in range(30):
            yield b" " * 10_000

    streamed = client.post("/v1/reports/batch", content=chunks(), headers=auth(users.admin) | JSON)
    assert streamed.status_code == 413 and streamed.json()["code"] == "body_too_large"


def test_malformed_json_is_a_422_problem(client, users):
    answer = client.post("/v1/reports", content=b"{not json", headers=auth(users.admin) | JSON)
    assert answer.status_code == 422 and answer.headers["content-type"] == PROBLEM_JSON


def test_a_bad_or_revoked_token_is_401(client, county, users):
    assert client.get("/v1/me", headers=auth("not-a-token")).status_code == 401
    assert client.get("/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401
    with county.engine.begin() as conn:
        token = add_user(conn, USER_PREFIX + "revoked", "county_admin")
    assert client.get("/v1/me", headers=auth(token)).json()["name"] == USER_PREFIX + "revoked"
    with county.engine.begin() as conn:
        revoke_user(conn, USER_PREFIX + "revoked")
    assert client.get("/v1/me", headers=auth(token)).status_code == 401


def test_me_says_who_and_what_scope(client, county, users):
    me = client.get("/v1/me", headers=auth(users.p01)).json()
    assert me["role"] == "station" and me["station"] == "370782P01"
    assert county.p01.community in me["communities"]
    staff = client.get("/v1/me", headers=auth(users.staff01)).json()
    assert staff["grids"] == [county.p01.grid] and staff["person"]
    assert client.get("/healthz").json() == {"status": "ok"}


def test_an_unexpected_failure_is_a_500_without_details(county, settings, api_settings, users):
    app = create_app(settings, api_settings, engine=county.engine)
    broken = APIRouter()

    @broken.get("/v1/broken-sql")
    def broken_sql() -> None:
        with county.engine.connect() as conn:
            conn.execute(text("select secret_column from no_such_table"))

    @broken.get("/v1/broken-code")
    def broken_code() -> None:
        raise RuntimeError("password=hunter2 at /srv/geogrid/secret.py line 3")

    app.include_router(broken)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        for path in ("/v1/broken-sql", "/v1/broken-code"):
            answer = test_client.get(path)
            assert answer.status_code == 500 and answer.headers["content-type"] == PROBLEM_JSON
            assert "reference" in answer.json()["detail"]
            for leak in ("select", "no_such_table", "hunter2", "Traceback", "secret"):
                assert leak not in answer.text


def test_openapi_documents_every_route_with_examples_and_the_token(client):
    schema = client.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    lookup = schema["paths"]["/v1/lookup"]["get"]
    assert {p["name"] for p in lookup["parameters"]} >= {"lon", "lat", "crs"}
    assert (
        lookup["security"] == [{"bearer": []}, {"basic": []}]
        and schema["paths"]["/"]["get"]["security"] == []
    )
    assert "examples" in str(schema["components"]["schemas"]["ReportItem"])
    assert client.get("/docs").status_code == 200
