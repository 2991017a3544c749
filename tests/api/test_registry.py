"""The registry over HTTP: address search and entry, a proposal's way to the record, ID
numbers masked, revealed to the county alone (audited), never in the logs."""

from __future__ import annotations

import logging
import time

import pytest
from sqlalchemy import text

from geogrid.api.schemas.lookup import LookupOut
from geogrid.vocabulary import china_today
from tests.api.fixtures import auth
from tests.api.registry_places import make_registry
from tests.registry.conftest import clear_registry, fake_id_number


@pytest.fixture
def registry(county, settings):
    """P01's registry objects, removed after the test."""
    yield make_registry(county.engine, settings, county.index, county.p01)
    clear_registry(county.engine)


def test_search_finds_the_address_and_its_unit(client, county, users, registry):
    found = client.get("/v1/registry/addresses", params={"q": "诸城市矩阵路1号"},
                       headers=auth(users.staff01)).json()  # fmt: skip
    assert [(a["code"], a["unit_code"]) for a in found] == [(registry.address, county.p01.unit)]
    other = client.get("/v1/registry/addresses", params={"q": "矩阵路"},
                       headers=auth(users.p02)).json()  # fmt: skip
    assert other == []


def test_an_address_that_cannot_be_read_is_refused_naming_the_parts(client, county, users):
    body = {"text": "矩阵路东头", "lon": county.p01.lon, "lat": county.p01.lat}
    answer = client.post("/v1/registry/addresses", json=body, headers=auth(users.p01))
    assert answer.status_code == 400
    assert answer.json()["detail"] == "text: could not read '矩阵路东头'; no street; no house_no"
    body["text"] = "矩阵路3号2单元"
    made = client.post("/v1/registry/addresses", json=body, headers=auth(users.p01))
    assert made.status_code == 201, made.text
    assert made.json()["parts"] == {"street": "矩阵路", "house_no": "3", "unit_no": "2"}
    assert made.json()["unit_code"] == county.p01.unit
    clear_registry(county.engine)


def test_a_proposal_with_an_id_number_becomes_a_masked_record(
    client, county, users, registry, caplog
):
    caplog.set_level(logging.DEBUG)
    number = fake_id_number(77)
    body = {
        "kind": "resident",
        "address_code": registry.address,
        "id_number": number,
        "data": {"name": "王测", "residence": "registered"},
        "started_on": "2026-02-01",
    }
    made = client.post("/v1/registry/proposals", json=body, headers=auth(users.staff01))
    assert made.status_code == 201, made.text
    assert made.json()["change"] == {} and made.json()["id_number"] is None  # not echoed
    pid = made.json()["id"]
    refused = client.post(f"/v1/registry/proposals/{pid}/confirm", json={},
                          headers=auth(users.staff01))  # fmt: skip
    assert refused.status_code == 403
    confirmed = client.post(f"/v1/registry/proposals/{pid}/confirm", json={"note": "核实"},
                            headers=auth(users.p01)).json()  # fmt: skip
    record = client.get(f"/v1/registry/records/{confirmed['record_id']}",
                        headers=auth(users.p01)).json()  # fmt: skip
    assert record["id_number"] == "9999**********" + number[-4:]
    shown = client.get(f"/v1/registry/records/{confirmed['record_id']}",
                       params={"reveal": "true"}, headers=auth(users.admin)).json()  # fmt: skip
    assert shown["id_number"] == number
    bad = client.post("/v1/registry/proposals", headers=auth(users.p01),
                      json=body | {"id_number": number[:17] + "0"})  # fmt: skip
    assert bad.status_code == 400 and number[:17] not in bad.text
    with county.engine.connect() as conn:
        audit = conn.execute(text("select action from audit_log where object_id = :i"),
                             {"i": str(confirmed["record_id"])}).scalars().all()  # fmt: skip
    assert {"registry.read", "registry.reveal"} <= set(audit)
    assert number not in caplog.text and number[:17] not in caplog.text


def test_the_lookup_names_the_nearest_standard_addresses(client, county, users, registry):
    params = {"lon": county.p01.lon + 0.0001, "lat": county.p01.lat}
    deadline = time.monotonic() + 10  # the refresher notices the registry within a second
    while True:
        body = client.get("/v1/lookup", params=params, headers=auth(users.staff01)).json()
        if body["addresses"] or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    LookupOut.model_validate(body)
    assert [a["code"] for a in body["addresses"]] == [registry.address]
    assert 5 < body["addresses"][0]["distance_m"] < 15
    none = client.get("/v1/lookup", params=params | {"addresses": 0}, headers=auth(users.p01))
    assert none.json()["addresses"] == []


def test_completeness_keeps_to_the_callers_area(client, county, users, registry):
    month = china_today().strftime("%Y-%m")
    own = client.get("/v1/registry/completeness", params={"month": month},
                     headers=auth(users.p01)).json()  # fmt: skip
    row = next(r for r in own if r["code"] == county.p01.community)
    assert (row["addresses"], row["housed"], row["collection_rate"]) == (1, 1, 1.0)
    other = client.get("/v1/registry/completeness", params={"month": month, "level": 3},
                       headers=auth(users.p02)).json()  # fmt: skip
    assert not any(r["code"].startswith(county.p01.community) for r in other)


def test_a_proposal_sent_again_with_its_client_request_id_is_the_same_one(
    client, county, users, registry
):
    body = {"kind": "key_person", "address_code": registry.address, "client_request_id": "app-1",
            "data": {"name": "重发甲", "category": "other"}}  # fmt: skip
    first = client.post("/v1/registry/proposals", json=body, headers=auth(users.staff01))
    again = client.post("/v1/registry/proposals", json=body, headers=auth(users.staff01))
    assert first.status_code == again.status_code == 201, again.text
    assert first.json()["id"] == again.json()["id"]
    other = client.post("/v1/registry/proposals", json=body, headers=auth(users.p01))
    assert other.json()["id"] != first.json()["id"]  # the id is the sender's own
    # The proposer reads its state, not the personal details it sent.
    state = client.get(f"/v1/registry/proposals/{first.json()['id']}", headers=auth(users.staff01))
    assert state.json()["status"] == "pending" and state.json()["change"] == {}
    client.post(f"/v1/registry/proposals/{first.json()['id']}/confirm", json={},
                headers=auth(users.p01))  # fmt: skip
    state = client.get(f"/v1/registry/proposals/{first.json()['id']}", headers=auth(users.staff01))
    assert state.json()["status"] == "confirmed"
    seen = client.get(f"/v1/registry/proposals/{first.json()['id']}", headers=auth(users.p02))
    assert seen.status_code == 404
    with county.engine.connect() as conn:
        count = conn.scalar(text("select count(*) from registry_proposals "
                                 "where client_request_id = 'app-1'"))  # fmt: skip
    assert count == 2
