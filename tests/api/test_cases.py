"""The case loop over HTTP: a department case from report to close, the answers for a bad
body (400/422 naming the field), a wrong state (409), a wrong role (403), and the inboxes."""

from __future__ import annotations

from tests.api.fixtures import auth
from tests.api.places import WHEN
from tests.media.photos import jpeg


def post(client, report_id: str, step: str, token: str, **body):
    """One step of the loop."""
    return client.post(f"/v1/reports/{report_id}/{step}", json=body, headers=auth(token))


def waiting(client, token: str) -> dict[str, str]:
    """The caller's inbox: report id -> what waits."""
    return {i["id"]: i["waiting"] for i in
            client.get("/v1/inbox", headers=auth(token)).json()["items"]}  # fmt: skip


def upload(client, token: str, colour: tuple[int, int, int]) -> str:
    """A photo uploaded as evidence; its id."""
    files = [("files", ("step.jpg", jpeg(color=colour), "image/jpeg"))]
    answer = client.post("/v1/photos", files=files, headers=auth(token))
    assert answer.status_code in (200, 201), answer.text
    return answer.json()["results"][0]["id"]


def test_a_fire_hazard_goes_round_the_loop(client, county, users, reports):
    made = client.post("/v1/reports", headers=auth(users.staff01), json={
        "category": "fire_hazard", "lon": county.p01.lon, "lat": county.p01.lat,
        "reported_at": WHEN, "text": "楼道堆放杂物"})  # fmt: skip
    case = made.json()["id"]
    assert waiting(client, users.fire)[case] == "to_accept"
    assert case not in waiting(client, users.environment)
    assert post(client, case, "verify", users.staff01, passed=True).status_code == 409
    assert post(client, case, "accept", users.staff01).status_code == 403
    assert post(client, case, "accept", users.environment).status_code == 404
    assert post(client, case, "accept", users.fire, note="受理").status_code == 200
    both = post(client, case, "dispatch", users.fire, instruction="清理",
                handler_department="fire", handler_person="x")  # fmt: skip
    assert both.status_code == 400 and both.json()["field"] == "handler_person"
    bare = post(client, case, "dispatch", users.fire, handler_department="fire")
    assert bare.status_code == 422 and bare.json()["field"] == "instruction"
    sent = post(client, case, "dispatch", users.fire, instruction="今日清理",
                handler_department="fire", urgent=True)  # fmt: skip
    assert sent.status_code == 200 and sent.json()["due_at"] is not None
    assert waiting(client, users.fire)[case] == "to_handle"
    clock = client.get(f"/v1/reports/{case}", headers=auth(users.fire)).json()["case"]
    assert clock["urgent"] and not clock["overdue"] and clock["hours_left"] > 0
    listed = client.get("/v1/reports", params={"status": "dispatched"},
                        headers=auth(users.fire)).json()["items"]  # fmt: skip
    assert any(r["id"] == case and r["case"]["due_at"] for r in listed)
    nine = [f"p{n}" for n in range(10)]
    too_many = post(client, case, "handle", users.fire, note="已清理", photo_ids=nine)
    assert too_many.status_code == 422 and too_many.json()["field"] == "photo_ids"
    ph1, ph2 = (upload(client, users.admin, colour) for colour in ((1, 2, 3), (4, 5, 6)))
    unknown = post(client, case, "handle", users.fire, note="已清理", photo_ids=["0" * 64])
    assert unknown.status_code == 400 and "photo_ids" in unknown.json()["field"]
    assert waiting(client, users.fire)[case] == "to_handle", "a bad photo id changes nothing"
    done = post(client, case, "handle", users.fire, note="已清理", photo_ids=[ph1])
    assert done.json()["to_status"] == "resolved"
    assert waiting(client, users.staff01)[case] == "to_verify"
    assert post(client, case, "verify", users.staff02, passed=True).status_code == 404
    early = post(client, case, "close", users.fire)
    assert early.status_code == 409 and "is resolved: close" in early.json()["detail"]
    passed = post(client, case, "verify", users.staff01, passed=True, photo_ids=[ph2])
    assert passed.status_code == 200 and passed.json()["to_status"] == "verified"
    assert waiting(client, users.fire)[case] == "to_close"
    assert case not in waiting(client, users.staff01)
    assert post(client, case, "close", users.staff01).status_code == 403, "the desk closes"
    assert post(client, case, "close", users.environment).status_code == 404
    closed = post(client, case, "close", users.fire, note="结案")
    assert closed.status_code == 200 and closed.json()["to_status"] == "closed"
    again = post(client, case, "close", users.fire)
    assert again.status_code == 409 and "is closed: close is taken from verified" in \
        again.json()["detail"]  # fmt: skip
    trail = client.get(f"/v1/reports/{case}", headers=auth(users.p01)).json()["events"]
    steps = [(e["step"], e["to_status"], e["photo_ids"]) for e in trail if e["step"]]
    assert steps == [("accept", "accepted", []), ("dispatch", "dispatched", []),
                     ("handle", "resolved", [ph1]), ("verify", "verified", [ph2]),
                     ("close", "closed", [])]  # fmt: skip
    photos = client.get(f"/v1/reports/{case}", headers=auth(users.p01)).json()["photos"]
    assert sorted((p["id"], p["step"]) for p in photos) == sorted(
        [(ph1, "handled"), (ph2, "verified")])  # fmt: skip


def test_a_station_returns_a_case_that_is_not_its_own(client, county, users, reports):
    case = reports.p02_security
    answer = post(client, case, "return", users.p02, note="非治安类，退回分流")
    assert answer.status_code == 200 and answer.json()["to_status"] == "received"
    assert waiting(client, users.admin)[case] == "to_accept"
    # Back in triage the station is no longer its desk; the county is.
    assert post(client, case, "accept", users.p02).status_code == 403
    assert (
        post(
            client, case, "dispatch", users.admin, instruction="x", handler_department="environment"
        ).status_code
        == 409
    )  # not accepted yet
    supervised = post(client, case, "supervise", users.admin, note="尽快分流")
    assert supervised.status_code == 200
    assert client.get("/v1/inbox", headers=auth(users.admin)).json()["items"][0]["id"] == case
