"""Open311 GeoReport v2: services, submitting (form or JSON), reading, errors, scope."""

from __future__ import annotations

import uuid

from tests.api.fixtures import auth


def test_services_are_our_categories(client, users):
    services = client.get("/open311/v2/services.json", headers=auth(users.fire)).json()
    codes = [s["service_code"] for s in services]
    assert {"population", "fire_hazard", "dispute"} <= set(codes)
    fire = next(s for s in services if s["service_code"] == "fire_hazard")
    assert fire["service_name"] == "消防隐患" and fire["metadata"] is False


def test_a_form_post_with_api_key_makes_a_report(client, county, users, reports):
    form = {"api_key": users.staff01, "service_code": "fire_hazard", "lat": county.p01.lat,
            "long": county.p01.lon, "description": "电动车楼道充电"}  # fmt: skip
    answer = client.post("/open311/v2/requests.json", data=form)
    assert answer.status_code == 201, answer.text
    request_id = answer.json()[0]["service_request_id"]
    one = client.get(f"/open311/v2/requests/{request_id}.json", params={"api_key": users.p01})
    request = one.json()[0]
    assert request["status"] == "open" and request["service_code"] == "fire_hazard"
    assert request["description"] == "电动车楼道充电" and request["agency_responsible"]
    assert (request["lat"], request["long"]) == (county.p01.lat, county.p01.lon)


def test_a_json_post_and_gcj02_coordinates(client, county, users, reports):
    from geogrid.geo.crs import wgs84_to_gcj02

    lon, lat = wgs84_to_gcj02(county.p02.lon, county.p02.lat)
    body = {"service_code": "dispute", "lat": lat, "long": lon, "crs": "gcj02"}
    answer = client.post("/open311/v2/requests.json", json=body, headers=auth(users.p02))
    assert answer.status_code == 201, answer.text


def test_requests_map_statuses_to_open_and_closed(client, county, users, reports):
    from geogrid.reports.lifecycle import change_status

    since = {"start_date": "2026-05-01T00:00:00+08:00"}
    for status in ("resolved", "verified"):  # handled, verified: open until 结案
        with county.engine.begin() as conn:
            change_status(conn, reports.p01_security, status, actor="apitest-open311",
                          note="已调解" if status == "resolved" else "")  # fmt: skip
        listed = client.get("/open311/v2/requests.json",
                            params={"service_request_id": reports.p01_security},
                            headers=auth(users.admin)).json()  # fmt: skip
        assert [(r["status"], r["status_notes"]) for r in listed] == [("open", "已调解")]
    with county.engine.begin() as conn:
        change_status(conn, reports.p01_security, "closed", actor="apitest-open311")
    closed = client.get("/open311/v2/requests.json", params=since | {"status": "closed"},
                        headers=auth(users.admin)).json()  # fmt: skip
    assert reports.p01_security in {r["service_request_id"] for r in closed}
    picked = client.get("/open311/v2/requests.json",
                        params={"service_request_id": f"{reports.p01_security},nonsense"},
                        headers=auth(users.admin)).json()  # fmt: skip
    assert [(r["status"], r["status_notes"]) for r in picked] == [("closed", "已调解")]
    opened = client.get("/open311/v2/requests.json", params=since | {"status": "open"},
                        headers=auth(users.admin)).json()  # fmt: skip
    assert reports.p01_security not in {r["service_request_id"] for r in opened}


def test_requests_are_scoped_and_sensitive_text_hidden(client, users, reports):
    p02 = {r["service_request_id"] for r in client.get(
        "/open311/v2/requests.json", params={"start_date": "2026-05-01"},
        headers=auth(users.p02)).json()}  # fmt: skip
    assert reports.p02_security in p02 and reports.p01_security not in p02
    one = client.get(f"/open311/v2/requests/{reports.p01_security}.json", headers=auth(users.p02))
    assert one.status_code == 404
    staff = client.get(f"/open311/v2/requests/{reports.p01_population}.json",
                       headers=auth(users.staff01)).json()  # fmt: skip
    assert staff[0]["description"] is None


def test_errors_are_open311_error_lists(client, county, users, reports):
    missing = client.post("/open311/v2/requests.json", data={"service_code": "dispute"},
                          headers=auth(users.admin))  # fmt: skip
    assert missing.status_code == 400
    assert missing.json()[0]["code"] == 400 and "lat" in missing.json()[0]["description"]
    unknown = client.post("/open311/v2/requests.json",
                          data={"service_code": "ufo", "lat": county.p01.lat,
                                "long": county.p01.lon}, headers=auth(users.admin))  # fmt: skip
    assert unknown.status_code == 400 and "category" in unknown.json()[0]["description"]
    assert client.get("/open311/v2/services.json").status_code == 401
    anonymous = client.post("/open311/v2/requests.json", data={"service_code": "dispute"})
    assert anonymous.status_code == 401 and anonymous.json()[0]["code"] == 401
    assert client.get(f"/open311/v2/requests/{uuid.uuid4()}.json",
                      headers=auth(users.admin)).status_code == 404  # fmt: skip


def test_the_case_loop_states_and_public_notes(client, county, users, reports):
    from sqlalchemy import text

    from geogrid.reports.deadlines import load_calendar
    from geogrid.reports.loop import StepInput, take_step
    from tests.reports.test_loop import Who

    form = {"service_code": "dispute", "lat": county.p01.lat, "long": county.p01.lon}
    made = client.post("/open311/v2/requests.json", data=form, headers=auth(users.admin))
    case_id = made.json()[0]["service_request_id"]
    refused_id = client.post("/open311/v2/requests.json", data=form,
                             headers=auth(users.admin)).json()[0]["service_request_id"]  # fmt: skip
    with county.engine.connect() as conn:
        leader = conn.execute(
            text(
                "select p.id, p.person_no from reports r join people p on "
                "p.id = r.leader_id where r.id = :i"
            ),
            {"i": case_id},
        ).one()
    county_desk, handler = Who("县局", "county_admin"), Who("网格长", "grid_staff",
                                                         person_id=leader.id)  # fmt: skip

    def take(report_id: str, step: str, who, **body) -> dict:
        with county.engine.begin() as conn:
            take_step(conn, report_id, step, StepInput(**body), who, calendar=load_calendar())
        answer = client.get(f"/open311/v2/requests/{report_id}.json", headers=auth(users.admin))
        return answer.json()[0]

    seen = [take(case_id, "accept", county_desk, note="已受理")]
    seen.append(take(case_id, "dispatch", county_desk, note="内部: 带执法记录仪",
                     handler_person=leader.person_no))  # fmt: skip
    seen.append(take(case_id, "supervise", county_desk, note="县局督办"))
    seen.append(take(case_id, "handle", handler, note="已调解"))
    seen.append(take(case_id, "verify", county_desk, passed=False, note="内部: 仍有争执"))
    seen.append(take(case_id, "handle", handler, note="双方签字"))
    seen.append(take(case_id, "verify", county_desk, passed=True))
    seen.append(take(case_id, "close", county_desk, note="已结案"))
    assert [(r["status"], r["status_notes"]) for r in seen] == [
        ("open", "已受理"), ("open", "已受理"), ("open", "已受理"),  # accepted, dispatched
        ("open", "已调解"), ("open", "已调解"),  # handled, then rework
        ("open", "双方签字"), ("open", "双方签字"),  # handled again, verified: not yet closed
        ("closed", "已结案"),  # closed at 结案 by the desk, with its public note
    ]  # fmt: skip
    refused = take(refused_id, "refuse", county_desk, note="不属于本辖区")
    assert (refused["status"], refused["status_notes"]) == ("closed", "不属于本辖区")
