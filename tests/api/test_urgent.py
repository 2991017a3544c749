"""The urgent flag (紧急) set at intake: single POST, batch and a retry; it halves the
acceptance limit from the start and the later limits with it (README "Deadlines")."""

from __future__ import annotations

import uuid
from datetime import datetime

from geogrid.reports.deadlines import calendar_of
from tests.api.fixtures import auth
from tests.api.places import WHEN


def _accept_hours(client, token: str, report_id: str) -> float:
    """Working hours from receipt to the acceptance deadline the API shows."""
    shown = client.get(f"/v1/reports/{report_id}", headers=auth(token)).json()
    received = datetime.fromisoformat(shown["received_at"])
    due = datetime.fromisoformat(shown["case"]["due_at"])
    return round(calendar_of().working_hours_between(received, due), 2)


def test_an_urgent_report_gets_half_the_acceptance_limit(client, county, users, reports):
    item = {"category": "fire_hazard", "lon": county.p01.lon, "lat": county.p01.lat,
            "reported_at": WHEN}  # fmt: skip
    plain = client.post("/v1/reports", json=item | {"text": "plain"}, headers=auth(users.staff01))
    urgent = client.post("/v1/reports", json=item | {"text": "urgent", "urgent": True},
                         headers=auth(users.staff01))  # fmt: skip
    assert plain.status_code == urgent.status_code == 201, urgent.text
    # fire_hazard: accept within 2 working hours; urgent: 1.
    assert _accept_hours(client, users.fire, plain.json()["id"]) == 2.0
    assert _accept_hours(client, users.fire, urgent.json()["id"]) == 1.0
    case = urgent.json()["id"]
    assert client.post(f"/v1/reports/{case}/accept", json={},
                       headers=auth(users.fire)).status_code == 200  # fmt: skip
    sent = client.post(
        f"/v1/reports/{case}/dispatch",
        headers=auth(users.fire),
        json={"instruction": "立即清理", "handler_department": "fire"},
    )
    assert sent.status_code == 200, sent.text
    clock = client.get(f"/v1/reports/{case}", headers=auth(users.fire)).json()["case"]
    assert clock["urgent"], "the flag set at intake carries into the dispatch"
    # handle within 3 working days (24 h); urgent: 12 working hours from the dispatch.
    assert 11.9 < clock["hours_left"] <= 12.0


def test_the_flag_in_a_batch_and_a_retry_with_another_flag(client, county, users, reports):
    request = f"urgent-{uuid.uuid4()}"
    item = {"category": "fire_hazard", "lon": county.p01.lon, "lat": county.p01.lat,
            "reported_at": WHEN, "text": "urgent", "client_request_id": request}  # fmt: skip
    batch = client.post(
        "/v1/reports/batch",
        headers=auth(users.staff01),
        json={"items": [item | {"urgent": True}, item | {"client_request_id": request + "-b"}]},
    )
    assert batch.status_code == 200, batch.text
    first, second = batch.json()["results"]
    assert first["outcome"] == second["outcome"] == "accepted"
    assert _accept_hours(client, users.fire, first["id"]) == 1.0
    again = client.post("/v1/reports", json=item | {"urgent": True}, headers=auth(users.staff01))
    assert again.status_code == 201 and again.json()["outcome"] == "repeated"
    changed = client.post("/v1/reports", json=item | {"urgent": False},
                          headers=auth(users.staff01))  # fmt: skip
    assert changed.status_code == 409 and changed.json()["field"] == "client_request_id"
    wrong = client.post("/v1/reports", json=item | {"urgent": "是"}, headers=auth(users.staff01))
    assert wrong.status_code == 422 and wrong.json()["field"] == "urgent"
