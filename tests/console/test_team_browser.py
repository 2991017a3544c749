"""The console's team pages in Debian's headless Chromium, every off-server request
blocked: a station opens 队伍, 月度考核 and 成效, records a warning through the team page's
form and fetches the printable figures; another station's person is the 404 page. No
console error and no failed request; a screenshot of each page is kept (see test_browser).
"""

from __future__ import annotations

from sqlalchemy import text

from tests.api.places import MONTH, person_on
from tests.console.test_browser import User, chromium, shots  # noqa: F401  (fixtures)

REASON = "browsertest"


def test_the_team_pages_in_chromium(chromium, served, shots, users, county):  # noqa: F811
    leader = person_on(county.engine, county.p01.grid, "grid_leader")[1]
    desk = User(chromium, served, shots, "team-station")
    desk.sign_in(users.p01)
    try:
        desk.go("/console/team")
        assert leader in desk.page.inner_text("table.team")
        desk.shot("team")
        desk.page.fill("form.search input[name=q]", leader)  # the search box, by number
        desk.submit("form.search")
        assert desk.page.locator("table.team tbody tr").count() == 1
        assert leader in desk.page.inner_text("table.team") and "共 1 人" in desk.page.inner_text(
            "h1"
        )
        desk.page.fill("form[action$='/team/actions'] input[name=person_no]", leader)
        desk.page.select_option("form[action$='/team/actions'] select[name=kind]", "warning")
        desk.page.fill("form[action$='/team/actions'] input[name=reason]", REASON)
        desk.submit("form[action$='/team/actions']")
        assert "奖惩已记录" in desk.page.inner_text(".done")
        desk.go(f"/console/team/people/{leader}")
        assert REASON in desk.page.inner_text("main")
        desk.shot("team-person")
        desk.go(f"/console/team/month?month={MONTH}")
        assert leader in desk.page.inner_text("table.assessment")
        desk.shot("team-month")
        desk.go("/console/team/figures?first=2026-01-01&last=2026-06-30")
        assert "采集基础信息" in desk.page.inner_text("table.figures")
        desk.shot("team-figures")
        pdf = desk.context.request.get(desk.page.locator("a[href*='figures.pdf']").get_attribute(
            "href").replace("/console", served + "/console", 1))  # fmt: skip
        assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
        assert desk.problems.all() == [], desk.problems.all()
        assert all(u.startswith(served + "/") for u in desk.problems.requested)

        other = User(chromium, served, shots, "team-other-station")
        other.sign_in(users.p02)
        other.go(f"/console/team/people/{leader}")
        assert "404" in other.page.inner_text("h1")
        other.shot("team-404")
        assert other.problems.failed == [f"404 {served}/console/team/people/{leader}"]
    finally:
        with county.engine.begin() as conn:
            conn.execute(text("delete from team_actions where reason = :r"), {"r": REASON})
            conn.execute(text("delete from audit_log where user_name like 'apitest-%' and"
                              " object_type in ('selection', 'leave', 'leave_covers', 'assessment',"
                              " 'team_action')"))  # fmt: skip
