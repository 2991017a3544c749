"""Every console page for every role: who may open it (the pages' own authorization matrix:
they are not in the OpenAPI document), its headers, no token in any URL; and the grids,
assessment and export pages' work."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from geogrid.console.render import CSP
from geogrid.storage.versions import active_version
from tests.api.places import MONTH, person_on

ROLES = ("admin", "p01", "staff01", "fire")
# page -> the roles that may open it (the others: 403); {v}: the active version.
PAGES = {
    "/console/cases": ROLES,
    "/console/cases/list": ROLES,
    "/console/grids": ("admin", "p01", "staff01"),
    "/console/grids/diff?old={v}&new={v}": ("admin", "p01"),
    f"/console/assessment?month={MONTH}": ("admin", "p01", "staff01"),
    f"/console/assessment/file?month={MONTH}&format=xlsx": ("admin", "p01", "staff01"),
    f"/console/registry?month={MONTH}": ("admin", "p01", "staff01"),
    "/console/export": ROLES,
    "/console/export/file?format=geojson&status=assigned": ROLES,
}


@pytest.fixture(scope="module")
def signed_in(browser_for, users) -> dict:
    """A signed-in client per role."""
    return {role: browser_for(getattr(users, role)) for role in ROLES}


@pytest.fixture(scope="module")
def browser_for(client):
    from tests.console.conftest import Browser

    made = []

    def make(token: str | None = None) -> Browser:
        one = Browser(client.app, raise_server_exceptions=False)
        made.append(one)
        if token is not None:
            one.sign_in(token)
        return one

    yield make
    for one in made:
        one.close()


@pytest.mark.parametrize("page", PAGES)
def test_who_may_open_each_page(signed_in, browser_for, users, county, reports, page):
    with county.engine.connect() as conn:
        path = page.format(v=active_version(conn))
    for role in ROLES:
        answer = signed_in[role].get(path)
        expected = 200 if role in PAGES[page] else 403
        assert answer.status_code == expected, (role, path, answer.text[:300])
        if answer.headers["content-type"].startswith("text/html"):
            assert answer.headers["content-security-policy"] == CSP
            assert answer.headers["cache-control"] == "no-store"
            assert "api_key" not in answer.text
            for token in users.by_name().values():
                assert token not in answer.text and token not in str(answer.url)
    anonymous = browser_for().get(path, follow_redirects=False)
    assert anonymous.status_code == 303 and "/console/signin" in anonymous.headers["location"]


def test_the_assessment_table_sorts_and_downloads(signed_in):
    page = signed_in["p01"].get("/console/assessment", params={"month": MONTH, "sort": "name",
                                                               "desc": "1"})  # fmt: skip
    assert page.status_code == 200 and "月度考核" in page.text and "姓名 ▼" in page.text
    xlsx = signed_in["p01"].get("/console/assessment/file", params={"month": MONTH,
                                                                    "format": "xlsx"})  # fmt: skip
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header[0] == "人员编号 person_no" and sheet.max_row >= 2
    csv = signed_in["p01"].get("/console/assessment/file", params={"month": MONTH})
    assert csv.text.startswith("\ufeff人员编号") and csv.text.count("\r\n") == sheet.max_row
    bad = signed_in["p01"].get("/console/assessment", params={"month": "2026-13"})
    assert bad.status_code == 400 and "month" in bad.text


def test_export_gives_the_callers_reports_in_each_format(signed_in, reports):
    desk = signed_in["p01"]
    csv = desk.get("/console/export/file", params={"format": "csv", "category": "public_security"})
    assert csv.status_code == 200 and reports.p01_security in csv.text
    assert reports.p02_security not in csv.text
    gpkg = desk.get("/console/export/file", params={"format": "gpkg"})
    assert gpkg.status_code == 200 and gpkg.content[:16] == b"SQLite format 3\x00"
    bad = desk.get("/console/export/file", params={"format": "shp"})
    assert bad.status_code == 400 and "format" in bad.text


def test_grids_page_moves_a_person_and_instructs_a_grid(signed_in, county):
    desk, other = signed_in["p01"], signed_in["fire"]
    page = desk.get("/console/grids")
    assert page.status_code == 200 and "人员" in page.text
    assert (
        'class="phone"' in page.text
        and 'class="phone"' not in signed_in["staff01"].get("/console/grids").text
    )  # the people's phones: the station's and county's only
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    person_id, person_no = person_on(county.engine, county.p01.unit, "information_officer")
    taken = desk.post("/console/grids/move", data={"csrf_token": token, "person_no": person_no,
                      "grid_code": county.p02.unit, "valid_from": "2099-01-01"})  # fmt: skip
    assert taken.status_code == 404 and county.p02.unit in taken.text  # not its grid
    leader = person_on(county.engine, county.p01.grid, "grid_leader")[1]
    staffed = next(p.grid for p in county.places["370782P01"] if p.grid != county.p01.grid)
    person_on(county.engine, staffed, "grid_leader")  # it has its leader
    busy = desk.post("/console/grids/move", data={"csrf_token": token, "person_no": leader,
                     "grid_code": staffed, "valid_from": "2099-01-01"})  # fmt: skip
    assert busy.status_code == 409 and "end that first" in busy.text
    try:
        moved = desk.post("/console/grids/move", data={
            "csrf_token": token, "person_no": person_no, "grid_code": county.p01.unit,
            "valid_from": "2099-01-01"})  # fmt: skip
        assert moved.status_code == 200 and "人员已调整" in moved.text
        with county.engine.connect() as conn:
            periods = conn.execute(text(
                "select valid_from::text, valid_to::text from grid_assignments where "
                "person_id = :p and role = 'information_officer' order by valid_from"),
                {"p": person_id}).all()  # fmt: skip
        assert periods[-1] == ("2099-01-01", None) and periods[-2][1] == "2098-12-31"
    finally:
        with county.engine.begin() as conn:
            conn.execute(text("delete from grid_assignments where person_id = :p and "
                              "valid_from = '2099-01-01'"), {"p": person_id})  # fmt: skip
            conn.execute(text("update grid_assignments set valid_to = null where person_id = :p "
                              "and valid_to = '2098-12-31'"), {"p": person_id})  # fmt: skip
    told = desk.post("/console/grids/instruct", data={"csrf_token": token,
                     "grid_code": county.p01.grid, "text": "加强夜间巡逻"})  # fmt: skip
    assert told.status_code == 200 and "指令已下达" in told.text
    assert other.get("/console/grids").status_code == 403
