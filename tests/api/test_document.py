"""The OpenAPI document and the behaviour agree on the points schemathesis found."""

from __future__ import annotations

import pytest

from geogrid.api.app import create_app
from tests.api.fixtures import auth

DOCUMENT = create_app().openapi()


@pytest.mark.parametrize(
    "method, path, allow",
    [("OPTIONS", "/v1/reports", "GET, POST"), ("GET", "/v1/reports/batch", "POST"),
     ("DELETE", "/v1/grids/370782001001002/instructions", "GET, POST"),
     ("PUT", "/v1/lookup", "GET"), ("POST", "/v1/reports/export", "GET")],
)  # fmt: skip
def test_a_method_a_path_lacks_is_a_405_listing_what_it_serves(client, users, method, path,
                                                                allow):  # fmt: skip
    answer = client.request(method, path, headers=auth(users.admin))
    assert answer.status_code == 405 and answer.headers["allow"] == allow
    documented = {m.upper() for m in DOCUMENT["paths"][path.replace("370782001001002", "{code}")]}
    assert documented == set(allow.split(", "))


@pytest.mark.parametrize(
    "path, field",
    [("/v1/reports?grid=1&grid=2", "grid"), ("/v1/lookup?lon=119.4&lat=36&lat=36", "lat"),
     ("/v1/stats/monthly?month=2026-01&month=2026-02", "month"),
     ("/v1/reports?to=0.5", "to"), ("/v1/reports?category=-497", "category.0"),
     ("/maps/county.html?group=", "group.0"), ("/v1/stats/monthly?month=9999-12", "month")],
)  # fmt: skip
def test_what_the_document_forbids_is_a_422_naming_the_field(client, users, path, field):
    answer = client.get(path, headers=auth(users.admin))
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field


def test_repeating_a_list_parameter_is_fine(client, users, reports):
    answer = client.get("/v1/reports?status=received&status=assigned", headers=auth(users.admin))
    assert answer.status_code == 200


def test_json_bodies_keep_json_types(client, county, users):
    body = {"category": "fire_hazard", "lon": county.p01.lon, "lat": False}
    assert client.post("/v1/reports", json=body, headers=auth(users.admin)).status_code == 422
    body = {"service_code": "fire_hazard", "lat": county.p01.lat, "long": "119.4"}
    answer = client.post("/open311/v2/requests.json", json=body, headers=auth(users.admin))
    assert answer.status_code == 400 and answer.json()[0]["description"].startswith("long: ")


def test_open311_errors_are_documented_as_its_error_lists(client, users):
    responses = DOCUMENT["paths"]["/open311/v2/requests.json"]["get"]["responses"]
    schema = responses["422"]["content"]["application/json"]["schema"]
    assert schema["type"] == "array" and schema["items"]["$ref"].endswith("/Open311Error")
    answer = client.get("/open311/v2/requests.json?status=maybe", headers=auth(users.admin))
    assert answer.status_code == 422 and set(answer.json()[0]) == {"code", "description"}
