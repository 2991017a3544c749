"""The authorization matrix: every endpoint, every role, a token of the other station.

Each case acts on an object of station 370782P01 (its first unit and grid, and reports
there). Station P02, and the grid staff of P02, must never read or change any of it: they
get 404 (existence does not leak); roles that may never take an action get 403; without a
token, 401. A status change the lifecycle forbids (assigned -> verified or closed) tells a
caller who passed the scope check (409) from one who did not (404) without changing anything.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from geogrid.media.evidence import attach_photos
from tests.api.fixtures import auth
from tests.api.places import MONTH, WHEN, delete_patrol_rows, tile_of
from tests.api.registry_places import make_registry
from tests.api.team_matrix import team_cases
from tests.api.team_objects import make_team_objects, remove_team_objects
from tests.media.photos import jpeg, png
from tests.registry.conftest import clear_registry

ROLES = ("admin", "p01", "p02", "staff01", "staff02", "fire", "environment")
FIELD = ("admin", "p01", "p02", "staff01", "staff02")  # the roles that work in the field
PUBLIC = {("GET", "/"), ("GET", "/v1/"), ("GET", "/conformance"), ("GET", "/v1/conformance"),
          ("GET", "/healthz")}  # fmt: skip


@dataclass(frozen=True)
class Case:
    """One endpoint called one way, and the status each role must get."""

    method: str
    template: str  # the OpenAPI path
    path: str
    expect: dict[str, int]
    json: dict | None = None
    data: dict | None = None
    files: list | None = None


def statuses(ok: int, allowed: tuple[str, ...], hidden: tuple[str, ...] = ()) -> dict[str, int]:
    """`ok` for the allowed roles, 404 for the hidden ones, 403 for the rest."""
    return {r: ok if r in allowed else 404 if r in hidden else 403 for r in ROLES}


def loop_cases(closed: str) -> list[Case]:
    """The case-loop steps on a rejected (final) police case of P01, whose grid leader is
    staff01: who holds the step's relation gets 409 (the status forbids it), who sees the
    case without the relation 403, who does not see it 404; nothing changes."""
    hidden = ("p02", "staff02", "fire", "environment")
    base = f"/v1/reports/{closed}"
    steps = [
        ("accept", {}, ("admin", "p01")), ("refuse", {"note": "x"}, ("admin", "p01")),
        ("return", {"note": "x"}, ("p01",)),
        ("dispatch", {"instruction": "x", "handler_department": "fire"}, ("admin", "p01")),
        ("start", {}, ()), ("handle", {"note": "x"}, ()),
        ("verify", {"passed": True}, ("admin", "p01", "staff01")),
        ("close", {"note": "x"}, ("admin", "p01")),
        ("extension", {"reason": "x", "due_at": "2030-01-01T10:00:00"}, ()),
        ("extension/decide", {"approve": True}, ("admin",)),
        ("supervise", {"note": "x"}, ("admin", "p01")),
    ]  # fmt: skip
    return [
        Case("POST", "/v1/reports/{report_id}/" + name, f"{base}/{name}",
             {r: 409 if r in allowed else 404 if r in hidden else 403 for r in ROLES},
             json=body)
        for name, body, allowed in steps
    ] + [Case("GET", "/v1/inbox", "/v1/inbox", statuses(200, ROLES))]  # fmt: skip


def _tile(place, prefix: str) -> str:
    """The path of the zoom-18 tile holding a place."""
    x, y = tile_of(place.lon, place.lat, 18)
    return f"{prefix or '/v1'}/tiles/WebMercatorQuad/18/{y}/{x}"


def device_cases(device: int) -> list[Case]:
    """The phones' device sessions: a sign-in with a wrong token is 401 for everyone (the
    token is in the body); a device session of staff01 is ended by staff01 or the admin
    and is nobody else's to see (404)."""
    return [
        Case("POST", "/v1/devices", "/v1/devices", dict.fromkeys(ROLES, 401),
             json={"token": "not-a-token", "device_name": "matrix"}),
        Case("GET", "/v1/devices", "/v1/devices", statuses(200, ROLES)),
        Case("DELETE", "/v1/devices/{session_id}", f"/v1/devices/{device}",
             statuses(204, ("admin", "staff01"), ROLES)),
    ]  # fmt: skip


def registry_cases(county, objects) -> list[Case]:
    """The registry's operations on P01's address and records (README "The registry"):
    personal details for the station and the county, an ID number in clear for the county
    alone, a decided proposal a 409 for who may confirm it."""
    own, others = ("admin", "p01", "staff01"), ("p02", "staff02")
    base = "/v1/registry"
    resident, shop, rejected = objects.resident, objects.shop, objects.rejected
    decided = {r: 409 if r in ("admin", "p01") else 404 if r in others else 403 for r in ROLES}
    new = {"text": "矩阵路2号", "lon": county.p01.lon, "lat": county.p01.lat}
    proposal = {"kind": "organisation", "address_code": objects.address, "data": {"name": "厂"}}
    return [
        Case("GET", f"{base}/addresses", f"{base}/addresses?q=矩阵路", statuses(200, FIELD)),
        Case("POST", f"{base}/addresses", f"{base}/addresses",
             statuses(201, ("admin", "p01"), ("p02",)), json=new),
        Case("GET", f"{base}/addresses/{{code}}", f"{base}/addresses/{objects.address}",
             statuses(200, own, others)),
        Case("GET", f"{base}/records", f"{base}/records", statuses(200, FIELD)),
        Case("GET", f"{base}/records/{{record_id}}", f"{base}/records/{resident}",
             statuses(200, ("admin", "p01"), ("p02", "staff01", "staff02"))),
        Case("GET", f"{base}/records/{{record_id}}", f"{base}/records/{resident}?reveal=true",
             statuses(200, ("admin",), ("p02", "staff01", "staff02"))),
        Case("GET", f"{base}/records/{{record_id}}", f"{base}/records/{shop}",
             statuses(200, own, others)),
        Case("GET", f"{base}/records/{{record_id}}/versions", f"{base}/records/{shop}/versions",
             statuses(200, own, others)),
        Case("POST", f"{base}/records/{{record_id}}/checks", f"{base}/records/{shop}/checks",
             statuses(201, own, others), json={"note": "matrix"}),
        Case("POST", f"{base}/proposals", f"{base}/proposals", statuses(201, own, others),
             json=proposal),
        Case("POST", f"{base}/address-proposals", f"{base}/address-proposals",
             statuses(201, own, others), json=new | {"text": "矩阵路5号"}),
        Case("GET", f"{base}/proposals", f"{base}/proposals", statuses(200, FIELD)),
        Case("GET", f"{base}/proposals/{{proposal_id}}", f"{base}/proposals/{rejected}",
             statuses(200, own, others)),
        Case("POST", f"{base}/proposals/{{proposal_id}}/confirm",
             f"{base}/proposals/{rejected}/confirm", decided, json={}),
        Case("POST", f"{base}/proposals/{{proposal_id}}/reject",
             f"{base}/proposals/{rejected}/reject", decided, json={}),
        Case("GET", f"{base}/completeness", f"{base}/completeness?month={MONTH}",
             statuses(200, FIELD)),
    ]  # fmt: skip


def cases(county, reports, version: int, photo: str) -> list[Case]:
    """Every non-public operation of the API, aimed at P01's objects."""
    place, unit, grid = county.p01, county.p01.unit, county.p01.grid
    own = ("admin", "p01", "staff01")  # see P01's unit, grid and security report
    others = ("p02", "staff02")
    report = {"category": "dispute", "lon": place.lon, "lat": place.lat, "reported_at": WHEN}
    security, fire = reports.p01_security, reports.p01_fire
    return [
        Case("GET", "/v1/me", "/v1/me", statuses(200, ROLES)),
        Case("GET", "/v1/lookup", f"/v1/lookup?lon={place.lon}&lat={place.lat}",
             statuses(200, own, others)),
        # Departments read reports, so the reports collection (only) is listed for them.
        Case("GET", "/v1/collections", "/v1/collections", statuses(200, ROLES)),
        Case("GET", "/v1/collections/{collection_id}", "/v1/collections/units",
             statuses(200, FIELD)),
        Case("GET", "/v1/collections/{collection_id}/items", "/v1/collections/units/items",
             statuses(200, FIELD)),
        Case("GET", "/v1/collections/{collection_id}/items/{code}",
             f"/v1/collections/units/items/{unit}", statuses(200, own, others)),
        Case("GET", "/v1/grids/{code}", f"/v1/grids/{grid}", statuses(200, own, others)),
        Case("GET", "/v1/tiles/WebMercatorQuad", "/v1/tiles/WebMercatorQuad",
             statuses(200, FIELD)),
        # A tile deep in P01's unit: drawn for who sees it, empty (204) for the other station.
        Case("GET", "/v1/tiles/WebMercatorQuad/{z}/{y}/{x}", _tile(place, ""),
             statuses(200, own) | dict.fromkeys(others, 204)),
        Case("GET", "/v1/collections/{collection_id}/tiles/WebMercatorQuad/{z}/{y}/{x}",
             _tile(place, "/v1/collections/units"),
             statuses(200, own) | dict.fromkeys(others, 204)),
        # Report density there: drawn for who reads a report of that place (the fire brigade
        # its fire hazard), empty (204) for the rest who read reports.
        Case("GET", "/v1/collections/{collection_id}/tiles/WebMercatorQuad/{z}/{y}/{x}",
             _tile(place, "/v1/collections/reports"),
             dict.fromkeys(ROLES, 204) | dict.fromkeys((*own, "fire"), 200)),
        Case("GET", "/v1/grid-versions", "/v1/grid-versions",
             statuses(200, ("admin", "p01", "p02"))),
        Case("GET", "/v1/grid-versions/diff", f"/v1/grid-versions/diff?old={version}&new="
             f"{version}", statuses(200, ("admin", "p01", "p02"))),
        Case("GET", "/v1/grids/{code}/instructions", f"/v1/grids/{grid}/instructions",
             statuses(200, own, others)),
        Case("GET", "/v1/grids/{code}/streets", f"/v1/grids/{grid}/streets",
             statuses(200, own, others)),
        Case("POST", "/v1/grids/{code}/instructions", f"/v1/grids/{grid}/instructions",
             statuses(201, ("admin", "p01"), ("p02",)), json={"text": "matrix"}),
        Case("POST", "/v1/reports", "/v1/reports", statuses(201, FIELD), json=report),
        Case("POST", "/v1/reports/batch", "/v1/reports/batch", statuses(200, FIELD),
             json={"items": [report]}),
        Case("GET", "/v1/reports", "/v1/reports", statuses(200, ROLES)),
        Case("GET", "/v1/reports/export", "/v1/reports/export", statuses(200, ROLES)),
        Case("GET", "/v1/reports/{report_id}", f"/v1/reports/{security}",
             statuses(200, own, ("p02", "staff02", "fire", "environment"))),
        Case("GET", "/v1/reports/{report_id}", f"/v1/reports/{fire}",
             statuses(200, (*own, "fire"), ("p02", "staff02", "environment"))),
        Case("GET", "/v1/collections/reports/items", "/v1/collections/reports/items",
             statuses(200, ROLES)),
        Case("GET", "/v1/collections/reports/items/{report_id}",
             f"/v1/collections/reports/items/{security}",
             statuses(200, own, ("p02", "staff02", "fire", "environment"))),
        Case("GET", "/v1/collections/reports/items/{report_id}",
             f"/v1/collections/reports/items/{fire}",
             statuses(200, (*own, "fire"), ("p02", "staff02", "environment"))),
        Case("POST", "/v1/reports/{report_id}/status", f"/v1/reports/{security}/status",
             statuses(409, own, ("p02", "staff02", "fire", "environment")),
             json={"status": "verified"}),
        Case("POST", "/v1/reports/{report_id}/status", f"/v1/reports/{security}/status",
             statuses(409, ("admin", "p01"), ("p02", "staff02", "fire", "environment")),
             json={"status": "closed"}),  # the close step: the desk's, not the grid's staff
        Case("POST", "/v1/reports/{report_id}/notes", f"/v1/reports/{security}/notes",
             statuses(201, own, ("p02", "staff02", "fire", "environment")),
             json={"text": "matrix"}),
        Case("POST", "/v1/reports/{report_id}/notes", f"/v1/reports/{security}/notes",
             statuses(201, ("admin", "p01"), ("p02",)),
             json={"text": "matrix", "instruction": True}),
        Case("POST", "/v1/photos", "/v1/photos", statuses(200, FIELD),
             files=[("files", ("matrix.png", png((5, 4)), "image/png"))]),
        Case("GET", "/v1/photos/{photo_id}", f"/v1/photos/{photo}",
             statuses(200, own, ("p02", "staff02", "fire", "environment"))),
        Case("GET", "/v1/photos/{photo_id}/thumbnail", f"/v1/photos/{photo}/thumbnail",
             statuses(200, own, ("p02", "staff02", "fire", "environment"))),
        Case("GET", "/open311/v2/services.json", "/open311/v2/services.json",
             statuses(200, ROLES)),
        Case("POST", "/open311/v2/requests.json", "/open311/v2/requests.json",
             statuses(201, FIELD),
             data={"service_code": "dispute", "lat": place.lat, "long": place.lon}),
        Case("GET", "/open311/v2/requests.json", "/open311/v2/requests.json",
             statuses(200, ROLES)),
        Case("GET", "/open311/v2/requests/{service_request_id}.json",
             f"/open311/v2/requests/{security}.json",
             statuses(200, own, ("p02", "staff02", "fire", "environment"))),
        Case("GET", "/v1/stats/monthly", f"/v1/stats/monthly?month={MONTH}",
             statuses(200, ROLES)),
        Case("GET", "/v1/stats/assessment", f"/v1/stats/assessment?month={MONTH}",
             statuses(200, FIELD)),
        Case("GET", "/maps/county.html", "/maps/county.html", statuses(200, ("admin",))),
        Case("GET", "/maps/stations/{code}.html", f"/maps/stations/{place.station}.html",
             statuses(200, ("admin", "p01"), ("p02",))),
    ]  # fmt: skip


def patrol_cases(county, patrol: int, photo: str) -> list[Case]:
    """Work logs, patrols, check-ins and coverage: grid staff write their own (a patrol of
    staff01, P01's grid leader, is not found for staff02); the field roles read their area."""
    staff, place = ("staff01", "staff02"), county.p01
    base = f"/v1/patrols/{patrol}"
    point = {"at": WHEN, "lon": place.lon, "lat": place.lat}
    check_in = {"client_request_id": "matrix", "at": WHEN, "lon": place.lon, "lat": place.lat,
                "photo_ids": [photo]}  # fmt: skip
    return [
        Case("PUT", "/v1/worklogs/{day}", "/v1/worklogs/2026-06-01", statuses(200, staff),
             json={"client_request_id": "matrix", "text": "matrix"}),
        Case("GET", "/v1/worklogs", f"/v1/worklogs?month={MONTH}", statuses(200, FIELD)),
        Case("POST", "/v1/patrols", "/v1/patrols", statuses(200, staff),
             json={"client_id": "matrix", "started_at": WHEN}),
        Case("POST", "/v1/patrols/{patrol_id}/points", f"{base}/points",
             statuses(200, ("staff01",), ("staff02",)),
             json={"batch_id": "matrix", "points": [point]}),
        Case("POST", "/v1/patrols/{patrol_id}/stop", f"{base}/stop",
             statuses(200, ("staff01",), ("staff02",)), json={"stopped_at": WHEN}),
        Case("GET", "/v1/patrols", f"/v1/patrols?month={MONTH}", statuses(200, FIELD)),
        Case("GET", "/v1/patrols/{patrol_id}", base,
             statuses(200, ("admin", "p01", "staff01"), ("p02", "staff02"))),
        Case("POST", "/v1/check-ins", "/v1/check-ins", statuses(200, staff), json=check_in),
        Case("GET", "/v1/check-ins", f"/v1/check-ins?month={MONTH}", statuses(200, FIELD)),
        Case("GET", "/v1/coverage/units", f"/v1/coverage/units?month={MONTH}",
             statuses(200, FIELD)),
        Case("GET", "/v1/coverage/people", f"/v1/coverage/people?month={MONTH}",
             statuses(200, FIELD)),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def team(county, users):
    """P01's team objects (a leader, a candidate, a refused leave, a replied request)."""
    made = make_team_objects(county.engine, county.p01.grid)
    yield made
    remove_team_objects(county.engine, made)


@pytest.fixture(scope="module")
def registry(county, settings):
    """P01's registry objects, removed after the module."""
    yield make_registry(county.engine, settings, county.index, county.p01)
    clear_registry(county.engine)


@pytest.fixture(scope="module")
def matrix(client, county, reports, users, team, registry) -> list[Case]:
    """The cases, with the active version's number and a photo of P01's security report."""
    versions = client.get("/v1/grid-versions", headers=auth(users.admin)).json()
    closed = client.post("/v1/reports", headers=auth(users.p01), json={
        "category": "public_security", "lon": county.p01.lon, "lat": county.p01.lat,
        "reported_at": WHEN, "text": "matrix"}).json()["id"]  # fmt: skip
    refused = client.post(f"/v1/reports/{closed}/refuse", json={"note": "matrix"},
                          headers=auth(users.p01))  # fmt: skip
    assert refused.status_code == 200, refused.text
    upload = [("files", ("matrix.jpg", jpeg(color=(12, 34, 56)), "image/jpeg"))]
    photo = client.post("/v1/photos", files=upload, headers=auth(users.admin)).json()
    photo_id = photo["results"][0]["id"]
    with county.engine.begin() as conn:
        attach_photos(conn, reports.p01_security, [photo_id], actor="apitest-matrix")
    active = next(v["id"] for v in versions if v["status"] == "active")
    patrol = client.post("/v1/patrols", json={"client_id": "matrix-patrol", "started_at": WHEN},
                         headers=auth(users.staff01)).json()["patrol"]["id"]  # fmt: skip
    device = client.post("/v1/devices", json={"token": users.staff01,
                                              "device_name": "matrix phone"})  # fmt: skip
    assert device.status_code == 201, device.text
    return (cases(county, reports, active, photo_id) + loop_cases(closed)
            + device_cases(device.json()["id"])
            + team_cases(Case, statuses, county.p01.grid, team)
            + registry_cases(county, registry)
            + patrol_cases(county, patrol, photo_id))  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def no_patrol_rows_left(county):
    """The matrix's work logs, patrols and check-ins are removed after the module."""
    yield
    delete_patrol_rows(county.engine)


def call(client, case: Case, token: str | None):
    """Make the case's request with a token (or none)."""
    headers = auth(token) if token else {}
    return client.request(case.method, case.path, json=case.json, data=case.data,
                          files=case.files, headers=headers)  # fmt: skip


def test_every_operation_of_the_api_is_in_the_matrix(client, matrix):
    schema = client.get("/openapi.json").json()
    operations = {(m.upper(), p) for p, ops in schema["paths"].items() for m in ops}
    assert operations - PUBLIC == {(c.method, c.template) for c in matrix}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_its_scope_allows(client, users, matrix, role):
    token = users.by_name()[role]
    wrong = []
    for case in matrix:
        answer = call(client, case, token)
        if answer.status_code != case.expect[role]:
            wrong.append(f"{case.method} {case.path}: {answer.status_code}, "
                         f"expected {case.expect[role]} ({answer.text[:120]})")  # fmt: skip
    assert not wrong, "\n".join(wrong)


def test_no_token_is_401_everywhere_but_the_public_pages(client, matrix):
    wrong = [f"{c.method} {c.path}: {call(client, c, None).status_code}" for c in matrix
             if call(client, c, None).status_code != 401]  # fmt: skip
    assert not wrong, "\n".join(wrong)
    assert all(client.get(path).status_code == 200 for _, path in PUBLIC)


def test_lists_of_the_other_station_hold_nothing_of_p01(client, county, reports, users):
    p01_ids = {reports.p01_security, reports.p01_fire, reports.p01_population}
    for role in ("p02", "staff02", "environment"):
        headers = auth(users.by_name()[role])
        listed = client.get("/v1/reports", params={"limit": 20}, headers=headers).json()
        assert not {r["id"] for r in listed["items"]} & p01_ids, role
        features = client.get("/v1/collections/reports/items", params={"limit": 20},
                              headers=headers).json()["features"]  # fmt: skip
        assert not {f["id"] for f in features} & p01_ids, role
        exported = client.get("/v1/reports/export", headers=headers).text
        assert not any(i in exported for i in p01_ids), role
        requests = client.get("/open311/v2/requests.json", params={"start_date": "2026-01-01"},
                              headers=headers).json()  # fmt: skip
        assert not {r["service_request_id"] for r in requests} & p01_ids, role
        stats = client.get("/v1/stats/monthly", params={"month": MONTH, "by": "station"},
                           headers=headers).json()  # fmt: skip
        assert "370782P01" not in {r["key"] for r in stats["rows"]}, role
    for role in ("p02", "staff02"):
        headers = auth(users.by_name()[role])
        units = client.get("/v1/collections/units/items", params={"limit": 20},
                           headers=headers).json()  # fmt: skip
        assert not any(f["id"].startswith(county.p01.community) for f in units["features"])
        table = client.get("/v1/stats/assessment", params={"month": MONTH},
                           headers=headers).json()  # fmt: skip
        assert "370782P01" not in {r["station"] for r in table["rows"]}, role
