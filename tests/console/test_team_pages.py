"""The console's team pages (队伍, 月度考核, 成效): who may open each, CSRF on their forms,
scope (another station's person or leave: the 404 page), leave approved with a chosen
cover, a sanction recorded, the month confirmed and locked, the payroll files."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from geogrid.team.leave import request_leave
from geogrid.team.people import find_person
from tests.api.places import MONTH, person_on
from tests.api.team_objects import AUDITED

ROLES = ("admin", "p01", "p02", "staff01", "fire")
LOCKED_MONTH = "2025-09"  # staffed (from 2025-01), and no other test reads or confirms it
REASON = "consoletest"
PAGES = (
    "/console/team",
    "/console/team/figures",
    "/console/team/figures?first=2026-01-01&last=2026-06-30",
    "/console/team/figures.pdf?first=2026-01-01&last=2026-06-30",
    f"/console/team/month?month={MONTH}",
    f"/console/team/month/payroll?month={MONTH}&format=csv",
)


@pytest.fixture(scope="module")
def signed_in(client, users, county):
    """A signed-in client per role; what the module recorded is removed after it."""
    from tests.console.conftest import browsers

    with browsers(client.app, users, ROLES) as made:
        yield made
    with county.engine.begin() as conn:
        conn.execute(text("delete from team_actions where reason = :r"), {"r": REASON})
        conn.execute(text("delete from leave_requests where reason = :r"), {"r": REASON})
        conn.execute(text("delete from assessment_lines where month = :m"), {"m": LOCKED_MONTH})
        conn.execute(text("delete from assessment_confirmations where month = :m"),
                     {"m": LOCKED_MONTH})  # fmt: skip
        conn.execute(text("delete from audit_log where user_name like 'apitest-%' and"
                          " object_type = any(:t)"), {"t": list(AUDITED)})  # fmt: skip


@pytest.fixture(scope="module")
def leader(county) -> str:
    """P01's first grid's leader (register number)."""
    return person_on(county.engine, county.p01.grid, "grid_leader")[1]


@pytest.mark.parametrize("path", PAGES)
def test_the_desks_open_the_team_pages_and_no_one_else(signed_in, path):
    for role, browser in signed_in.items():
        answer = browser.get(path)
        expected = 200 if role in ("admin", "p01", "p02") else 403
        assert answer.status_code == expected, (role, path, answer.text[:300])
    if path.startswith("/console/team/figures.pdf"):
        pdf = signed_in["p01"].get(path)
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")


def test_the_figures_page_shows_the_source_cases_table(signed_in):
    page = signed_in["p01"].get("/console/team/figures?first=2026-01-01&last=2026-06-30").text
    for what in ("采集基础信息", "发现安全隐患", "调解矛盾纠纷", "警务助理平均年龄", "考核调整"):
        assert what in page
    assert "figures.pdf?first=2026-01-01&amp;last=2026-06-30" in page
    bad = signed_in["p01"].get("/console/team/figures?first=2026-06-30&last=2026-01-01")
    assert bad.status_code == 400 and "before it begins" in bad.text


def test_a_station_sees_its_people_only(signed_in, leader):
    assert leader in signed_in["p01"].get("/console/team").text
    assert leader not in signed_in["p02"].get("/console/team").text
    own = signed_in["p01"].get(f"/console/team/people/{leader}")
    assert own.status_code == 200 and "选任记录" in own.text
    other = signed_in["p02"].get(f"/console/team/people/{leader}")
    assert other.status_code == 404 and "未找到" in other.text


def test_a_form_without_its_csrf_token_is_refused(signed_in, county, leader):
    form = {"person_no": leader, "kind": "warning", "reason": REASON, "amount": "10"}
    answer = signed_in["p01"].post("/console/team/actions", data=form)
    assert answer.status_code == 403
    confirm = signed_in["p01"].post("/console/team/month/confirm", data={"month": LOCKED_MONTH})
    assert confirm.status_code == 403
    with county.engine.connect() as conn:
        made = conn.execute(text("select count(*) from team_actions where reason = :r"),
                            {"r": REASON}).scalar()  # fmt: skip
        locked = conn.execute(text("select count(*) from assessment_confirmations where"
                                   " month = :m"), {"m": LOCKED_MONTH}).scalar()  # fmt: skip
    assert made == 0 and locked == 0


def test_a_warning_is_recorded_and_another_stations_person_is_404(signed_in, county, leader):
    p01, p02 = signed_in["p01"], signed_in["p02"]
    form = {"person_no": leader, "kind": "warning", "reason": REASON, "amount": "10",
            "on_day": date.today().isoformat()}  # fmt: skip
    refused = p02.post("/console/team/actions", data={**form, "csrf_token": p02.csrf()})
    assert refused.status_code == 404
    done = p01.post("/console/team/actions", data={**form, "csrf_token": p01.csrf()},
                    follow_redirects=False)  # fmt: skip
    assert done.status_code == 303, done.text
    assert REASON in p01.get(f"/console/team/people/{leader}").text
    bad = p01.post("/console/team/actions",
                   data={**form, "amount": "ten", "csrf_token": p01.csrf()})  # fmt: skip
    assert bad.status_code == 400 and "amount" in bad.text


def test_leave_is_approved_with_the_cover_chosen_on_the_page(signed_in, county, leader):
    with county.engine.begin() as conn:
        made = request_leave(conn, find_person(conn, leader), date(2030, 3, 1),
                             date(2030, 3, 2), REASON)  # fmt: skip
    p01, p02 = signed_in["p01"], signed_in["p02"]
    assert f'href="/console/team/leave/{made}"' in p01.get("/console/team").text
    page = p01.get(f"/console/team/leave/{made}").text  # the request's page proposes covers
    assert f"/console/team/leave/{made}/approve" in page
    assert f'name="cover:{county.p01.grid}"' in page
    assert p02.get(f"/console/team/leave/{made}").status_code == 404
    assert signed_in["fire"].get(f"/console/team/leave/{made}").status_code == 403
    other = p02.post(f"/console/team/leave/{made}/approve", data={"csrf_token": p02.csrf()})
    assert other.status_code == 404
    select = page[page.index(f'name="cover:{county.p01.grid}"') :].split("</select>")[0]
    options = re.findall(r'<option value="([^"]+)"', select)
    assert len(options) >= 2, select  # a neighbour and the community police officer
    chosen = options[-1]  # not the first proposal, which approval takes by default
    form = {f"cover:{county.p01.grid}": chosen, "csrf_token": p01.csrf()}
    done = p01.post(f"/console/team/leave/{made}/approve", data=form, follow_redirects=False)
    assert done.status_code == 303, done.text
    with county.engine.connect() as conn:
        status = conn.execute(text("select status from leave_requests where id = :i"),
                              {"i": made}).scalar()  # fmt: skip
        cover = conn.execute(text(
            "select p.person_no from duty_covers c join people p on p.id = c.cover_person_id"
            " where c.leave_id = :i"), {"i": made}).scalar()  # fmt: skip
    assert (status, cover) == ("approved", chosen)
    again = p01.post(f"/console/team/leave/{made}/refuse", data={"csrf_token": p01.csrf()})
    assert again.status_code == 409
    decided = p01.get(f"/console/team/leave/{made}").text
    assert "已批准" in decided and f"/console/team/leave/{made}/approve" not in decided


def test_confirming_the_month_locks_it(signed_in, county, leader):
    p01, p02 = signed_in["p01"], signed_in["p02"]
    page = p01.get(f"/console/team/month?month={LOCKED_MONTH}").text
    assert "/console/team/month/confirm" in page and leader in page and "未确认" in page
    month = {"month": LOCKED_MONTH}
    other = p02.post("/console/team/month/confirm",
                     data={**month, "station": "370782P01", "csrf_token": p02.csrf()})  # fmt: skip
    assert other.status_code == 404
    done = p01.post("/console/team/month/confirm", data={**month, "csrf_token": p01.csrf()},
                    follow_redirects=False)  # fmt: skip
    assert done.status_code == 303, done.text
    after = p01.get(done.headers["location"]).text
    assert "已锁定" in after and "/console/team/month/confirm" not in after
    again = p01.post("/console/team/month/confirm", data={**month, "csrf_token": p01.csrf()})
    assert again.status_code == 409 and "confirmed" in again.text
    late = {"person_no": leader, "kind": "warning", "reason": REASON, "amount": "10",
            "on_day": f"{LOCKED_MONTH}-15", "csrf_token": p01.csrf()}  # fmt: skip
    assert p01.post("/console/team/actions", data=late).status_code == 409


def test_the_month_page_lists_lines_appeals_and_town_payroll_files(signed_in, county):
    p01 = signed_in["p01"]
    page = p01.get(f"/console/team/month?month={MONTH}")
    assert page.status_code == 200 and "补贴合计" in page.text and "申诉" in page.text
    town = county.p01.grid[:9]
    assert f"town={town}&amp;format=xlsx" in page.text
    sheet = p01.get(f"/console/team/month/payroll?month={MONTH}&town={town}&format=xlsx")
    assert sheet.status_code == 200
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert "警务助理补贴发放表" in rows[0][0] and rows[-1][3] == "合计 total"
    csv = p01.get(f"/console/team/month/payroll?month={MONTH}&town={town}&format=csv")
    assert csv.headers["content-type"].startswith("text/csv") and town in csv.text
    missing = p01.get(f"/console/team/month/payroll?month={MONTH}&town=999999999")
    assert missing.status_code == 404
