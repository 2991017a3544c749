"""Text PostgreSQL cannot store (NUL, lone surrogates) is refused where it enters the API,
per item and naming the field; the good items beside it are stored."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import text

from geogrid.api.schemas.reports import BatchResult
from tests.api.fixtures import auth
from tests.api.places import WHEN

NUL = "a\x00b"


def item(place, **extra) -> dict:
    """A report body at a place."""
    return {"category": "fire_hazard", "lon": place.lon, "lat": place.lat,
            "reported_at": WHEN} | extra  # fmt: skip


def stored_count(county, marker: str) -> int:
    with county.engine.connect() as conn:
        return conn.execute(text("select count(*) from reports where text = :t"),
                            {"t": marker}).scalar_one()  # fmt: skip


def test_one_report_with_a_nul_is_refused_naming_the_field(client, county, users, reports):
    for field in ("text", "reporter", "client_request_id"):
        answer = client.post("/v1/reports", json=item(county.p01, **{field: NUL}),
                             headers=auth(users.admin))  # fmt: skip
        assert answer.status_code == 400, answer.text
        assert answer.json()["field"] == field and "NUL" in answer.json()["detail"]


def test_a_batch_stores_the_good_item_beside_a_nul_one(client, county, users, reports):
    marker = f"good-{uuid.uuid4()}"
    items = [item(county.p01, text=marker), item(county.p01, text=NUL)]
    answer = client.post("/v1/reports/batch", json={"items": items}, headers=auth(users.p01))
    assert answer.status_code == 200, answer.text
    result = BatchResult.model_validate(answer.json())
    assert [r.outcome for r in result.results] == ["accepted", "rejected"]
    assert result.results[1].field == "text" and "NUL" in result.results[1].message
    assert stored_count(county, marker) == 1


def test_a_lone_surrogate_in_json_is_refused_not_a_server_error(client, county, users):
    body = json.dumps({"items": [item(county.p01, text="x")]}).replace('"x"', '"\\ud800"')
    answer = client.post("/v1/reports/batch", content=body, headers=auth(users.p01)
                         | {"Content-Type": "application/json"})  # fmt: skip
    assert answer.status_code == 422 and answer.json()["field"] == "items.0.text"
    one = json.dumps(item(county.p01, text="x")).replace('"x"', '"\\udc00"')
    answer = client.post("/v1/reports", content=one, headers=auth(users.p01)
                         | {"Content-Type": "application/json"})  # fmt: skip
    assert answer.status_code == 422 and answer.json()["field"] == "body", answer.text


@pytest.mark.parametrize(
    "path, field",
    [("/v1/reports?category=a%00b", "category.0"), ("/v1/reports?grid=3707%00", "grid"),
     ("/v1/reports/export?category=%00", "category.0"),
     ("/v1/collections/grids/items?code=%00", "code"),
     ("/v1/collections/grids/items?station=P%0001", "station"),
     ("/v1/grids/3707%0082/instructions", "code"), ("/v1/lookup?lon=119&lat=36&crs=gcj%00", "crs"),
     ("/open311/v2/requests.json?service_code=a%00", "service_code"),
     ("/open311/v2/requests.json?jurisdiction_id=%00", "jurisdiction_id"),
     ("/maps/stations/P%0001.html", "code"), ("/maps/county.html?group=%00", "group.0")],
)  # fmt: skip
def test_parameters_with_a_nul_name_the_parameter(client, users, path, field):
    answer = client.get(path, headers=auth(users.admin))
    assert answer.status_code in (400, 422), answer.text
    body = answer.json()
    named = body["field"] if isinstance(body, dict) else body[0]["description"]
    assert named == field or named.startswith(f"{field}: "), body


def test_notes_instructions_and_status_notes_with_a_nul(client, county, users, reports):
    answer = client.post(f"/v1/grids/{county.p01.grid}/instructions", json={"text": NUL},
                         headers=auth(users.p01))  # fmt: skip
    assert answer.status_code == 422 and answer.json()["field"] == "text"
    target = reports.p01_fire
    note = client.post(f"/v1/reports/{target}/notes", json={"text": NUL}, headers=auth(users.p01))
    assert note.status_code == 422 and note.json()["field"] == "text"
    status = client.post(f"/v1/reports/{target}/status", json={"status": "closed", "note": NUL},
                         headers=auth(users.p01))  # fmt: skip
    assert status.status_code == 422 and status.json()["field"] == "note"


def test_open311_refuses_a_nul_as_its_error_list(client, county, users, reports):
    form = {"api_key": users.staff01, "service_code": "fire_hazard", "lat": county.p01.lat,
            "long": county.p01.lon, "description": NUL}  # fmt: skip
    answer = client.post("/open311/v2/requests.json", data=form)
    assert answer.status_code == 400, answer.text
    assert answer.json()[0]["description"].startswith("description: ")
