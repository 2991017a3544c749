"""Basic-information reports over HTTP (POST, batch, Open311) become registry proposals in
the station's pending list, not cases in its inbox; the officer completes one into a record
or declines it with a reason; another station cannot read it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from tests.api.fixtures import auth
from tests.api.places import delete_reports
from tests.api.registry_places import make_registry
from tests.registry.conftest import clear_registry

BASIC = ("population", "rental_housing", "key_unit", "dangerous_goods", "housing",
         "organisation", "key_person", "special_group")  # fmt: skip
WHEN = "2026-05-04T10:00:00+08:00"
REPORTER = "apitest-regintake"


@pytest.fixture
def filed(client, county, users, settings) -> Iterator[dict]:
    """Each basic category reported at P01 by POST, batch and Open311, and a fire hazard."""
    registry = make_registry(county.engine, settings, county.index, county.p01)
    place = {"lon": county.p01.lon, "lat": county.p01.lat, "reported_at": WHEN,
             "reporter": REPORTER}  # fmt: skip
    ids = {}
    for category in BASIC:
        body = place | {"category": category, "text": f"{category} POST"}
        one = client.post("/v1/reports", headers=auth(users.staff01), json=body)
        assert one.status_code == 201, one.text
        ids[category, "post"] = one.json()["id"]
    items = [place | {"category": c, "text": f"{c} batch"} for c in (*BASIC, "fire_hazard")]
    batch = client.post("/v1/reports/batch", json={"items": items}, headers=auth(users.staff01))
    assert batch.json()["routes"] == {"registry": 8, "department": 1}, batch.text
    for category, result in zip((*BASIC, "fire_hazard"), batch.json()["results"], strict=True):
        ids[category, "batch"] = result["id"]
    for category in BASIC:
        form = {"api_key": users.staff01, "service_code": category, "lat": county.p01.lat,
                "long": county.p01.lon, "description": f"{category} open311"}  # fmt: skip
        answer = client.post("/open311/v2/requests.json", data=form)
        assert answer.status_code == 201, answer.text
        ids[category, "open311"] = answer.json()[0]["service_request_id"]
    yield {"ids": ids, "address": registry.address}
    delete_reports(county.engine, list(ids.values()))
    clear_registry(county.engine)


def _pending(client, token) -> dict[str, dict]:
    found = client.get("/v1/registry/proposals", params={"limit": 20}, headers=auth(token))
    pages = found.json()
    offset = 20
    while len(found.json()) == 20:
        found = client.get("/v1/registry/proposals", params={"limit": 20, "offset": offset},
                           headers=auth(token))  # fmt: skip
        pages += found.json()
        offset += 20
    return {p["report_id"]: p for p in pages if p["report_id"]}


def test_every_door_files_each_basic_category_as_a_proposal_not_a_case(client, users, filed):
    ids = filed["ids"]
    pending = _pending(client, users.p01)
    for (category, door), report_id in ids.items():
        if category == "fire_hazard":
            assert report_id not in pending
            continue
        proposal = pending[report_id]
        assert proposal["kind"] == "report" and proposal["status"] == "pending", door
        assert proposal["change"]["report"]["category"] == category, door
        assert proposal["address_code"] == filed["address"], door  # the nearest address
        report = client.get(f"/v1/reports/{report_id}", headers=auth(users.p01)).json()
        assert (report["status"], report["routing"]["route"]) == ("registry", "registry"), door
    inbox = {i["id"] for i in client.get("/v1/inbox", headers=auth(users.p01)).json()["items"]}
    assert not inbox & {i for (c, _), i in ids.items() if c != "fire_hazard"}
    case = ids["population", "post"]
    accept = client.post(f"/v1/reports/{case}/accept", json={}, headers=auth(users.admin))
    assert accept.status_code == 409  # not a case: no step of the loop
    fire = {i["id"] for i in client.get("/v1/inbox", headers=auth(users.fire)).json()["items"]}
    assert ids["fire_hazard", "batch"] in fire  # a dynamic category still enters the loop


def test_another_station_cannot_read_it_and_the_officer_decides(client, users, filed):
    report_id = filed["ids"]["rental_housing", "post"]
    pid = _pending(client, users.p01)[report_id]["id"]
    assert client.get(f"/v1/registry/proposals/{pid}", headers=auth(users.p02)).status_code == 404
    assert report_id not in _pending(client, users.p02)
    bare = client.post(f"/v1/registry/proposals/{pid}/confirm", json={}, headers=auth(users.p01))
    assert bare.status_code == 400 and bare.json()["field"] == "record"
    record = {"kind": "housing", "address_code": filed["address"],
              "data": {"use": "rental", "landlord": "李四"}}  # fmt: skip
    other = client.post(f"/v1/registry/proposals/{pid}/confirm", json={"record": record},
                        headers=auth(users.p02))  # fmt: skip
    assert other.status_code == 404
    body = {"note": "已核实", "record": record}
    done = client.post(f"/v1/registry/proposals/{pid}/confirm", json=body, headers=auth(users.p01))
    assert done.status_code == 200, done.text
    made = client.get(f"/v1/registry/records/{done.json()['record_id']}",
                      headers=auth(users.p01)).json()  # fmt: skip
    assert (made["kind"], made["category"]) == ("housing", "rental")
    declined = filed["ids"]["key_person", "open311"]
    dpid = _pending(client, users.p01)[declined]["id"]
    no_reason = client.post(f"/v1/registry/proposals/{dpid}/reject", json={},
                            headers=auth(users.p01))  # fmt: skip
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "note"
    reason = client.post(f"/v1/registry/proposals/{dpid}/reject", json={"note": "查无此人"},
                         headers=auth(users.p01))  # fmt: skip
    assert reason.json()["status"] == "rejected"
    # Open311 follows a basic report: open until decided, then closed with the decision's
    # note, answered by the station that keeps the registry.
    answers = {i: client.get(f"/open311/v2/requests/{i}.json", headers=auth(users.p01)).json()[0]
               for i in (declined, filed["ids"]["population", "open311"])}  # fmt: skip
    assert answers[declined]["status"] == "closed"
    assert answers[declined]["status_notes"] == "查无此人"
    pending = answers[filed["ids"]["population", "open311"]]
    assert pending["status"] == "open" and "基础信息登记" in pending["agency_responsible"]


def test_reading_a_report_proposal_is_audited(client, county, users, filed):
    report_id = filed["ids"]["population", "batch"]
    pid = _pending(client, users.p01)[report_id]["id"]
    client.get(f"/v1/registry/proposals/{pid}", headers=auth(users.p01))
    with county.engine.connect() as conn:
        actions = conn.execute(text("select action from audit_log where object_id = :i"),
                               {"i": str(pid)}).scalars().all()  # fmt: skip
    assert "registry.proposal" in actions


def test_grid_staff_propose_an_address_and_the_officer_confirms_it(client, county, users):
    body = {"text": "矩阵路9号2单元", "lon": county.p01.lon, "lat": county.p01.lat,
            "client_request_id": "regintake-address-1", "note": " 新建楼 "}  # fmt: skip
    try:
        made = client.post("/v1/registry/address-proposals", json=body,
                           headers=auth(users.staff01))  # fmt: skip
        assert made.status_code == 201, made.text
        proposal = made.json()
        assert (proposal["kind"], proposal["status"], proposal["address_code"]) == (
            "address",
            "pending",
            None,
        )
        assert proposal["change"]["address"]["parts"] == {"street": "矩阵路", "house_no": "9",
                                                          "unit_no": "2"}  # fmt: skip
        assert proposal["change"]["note"] == "新建楼"  # the proposer's, for the officer
        again = client.post("/v1/registry/address-proposals", json=body,
                            headers=auth(users.staff01))  # fmt: skip
        assert again.json()["id"] == proposal["id"]  # a phone's retry: the same proposal
        elsewhere = client.post("/v1/registry/address-proposals", headers=auth(users.staff02),
                                json=body | {"client_request_id": None})  # fmt: skip
        assert elsewhere.status_code == 404 and elsewhere.json()["field"] == "lon"
        odd = body | {"text": "矩阵路东头", "client_request_id": None}
        unread = client.post("/v1/registry/address-proposals", headers=auth(users.staff01),
                             json=odd)  # fmt: skip
        assert unread.status_code == 400 and "could not read" in unread.json()["detail"]
        assert client.get("/v1/registry/addresses", params={"q": "矩阵路9号"},
                          headers=auth(users.p01)).json() == []  # fmt: skip
        done = client.post(f"/v1/registry/proposals/{proposal['id']}/confirm", json={},
                           headers=auth(users.p01))  # fmt: skip
        assert done.status_code == 200, done.text
        found = client.get("/v1/registry/addresses", params={"q": "矩阵路9号"},
                           headers=auth(users.p01)).json()  # fmt: skip
        assert [(a["code"], a["unit_code"]) for a in found] == [
            (proposal["change"]["address"]["code"], county.p01.unit)
        ]
        shown = client.get(f"/v1/registry/proposals/{proposal['id']}", headers=auth(users.p01))
        assert shown.json()["address_code"] == proposal["change"]["address"]["code"]
    finally:
        clear_registry(county.engine)
