"""Reports over HTTP: create, batch, retries, list filters, get with events, status, notes,
export, redaction of sensitive details and their audit."""

from __future__ import annotations

import csv
import io
import uuid

from sqlalchemy import text

from geogrid.access.audit import recent
from geogrid.api.schemas.reports import BatchResult, Method, ReportOut, ReportPage, Route, Status
from geogrid.storage.models import ASSIGNMENT_METHODS, REPORT_STATUSES, ROUTES
from tests.api.fixtures import auth
from tests.api.places import WHEN


def item(place, **extra) -> dict:
    """A report body at a place."""
    return {"category": "fire_hazard", "lon": place.lon, "lat": place.lat,
            "reported_at": WHEN} | extra  # fmt: skip


def test_one_report_is_stored_assigned_and_retries_are_safe(client, county, users, reports):
    body = item(county.p01, client_request_id=f"test-{uuid.uuid4()}")
    first = client.post("/v1/reports", json=body, headers=auth(users.staff01))
    assert first.status_code == 201, first.text
    created = first.json()
    assert created["outcome"] == "accepted" and first.headers["location"] == created["href"]
    again = client.post("/v1/reports", json=body, headers=auth(users.staff01)).json()
    assert again["outcome"] == "repeated" and again["id"] == created["id"]
    conflict = client.post("/v1/reports", json=body | {"text": "other"},
                           headers=auth(users.staff01))  # fmt: skip
    assert conflict.status_code == 409 and conflict.json()["field"] == "client_request_id"
    stored = ReportOut.model_validate(client.get(created["href"], headers=auth(users.p01)).json())
    assert stored.assignment.unit.code == county.p01.unit and stored.routing.route == "department"
    assert stored.routing.department.code == "fire" and stored.reporter == "apitest-staff01"


def test_bad_items_are_problems_naming_the_field(client, county, users, reports):
    unknown = client.post("/v1/reports", json=item(county.p01, category="ufo"),
                          headers=auth(users.admin))  # fmt: skip
    assert unknown.status_code == 400 and unknown.json()["field"] == "category"
    swapped = client.post("/v1/reports", json=item(county.p01) | {"lon": 36.0, "lat": 119.4},
                          headers=auth(users.admin))  # fmt: skip
    assert swapped.status_code == 400 and swapped.json()["field"] == "lat"
    missing = client.post("/v1/reports", json={"category": "dispute", "lat": 36.0},
                          headers=auth(users.admin))  # fmt: skip
    assert missing.status_code == 422 and missing.json()["field"] == "lon"


def test_a_batch_keeps_good_items_and_explains_bad_ones(client, county, users, reports):
    items = [item(county.p01), item(county.p01, category="nonsense"),
             item(county.p02, crs="EPSG:4326", category="dispute")]  # fmt: skip
    answer = client.post("/v1/reports/batch", json={"items": items}, headers=auth(users.p02))
    result = BatchResult.model_validate(answer.json())
    assert (result.accepted, result.rejected) == (2, 1)
    assert [r.outcome for r in result.results] == ["accepted", "rejected", "accepted"]
    assert result.results[1].field == "category" and result.routes == {
        "department": 1,
        "station": 1,
    }
    too_many = client.post("/v1/reports/batch", json={"items": [item(county.p01)] * 51},
                           headers=auth(users.admin))  # fmt: skip
    assert too_many.status_code == 413 and too_many.json()["field"] == "items"


def test_list_filters_and_paging(client, county, users, reports):
    def ids(**params) -> list[str]:
        page = client.get("/v1/reports", params=params, headers=auth(users.admin)).json()
        return [str(r.id) for r in ReportPage.model_validate(page).items]

    assert reports.p01_fire in ids(category="fire_hazard")
    assert reports.p01_fire not in ids(category="dispute")
    assert ids(method="unassigned", route="triage") == [reports.triage]
    assert set(ids(grid=county.p02.grid)) >= {reports.p02_security, reports.p02_environment}
    assert reports.p01_security not in ids(grid=county.p02.grid)
    assert reports.p01_security in ids(**{"from": "2026-06-01", "to": "2026-06-02"})
    assert reports.p01_security not in ids(**{"from": "2026-06-02T00:00:00"})
    box = f"{county.p02.lon - 0.001},{county.p02.lat - 0.001},{county.p02.lon + 0.001},36.9"
    assert reports.p01_fire not in ids(bbox=box) and reports.p02_security in ids(bbox=box)
    first = client.get("/v1/reports", params={"limit": 2}, headers=auth(users.admin)).json()
    assert first["numberReturned"] == 2
    following = next(link["href"] for link in first["links"] if link["rel"] == "next")
    second = client.get(following, headers=auth(users.admin)).json()
    assert not {r["id"] for r in first["items"]} & {r["id"] for r in second["items"]}


def test_bad_filters_name_the_field(client, users, reports):
    for params, field in (({"status": "lost"}, "status.0"), ({"grid": "12"}, "grid"),
                          ({"bbox": "1,2,3"}, "bbox"),
                          ({"from": "2026-06-02", "to": "2026-06-01"}, "from")):  # fmt: skip
        answer = client.get("/v1/reports", params=params, headers=auth(users.admin))
        assert answer.status_code in (400, 422) and answer.json()["field"] == field, params


def test_each_scope_lists_only_its_reports(client, users, reports):
    def ids(token: str) -> set[str]:
        return {r["id"] for r in client.get("/v1/reports", params={"limit": 20},
                                            headers=auth(token)).json()["items"]}  # fmt: skip

    p01 = {reports.p01_security, reports.p01_fire, reports.p01_population}
    assert ids(users.p01) >= p01 and not ids(users.p01) & {reports.p02_security, reports.triage}
    assert ids(users.p02) >= {reports.p02_security, reports.p02_environment}
    assert not ids(users.p02) & p01
    others = set(reports.all()) - {reports.p01_fire, reports.p02_environment}
    assert reports.p01_fire in ids(users.fire) and not ids(users.fire) & others
    assert ids(users.environment) == {reports.p02_environment}
    assert ids(users.staff01) >= p01 and not ids(users.staff01) & {reports.p02_security}
    assert reports.triage in ids(users.admin)


def test_sensitive_details_are_hidden_from_grid_staff_and_audited_for_the_station(
    client, county, users, reports
):
    path = f"/v1/reports/{reports.p01_population}"
    hidden = client.get(path, headers=auth(users.staff01)).json()
    assert hidden["redacted"] and hidden["text"] is None and hidden["reporter"] is None
    assert all(e["note"] is None for e in hidden["events"] or [])
    assert hidden["photos"] == []
    shown = client.get(path, headers=auth(users.p01)).json()
    assert not shown["redacted"] and shown["text"].startswith("张三")
    with county.engine.connect() as conn:
        entries = recent(conn, 5, "apitest-p01")
    assert entries[0].action == "read" and entries[0].object_id == reports.p01_population
    with county.engine.connect() as conn:
        assert not recent(conn, 5, "apitest-staff01"), "nothing shown, nothing to audit"


def test_status_changes_and_notes_form_the_trail(client, county, users, reports):
    path = f"/v1/reports/{reports.p02_security}"
    moved = client.post(f"{path}/status", json={"status": "accepted", "note": "受理"},
                        headers=auth(users.p02))  # fmt: skip
    assert moved.status_code == 200 and moved.json()["to_status"] == "accepted"
    assert moved.json()["step"] == "accept", "the deprecated endpoint takes the loop's step"
    wrong = client.post(f"{path}/status", json={"status": "closed"}, headers=auth(users.p02))
    assert wrong.status_code == 409 and wrong.json()["field"] == "status"
    assert client.post(f"{path}/notes", json={"text": "请核实", "instruction": True},
                       headers=auth(users.p02)).status_code == 201  # fmt: skip
    assert client.post(f"{path}/notes", json={"text": "已到场"},
                       headers=auth(users.staff02)).status_code == 201  # fmt: skip
    assert client.post(f"{path}/notes", json={"text": "x", "instruction": True},
                       headers=auth(users.staff02)).status_code == 403  # fmt: skip
    events = client.get(path, headers=auth(users.p02)).json()["events"]
    assert [e["kind"] for e in events] == ["status", "instruction", "note"]
    assert client.get(path, headers=auth(users.p01)).status_code == 404


def test_the_deprecated_status_endpoint_keeps_a_case_inside_the_loop(
    client, county, users, reports
):
    case = client.post("/v1/reports", json=item(county.p01, category="public_security"),
                       headers=auth(users.staff01)).json()["id"]  # fmt: skip
    path = f"/v1/reports/{case}/status"

    def to(status: str, token: str, **body):
        return client.post(path, json={"status": status, **body}, headers=auth(token))

    dispatched = to("dispatched", users.p01)
    assert dispatched.status_code == 409 and dispatched.json()["field"] == "status"
    assert "/dispatch" in dispatched.json()["detail"], "it names the step endpoint to use"
    assert to("resolved", users.staff01, note="已处置").status_code == 403, "not the handler"
    assert to("accepted", users.staff01).status_code == 403, "the grid's staff is no desk"
    assert to("accepted", users.p02).status_code == 404
    assert to("rejected", users.p01).json()["field"] == "note", "a refusal needs its reason"
    assert to("accepted", users.p01).json()["due_at"] is not None, "the acceptance limit"
    assert to("closed", users.p01).status_code == 409, "not handled yet"
    shown = client.get(f"/v1/reports/{case}", headers=auth(users.p01)).json()
    assert shown["status"] == "accepted"
    assert [e["step"] for e in shown["events"]] == ["accept"]


def test_the_deprecated_status_endpoint_verifies_and_closes_by_the_close_step(
    client, county, users, reports
):
    case = client.post("/v1/reports", json=item(county.p01, category="public_security"),
                       headers=auth(users.staff01)).json()["id"]  # fmt: skip

    def to(status: str, token: str, **body):
        return client.post(f"/v1/reports/{case}/status", json={"status": status, **body},
                           headers=auth(token))  # fmt: skip

    to("accepted", users.p01)
    client.post(f"/v1/reports/{case}/dispatch", json={"instruction": "去", "handler_department":
                "fire"}, headers=auth(users.p01))  # fmt: skip
    assert to("resolved", users.fire, note="已处置").status_code == 200
    assert to("closed", users.p01).status_code == 409, "verified first"
    verified = to("verified", users.staff01)
    assert (verified.status_code, verified.json()["step"]) == (200, "verify")
    assert to("closed", users.staff01).status_code == 403, "the station's desk closes"
    closed = to("closed", users.p01, note="结案")
    assert (closed.status_code, closed.json()["step"]) == (200, "close")
    shown = client.get(f"/v1/reports/{case}", headers=auth(users.p01)).json()
    assert shown["status"] == "closed"
    assert [e["step"] for e in shown["events"]] == ["accept", "dispatch", "handle", "verify",
                                                    "close"]  # fmt: skip


def test_marking_a_duplicate_points_at_the_original(client, county, users, reports):
    copy = client.post("/v1/reports", json=item(county.p01, category="public_security"),
                       headers=auth(users.p01)).json()["id"]  # fmt: skip
    answer = client.post(f"/v1/reports/{copy}/status",
                         json={"status": "duplicate", "duplicate_of": reports.p01_security},
                         headers=auth(users.p01))  # fmt: skip
    assert answer.status_code == 200
    assert client.get(f"/v1/reports/{copy}", headers=auth(users.p01)).json()["duplicate_of"] == (
        reports.p01_security
    )
    elsewhere = client.post(f"/v1/reports/{copy}/status",
                            json={"status": "rejected", "duplicate_of": reports.p02_security},
                            headers=auth(users.p01))  # fmt: skip
    assert elsewhere.status_code == 404 and elsewhere.json()["field"] == "id"


def test_the_documented_enumerations_are_the_tables():
    assert set(Status.__args__) == set(REPORT_STATUSES)
    assert set(Method.__args__) == set(ASSIGNMENT_METHODS) and set(Route.__args__) == set(ROUTES)


def test_unknown_and_malformed_ids(client, users, reports):
    assert client.get(f"/v1/reports/{uuid.uuid4()}", headers=auth(users.admin)).status_code == 404
    assert client.get("/v1/reports/not-a-uuid", headers=auth(users.admin)).status_code == 422


def test_export_csv_and_geojson_in_scope(client, county, users, reports):
    answer = client.get("/v1/reports/export", params={"format": "csv"}, headers=auth(users.p01))
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text.lstrip("\ufeff"))))
    assert {reports.p01_security, reports.p01_population} <= {r["id"] for r in rows}
    assert reports.p02_security not in {r["id"] for r in rows}
    geojson = client.get("/v1/reports/export", params={"format": "geojson", "category": "dispute"},
                         headers=auth(users.admin)).json()  # fmt: skip
    assert geojson["type"] == "FeatureCollection"
    assert reports.triage in {f["id"] for f in geojson["features"]}
    assert all(f["geometry"]["type"] == "Point" for f in geojson["features"])
    with county.engine.connect() as conn:
        assert conn.execute(text("select count(*) from audit_log where user_name = "
                                 "'apitest-p01' and action = 'export'")).scalar() >= 1  # fmt: skip
