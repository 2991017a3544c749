"""Work logs, patrols, check-ins and coverage over the API: a grid leader's day end to end,
retries that store nothing twice, bad points named, and the stations' scopes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.api.fixtures import auth
from tests.api.places import delete_patrol_rows
from tests.media.photos import png

MONTH = "2026-06"
AT = "2026-06-02T09:00:00+08:00"


@pytest.fixture(scope="module", autouse=True)
def clean(county) -> Iterator[None]:
    """Nothing of this module left for the others."""
    delete_patrol_rows(county.engine)
    yield
    delete_patrol_rows(county.engine)


def _id(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def _walk(place, n: int = 30, first: int = 0) -> list[dict]:
    """Points 10 s and 13.5 m apart, walking east through a place."""
    return [{"at": f"2026-06-02T09:{(10 * i) // 60:02d}:{(10 * i) % 60:02d}+08:00",
             "lon": place.lon - 0.00015 * n / 2 + 0.00015 * i, "lat": place.lat,
             "accuracy_m": 5.0} for i in range(first, first + n)]  # fmt: skip


def test_a_work_log_is_saved_once_and_seen_by_its_station(client, users, county) -> None:
    body = {"client_request_id": _id("log"), "text": "走访三户", "places": [{"name": "东村"}],
            "edited_at": "2026-06-01T18:00:00+08:00"}  # fmt: skip
    first = client.put("/v1/worklogs/2026-06-01", json=body, headers=auth(users.staff01))
    assert first.status_code == 200, first.text
    assert first.json()["outcome"] == "created"
    assert first.json()["log"]["grid_codes"] == [county.p01.grid]
    again = client.put("/v1/worklogs/2026-06-01", json=body, headers=auth(users.staff01))
    assert again.json()["outcome"] == "repeated"
    seen = {role: client.get("/v1/worklogs", params={"month": MONTH},
                             headers=auth(users.by_name()[role])).json()["items"]
            for role in ("staff01", "p01", "admin", "p02", "staff02")}  # fmt: skip
    assert [log["text"] for log in seen["p01"]] == ["走访三户"]
    assert seen["staff01"] == seen["p01"] == seen["admin"]
    assert seen["p02"] == seen["staff02"] == []
    assert client.put("/v1/worklogs/2026-06-01", json=body,
                      headers=auth(users.admin)).status_code == 403  # fmt: skip


def test_a_patrol_uploads_once_and_covers_its_unit(client, users, county) -> None:
    me = auth(users.staff01)
    start = {"client_id": _id("patrol"), "started_at": "2026-06-02T09:00:00+08:00"}
    patrol = client.post("/v1/patrols", json=start, headers=me).json()["patrol"]
    assert client.post("/v1/patrols", json=start, headers=me).json() == {
        "outcome": "repeated", "patrol": patrol}  # fmt: skip
    points = _walk(county.p01)
    points[5] = points[5] | {"lon": 0.0, "lat": 0.0}
    points[7] = points[7] | {"accuracy_m": -1.0}
    batch = {"batch_id": "b1", "points": points}
    url = f"/v1/patrols/{patrol['id']}"
    stored = client.post(f"{url}/points", json=batch, headers=me)
    assert stored.status_code == 200, stored.text
    assert stored.json()["stored"] == 28
    assert [(r["index"], r["field"]) for r in stored.json()["rejected"]] == [
        (5, "lon"), (7, "accuracy_m")]  # fmt: skip
    repeated = client.post(f"{url}/points", json=batch, headers=me).json()
    assert (repeated["outcome"], repeated["patrol"]["points"]) == ("repeated", 28)
    stop = client.post(f"{url}/stop", json={"stopped_at": "2026-06-02T10:00:00+08:00"},
                       headers=me)  # fmt: skip
    assert stop.json()["outcome"] == "stopped"
    track = client.get(url, headers=auth(users.p01)).json()
    assert track["track"]["type"] == "MultiLineString" and 385 < track["length_m"] < 400  # 29 steps
    assert client.get(url, headers=auth(users.p02)).status_code == 404
    assert client.post(f"{url}/points", json=batch, headers=auth(users.staff02)).status_code == 404
    units = client.get("/v1/coverage/units", params={"month": MONTH}, headers=auth(users.p01))
    mine = next(u for u in units.json()["items"] if u["code"] == county.p01.unit)
    assert 0 < mine["share"] <= 1 and mine["patrols"] == 1 and mine["days"] == 1
    other = client.get("/v1/coverage/units", params={"month": MONTH}, headers=auth(users.p02))
    assert county.p01.unit not in {u["code"] for u in other.json()["items"]}
    people = client.get("/v1/coverage/people", params={"month": MONTH},
                        headers=auth(users.staff01)).json()["items"]  # fmt: skip
    assert len(people) == 1 and people[0]["coverage"] > 0
    table = client.get("/v1/stats/assessment", params={"month": MONTH},
                       headers=auth(users.staff01)).json()["rows"]  # fmt: skip
    assert table[0]["patrol_coverage"] == people[0]["coverage"]
    csv = client.get("/v1/stats/assessment", params={"month": MONTH, "format": "csv"},
                     headers=auth(users.staff01)).text  # fmt: skip
    assert "巡查覆盖率 patrol_coverage" in csv.splitlines()[0]


def test_a_check_in_falls_in_the_unit_of_its_point(client, users, county) -> None:
    me = auth(users.staff01)
    upload = [("files", ("签到.png", png((6, 5)), "image/png"))]
    photo = client.post("/v1/photos", files=upload, headers=me).json()["results"][0]["id"]
    body = {"client_request_id": _id("in"), "at": AT, "lon": county.p01.lon,
            "lat": county.p01.lat, "place": "村委会", "photo_ids": [photo]}  # fmt: skip
    first = client.post("/v1/check-ins", json=body, headers=me)
    assert first.status_code == 200, first.text
    assert first.json()["check_in"]["unit_code"] == county.p01.unit
    assert client.post("/v1/check-ins", json=body, headers=me).json()["outcome"] == "repeated"
    moved = client.post("/v1/check-ins", json=body | {"lat": body["lat"] + 0.001}, headers=me)
    assert moved.status_code == 409
    swapped = body | {"client_request_id": _id("in"), "lon": body["lat"], "lat": body["lon"]}
    refused = client.post("/v1/check-ins", json=swapped, headers=me)
    assert refused.status_code == 400 and refused.json()["field"] == "lat"
    listed = client.get("/v1/check-ins", params={"month": MONTH}, headers=auth(users.p01))
    assert [c["place"] for c in listed.json()["items"]] == ["村委会"]
    assert client.get("/v1/check-ins", params={"month": MONTH},
                      headers=auth(users.p02)).json()["items"] == []  # fmt: skip
