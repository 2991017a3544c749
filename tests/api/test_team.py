"""The team's API: leave with a cover on duty end to end, selection before assignment,
the month's assessment and payroll sheet per scope."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import text

from geogrid.vocabulary import china_now, china_today
from tests.api.fixtures import auth
from tests.api.team_objects import make_team_objects, remove_team_objects

REPORTER = "apitest-team"


@pytest.fixture(scope="module")
def team(county, users):
    """P01's team objects, removed after the module."""
    made = make_team_objects(county.engine, county.p01.grid)
    yield made
    remove_team_objects(county.engine, made)


def _lookup_leader(client, users, place) -> dict:
    answer = client.get("/v1/lookup", params={"lon": place.lon, "lat": place.lat},
                        headers=auth(users.admin))  # fmt: skip
    return answer.json()["leader"]


def _wait_for_leader(client, users, place, phone: str) -> dict:
    """The lookups' index follows the roster within a refresh (about a second)."""
    for _ in range(50):
        leader = _lookup_leader(client, users, place)
        if leader["phone"] == phone:
            return leader
        time.sleep(0.2)
    raise AssertionError(f"the leader on duty stayed {leader}, not the one with {phone}")


def test_a_report_of_a_grid_whose_leader_is_on_leave_goes_to_the_cover(client, county, users,
                                                                        team):  # fmt: skip
    place, today = county.p01, china_today()
    own = _lookup_leader(client, users, place)
    asked = client.post("/v1/team/leave", headers=auth(users.staff01), json={
        "person_no": team.leader, "first_day": str(today), "last_day": str(today + timedelta(3)),
        "reason": "探亲"})  # fmt: skip
    assert asked.status_code == 201, asked.text
    leave_id = asked.json()["id"]
    options = client.get(f"/v1/team/leave/{leave_id}/covers", headers=auth(users.p01)).json()
    chosen = options[-1]  # the community police officer, say
    choice = {"grid_code": place.grid, "person_no": chosen["person_no"]}
    approved = client.post(f"/v1/team/leave/{leave_id}/approve", headers=auth(users.p01),
                           json={"covers": [choice]})  # fmt: skip
    assert approved.status_code == 200, approved.text
    assert [c["person_no"] for c in approved.json()["covers"]] == [chosen["person_no"]]
    try:
        _wait_for_leader(client, users, place, chosen["phone"])
        report = client.post("/v1/reports", headers=auth(users.admin), json={
            "category": "public_security", "lon": place.lon, "lat": place.lat,
            "reported_at": china_now().isoformat(), "reporter": REPORTER}).json()  # fmt: skip
        shown = client.get(f"/v1/reports/{report['id']}", headers=auth(users.admin)).json()
        leader = shown["assignment"]["leader"]
        assert (leader["name"], leader["phone"]) == (chosen["name"], chosen["phone"])
        back = client.post(f"/v1/team/leave/{leave_id}/return", headers=auth(users.staff01),
                           json={"day": str(today)})  # fmt: skip
        assert back.json()["status"] == "returned"
        assert _wait_for_leader(client, users, place, own["phone"])["name"] == own["name"]
    finally:
        with county.engine.begin() as conn:
            conn.execute(text("delete from reports where reporter = :r"), {"r": REPORTER})
            conn.execute(text("delete from leave_requests where id = :i"), {"i": leave_id})


def test_someone_not_selected_cannot_be_put_on_a_grid(client, county, users, team):
    answer = client.post("/v1/team/assignments", headers=auth(users.p01), json={
        "person_no": team.candidate, "grid_code": county.p01.grid, "role": "grid_leader",
        "first_day": "2026-12-01"})  # fmt: skip
    assert answer.status_code == 409
    assert team.candidate in answer.json()["detail"]
    assert "nomination" in answer.json()["detail"]
    history = client.get(f"/v1/team/people/{team.candidate}/selection",
                         headers=auth(users.p01)).json()  # fmt: skip
    assert history["missing"][0] == "nomination" and history["history"] == []


def test_the_month_and_its_payroll_by_scope(client, county, users, team):
    station = client.get("/v1/team/assessment", params={"month": "2026-06"},
                         headers=auth(users.p01)).json()["lines"]  # fmt: skip
    assert station and {line["station_code"] for line in station} == {"370782P01"}
    # No patrol walked in June: each assistant's coverage is a measured 0 (the patrols' source is
    # wired into the scheme), not "no data".
    assert {line["metrics"]["patrol_coverage"] for line in station} == {0.0}
    own = client.get("/v1/team/assessment", params={"month": "2026-06"},
                     headers=auth(users.staff01)).json()["lines"]  # fmt: skip
    assert [line["person_no"] for line in own] == [team.leader]
    sheet = client.get("/v1/team/payroll", params={"month": "2026-06"}, headers=auth(users.p01))
    assert sheet.headers["content-type"].startswith("text/csv")
    assert team.leader in sheet.text and "合计 total" in sheet.text


def test_the_source_case_figures_of_a_station_as_json_and_pdf(client, users):
    period = {"first": "2026-01-01", "last": "2026-06-30"}
    county = client.get("/v1/team/figures", params=period, headers=auth(users.admin)).json()
    station = client.get("/v1/team/figures", params=period, headers=auth(users.p01)).json()
    assert 0 < station["villages"] < county["villages"]
    assert station["area"] and county["area"] is None
    printed = client.get("/v1/team/figures", params=period | {"format": "pdf"},
                         headers=auth(users.p01))  # fmt: skip
    assert printed.headers["content-type"] == "application/pdf"
    assert printed.content.startswith(b"%PDF")
    upside_down = client.get("/v1/team/figures", params={"first": "2026-02-01",
                             "last": "2026-01-01"}, headers=auth(users.p01))  # fmt: skip
    assert upside_down.status_code == 400 and upside_down.json()["field"] == "last"


def test_requests_to_the_station_are_listed_by_scope(client, users, team):
    asked = client.post("/v1/team/requests", headers=auth(users.staff01),
                        json={"subject": "apitest", "body": "村口路灯损坏"})  # fmt: skip
    assert asked.status_code == 201, asked.text
    made = asked.json()["id"]
    waiting = client.get("/v1/team/requests", params={"waiting": True}, headers=auth(users.p01))
    assert made in [r["id"] for r in waiting.json()]
    assert team.replied_request not in [r["id"] for r in waiting.json()]
    typo = client.get("/v1/team/requests", params={"wating": True}, headers=auth(users.p01))
    assert typo.status_code == 422 and typo.json()["field"] == "wating"
    other = client.get("/v1/team/requests", headers=auth(users.p02)).json()
    assert made not in [r["id"] for r in other]
    replied = client.post(f"/v1/team/requests/{made}/reply", headers=auth(users.p01),
                          json={"reply": "已报修"})  # fmt: skip
    assert replied.status_code == 200
    own = client.get("/v1/team/requests", headers=auth(users.staff01)).json()
    assert {r["person_no"] for r in own} == {team.leader}
    assert next(r for r in own if r["id"] == made)["reply"] == "已报修"
