"""The month pages on stored figures (assessment, team month): the time they were computed
and the refresh button (a form with its CSRF token, for the roles of each page), the tables
paged and sorted on the server, a grid staff member's own line only."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from geogrid.console.paging import page_links, table_page
from tests.api.places import MONTH, person_on

ROLES = ("admin", "p01", "staff01", "fire")
# refresh action -> (its page, the roles that may use it: the others get 403)
REFRESH = {
    "/console/assessment/refresh": ("/console/assessment", ("admin", "p01", "staff01")),
    "/console/team/month/refresh": ("/console/team/month", ("admin", "p01")),
}
TIME = re.compile(r"统计截至 (\d\d:\d\d)，")


@pytest.fixture(scope="module")
def signed_in(client, users, county):
    """A signed-in client per role; the figures the module stored are removed after it."""
    from tests.console.conftest import browsers

    with browsers(client.app, users, ROLES) as made:
        yield made
    with county.engine.begin() as conn:
        conn.execute(text("delete from month_figures where month = :m"), {"m": MONTH})


def _computed_at(county, kind: str, scope: str):
    with county.engine.connect() as conn:
        return conn.execute(text("select computed_at from month_figures where kind = :k and"
                                 " scope = :s and month = :m"),
                            {"k": kind, "s": scope, "m": MONTH}).scalar()  # fmt: skip


@pytest.mark.parametrize("action", REFRESH)
def test_the_refresh_needs_its_csrf_token_and_the_pages_role(signed_in, action):
    page, allowed = REFRESH[action]
    for role in ROLES:
        one = signed_in[role]
        forged = one.post(action, data={"month": MONTH}, follow_redirects=False)
        assert forged.status_code == 403, (role, forged.text[:200])
        token = one.csrf("/console/cases")
        done = one.post(action, data={"month": MONTH, "csrf_token": token},
                        follow_redirects=False)  # fmt: skip
        assert done.status_code == (303 if role in allowed else 403), (role, done.text[:200])
        if role in allowed:
            assert done.headers["location"] == f"{page}?month={MONTH}"
    bad = signed_in["p01"].post(action, data={"month": "2026-13",
                                              "csrf_token": signed_in["p01"].csrf()})  # fmt: skip
    assert bad.status_code == 400 and "month" in bad.text


def test_the_pages_say_when_their_figures_were_computed_and_refresh_them(signed_in, county):
    p01 = signed_in["p01"]
    for path, kind in (("/console/assessment", "assessment"), ("/console/team/month", "team")):
        page = p01.get(path, params={"month": MONTH})
        assert page.status_code == 200 and TIME.search(page.text), path
        assert f'action="{path}/refresh"' in page.text and "立即刷新" in page.text
        before = _computed_at(county, kind, "370782P01")
        done = p01.post(f"{path}/refresh", data={"month": MONTH, "csrf_token": p01.csrf()})
        assert done.status_code == 200 and TIME.search(done.text)
        assert _computed_at(county, kind, "370782P01") > before


def test_the_assessment_is_sorted_on_the_server_across_its_pages(signed_in):
    admin = signed_in["admin"]
    asked = {"month": MONTH, "sort": "person_no", "desc": "1"}
    first = admin.get("/console/assessment", params=asked)
    total = int(re.search(r"· (\d+) 人", first.text).group(1))
    pages = -(-total // 100)
    assert pages >= 2, "the tiny county's assistants fill more than one page"
    assert f"第 1 / {pages} 页" in first.text and "page=2" in first.text
    numbers = []
    for number in range(1, pages + 1):
        page = admin.get("/console/assessment", params={**asked, "page": number})
        assert page.status_code == 200
        numbers += re.findall(r"<tr><td>([0-9A-Za-z-]+)</td>", page.text)
    assert len(numbers) == len(set(numbers)) == total
    assert numbers == sorted(numbers, reverse=True)
    last = admin.get("/console/assessment", params={"month": MONTH, "page": 999})
    assert last.status_code == 200 and f"第 {pages} / {pages} 页" in last.text
    assert admin.get("/console/assessment", params={"month": MONTH, "page": 0}).status_code == 400


def test_a_grid_staff_member_sees_only_their_own_line(signed_in, county):
    own = person_on(county.engine, county.p01.grid, "grid_leader")[1]  # staff01's person
    staff = signed_in["staff01"].get("/console/assessment", params={"month": MONTH})
    assert staff.status_code == 200 and TIME.search(staff.text)
    assert re.findall(r"<tr><td>([0-9A-Za-z-]+)</td>", staff.text) == [own]
    assert "· 1 人" in staff.text


def test_a_table_is_cut_into_pages_of_a_hundred():
    rows = list(range(250))
    first, last = table_page(rows, 1), table_page(rows, 9)
    assert (first.rows, first.number, first.pages) == (list(range(100)), 1, 3)
    assert (last.rows, last.number) == (list(range(200, 250)), 3)
    assert table_page([], 1).pages == 1 and table_page([], 1).rows == []
    link = page_links({"month": MONTH, "sort": "name", "desc": "", "page": "4"})
    assert link(2) == f"month={MONTH}&sort=name&page=2"
