"""The console's case pages over HTTP: the list's filters and scope, a case round the loop
through the forms (dispatch to a department, handled with a photo, verified by the grid's
assistant, closed by the station), bulk accept, CSRF refusal, another station's case as the
404 page."""

from __future__ import annotations

import re

from sqlalchemy import text

from tests.console.conftest import CSRF
from tests.media.photos import jpeg


def _form(page_text: str) -> str:
    return CSRF.search(page_text).group(1)


def test_the_list_filters_and_keeps_to_the_station(browser_for, users, reports):
    desk = browser_for(users.p01)
    listed = desk.get("/console/cases/list", params={"category": "public_security"})
    assert listed.status_code == 200
    assert reports.p01_security in listed.text and reports.p02_security not in listed.text
    assert reports.p01_fire not in listed.text  # another category
    found = desk.get("/console/cases/list", params={"q": "打架"})
    assert reports.p01_security in found.text and reports.p01_fire not in found.text
    none = desk.get("/console/cases/list", params={"q": "打架", "status": "closed"})
    assert re.search(r'id="total">0<', none.text)
    bad = desk.get("/console/cases/list", params={"grid": "12x"})
    assert bad.status_code == 400 and "grid" in bad.text
    assert desk.get("/console/cases/list", params={"period": "June"}).status_code == 400


def test_a_list_showing_sensitive_details_is_audited(browser_for, users, reports, county):
    desk = browser_for(users.p01)
    assert "张三" in desk.get("/console/cases/list", params={"category": "population"}).text
    with county.engine.connect() as conn:
        logged = conn.execute(text(
            "select detail->'ids' from audit_log where user_name = 'apitest-p01' and "
            "action = 'list' order by id desc limit 1")).scalar_one()  # fmt: skip
    assert logged == [reports.p01_population]


def test_a_case_goes_round_the_loop_through_the_forms(browser_for, users, reports):
    case = reports.p01_security
    desk, fire, staff = (browser_for(t) for t in (users.p01, users.fire, users.staff01))
    page = desk.get(f"/console/cases/{case}")
    assert page.status_code == 200 and 'id="step-accept"' in page.text
    assert "2026-06-01 10:00" in page.text  # reported at 10:00 China time, shown so
    assert 'id="step-dispatch"' not in page.text  # not accepted yet
    token = _form(page.text)
    desk.post(f"/console/cases/{case}/accept", data={"csrf_token": token, "note": "受理"})
    sent = desk.post(f"/console/cases/{case}/dispatch", follow_redirects=False, data={
        "csrf_token": token, "note": "请消防核查", "handler_department": "fire"})  # fmt: skip
    assert sent.status_code == 303 and sent.headers["location"].endswith("?done=dispatch")
    assert case in fire.get("/console/cases").text
    # No extension asked: nothing to decide, so no such form.
    assert 'id="step-extension_decide"' not in desk.get(f"/console/cases/{case}").text
    fire_page = fire.get(f"/console/cases/{case}")
    assert (
        'id="step-handle"' in fire_page.text and 'enctype="multipart/form-data"' in fire_page.text
    )
    photo = {"files": ("site.jpg", jpeg(color=(9, 90, 9)), "image/jpeg")}
    handled = fire.post(f"/console/cases/{case}/handle", files=photo,
                        data={"csrf_token": _form(fire_page.text), "note": "已处置"})  # fmt: skip
    assert handled.status_code == 200 and "已处置完毕" in handled.text
    thumbnail = re.search(r'src="(/v1/photos/[0-9a-f]{64}/thumbnail)"', handled.text).group(1)
    image = fire.get(thumbnail)
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    staff_page = staff.get(f"/console/cases/{case}")
    assert 'id="step-verify"' in staff_page.text
    verified = staff.post(f"/console/cases/{case}/verify",
                          data={"csrf_token": _form(staff_page.text), "passed": "yes"})  # fmt: skip
    assert verified.status_code == 200 and "核查通过，待结案" in verified.text
    assert 'id="step-close"' not in verified.text, "the grid's assistant does not close"
    assert 'id="step-close"' not in fire.get(f"/console/cases/{case}").text, "nor the handler"
    desk_page = desk.get(f"/console/cases/{case}")
    assert 'id="step-close"' in desk_page.text
    closed = desk.post(f"/console/cases/{case}/close",
                       data={"csrf_token": _form(desk_page.text), "note": "予以结案"})  # fmt: skip
    assert closed.status_code == 200 and "<small>结案</small>" in closed.text
    trail = desk.get(f"/console/cases/{case}").text
    for word in ("受理", "派遣", "处置完毕", "核查", "请消防核查", "予以结案"):
        assert word in trail, word


def test_a_step_the_case_does_not_allow_is_a_clear_page_and_changes_nothing(
    browser_for, users, reports
):
    desk = browser_for(users.p02)
    token = desk.csrf()
    answer = desk.post(f"/console/cases/{reports.p02_environment}/accept",
                       data={"csrf_token": token})  # fmt: skip
    assert answer.status_code in (403, 404)
    dispatch = {"csrf_token": token, "note": "x", "handler_department": "fire"}
    early = desk.post(f"/console/cases/{reports.p02_security}/dispatch", data=dispatch)
    assert early.status_code == 409 and "accepted" in early.text


def test_a_form_without_the_csrf_token_is_refused(browser_for, users, reports):
    desk = browser_for(users.p01)
    for data in ({}, {"csrf_token": "forged"}):
        answer = desk.post(f"/console/cases/{reports.p01_fire}/supervise", data=data)
        assert answer.status_code == 403 and "CSRF" in answer.text
    assert "督办</b>" not in desk.get(f"/console/cases/{reports.p01_fire}").text


def test_bulk_accept_takes_the_good_ones_and_names_the_bad(browser_for, users, reports):
    county = browser_for(users.admin)
    data = {"csrf_token": county.csrf(), "step": "accept",
            "ids": [reports.triage, "not-a-case", reports.triage]}  # fmt: skip
    answer = county.post("/console/cases/bulk", data=data)
    assert answer.status_code == 200, answer.text
    rows = re.findall(r'<tr class="(ok|late)">', answer.text)
    assert rows == ["ok", "late", "late"], answer.text
    assert "no report not-a-case" in answer.text and "is accepted" in answer.text
    assert 'id="step-dispatch"' in county.get(f"/console/cases/{reports.triage}").text


def test_another_stations_case_by_url_is_the_404_page(browser_for, users, reports):
    other = browser_for(users.p02)
    for path in (f"/console/cases/{reports.p01_security}", "/console/cases/not-a-uuid"):
        answer = other.get(path)
        assert answer.status_code == 404 and "未找到" in answer.text, path
        assert "打架" not in answer.text


def test_the_list_shows_a_capped_count_and_a_next_page(browser_for, users, reports,
                                                       monkeypatch):  # fmt: skip
    """Counted past the cap, the page says "N+" with no page count and links the next
    page while one holds cases; a page that counts them all shows "n/pages"."""
    from geogrid.api.routes import console_cases
    from geogrid.reports import caselist

    monkeypatch.setattr(caselist, "MAX_COUNTED", 1)
    monkeypatch.setattr(console_cases, "PAGE_SIZE", 1)
    desk = browser_for(users.p01)
    first = desk.get("/console/cases/list")
    assert re.search(r'id="total">1\+</b> 件，第 1 页', first.text), first.text
    assert "page=2" in first.text and "下一页" in first.text
    monkeypatch.setattr(caselist, "MAX_COUNTED", 500)
    counted = desk.get("/console/cases/list")
    total = int(re.search(r'id="total">(\d+)</b>', counted.text).group(1))
    assert total > 1 and f"第 1/{total} 页" in counted.text
    last = desk.get("/console/cases/list", params={"page": total})
    assert f"第 {total}/{total} 页" in last.text and "下一页" not in last.text


def test_the_inbox_and_the_list_show_each_cases_clock(browser_for, users, reports, county):
    """A case past its deadline says how long over, one before it how long is left, in the
    inbox and the list alike; no deadline: a dash."""
    from datetime import timedelta

    from geogrid.console.render import clock_html
    from geogrid.vocabulary import china_now

    late, soon = reports.p01_security, reports.p01_fire
    with county.engine.begin() as conn:
        before = conn.execute(text(
            "select id::text, status, due_at from reports where id in (:a, :b)"),
            {"a": late, "b": soon}).all()  # fmt: skip
        for report_id, hours in ((late, -30), (soon, 30)):  # open whatever earlier tests did
            conn.execute(text("update reports set status = 'accepted', due_at = :d where id = :id"),
                         {"d": china_now() + timedelta(hours=hours), "id": report_id})  # fmt: skip
    try:
        desk = browser_for(users.p01)
        # the inbox holds the late one (overdue: the station's attention); the list both
        for path, shown in (("/console/cases", (late,)), ("/console/cases/list", (late, soon))):
            page = desk.get(path).text
            rows = dict((m[1], m[0]) for m in re.findall(
                r'(<tr class="[^"]*">(?:(?!</tr>).)*?/console/cases/([0-9a-f-]{36}))', page,
                re.S))  # fmt: skip
            assert re.search(r'<span class="overdue">超期 \d+\.\d 小时</span>', rows[late]), path
            if soon in shown:
                assert re.search(r'<span class="left">剩 \d+\.\d 小时</span>', rows[soon])
    finally:
        with county.engine.begin() as conn:
            for report_id, status, due in before:
                conn.execute(text("update reports set status = :s, due_at = :d where id = :id"),
                             {"s": status, "d": due, "id": report_id})  # fmt: skip
    assert clock_html(None) == '<span class="muted">—</span>'
