"""The phone app's patrol, work log and check-in screens in a real browser: made offline,
each arrives exactly once when the network comes back (counted in the database)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.app.conftest import Phone, photo, sign_in, until

MINE = "app-%"  # the app's client ids (GG.outbox.newId)


@pytest.fixture
def daily_cleanup(county):
    """Remove the app's patrols, work logs and check-ins after a test."""
    yield
    with county.engine.begin() as conn:
        conn.execute(
            text(
                "delete from patrol_points where patrol_id in "
                "(select id from patrols where client_id like :m)"
            ),
            {"m": MINE},
        )
        conn.execute(text("delete from patrols where client_id like :m"), {"m": MINE})
        conn.execute(text("delete from check_ins where client_request_id like :m"), {"m": MINE})
        conn.execute(text("delete from work_logs where exists (select 1 from "
                          "unnest(request_ids) r where r like :m)"), {"m": MINE})  # fmt: skip


pytestmark = pytest.mark.usefixtures("daily_cleanup")


def _seq(phone: Phone) -> int:
    return phone.page.evaluate("GG.patrol.all().then(p => p.length ? p[p.length - 1].seq : 0)")


def _rows(engine, client_id: str) -> tuple:
    with engine.connect() as conn:
        return conn.execute(text(
            "select p.points, p.stopped_at is not null, "
            "(select count(*) from patrol_points x where x.patrol_id = p.id), "
            "(select count(*) from patrol_batches b where b.patrol_id = p.id), "
            "(select count(*) from patrols q where q.client_id = p.client_id) "
            "from patrols p where p.client_id = :c"), {"c": client_id}).one()  # fmt: skip


def test_a_patrol_recorded_offline_uploads_once(phone: Phone, users, county):
    sign_in(phone, users.staff01)
    page = phone.page
    phone.go_offline()
    page.tap("#tabs button[data-view=daily]")
    page.tap("#patrol-start")
    until(phone, "GG.patrol.all().then(p => p.length == 1)")
    for step in range(1, 6):  # a walk east along the unit, about 18 m a step
        before = _seq(phone)
        phone.context.set_geolocation({"longitude": county.p01.lon + step * 0.0002,
                                       "latitude": county.p01.lat, "accuracy": 8})  # fmt: skip
        until(phone, f"GG.patrol.all().then(p => p[0].seq > {before})")
    page.wait_for_timeout(1100)  # the clock ticks
    page.tap("#patrol-stop")
    recorded = _seq(phone)
    assert recorded >= 5
    until(phone, f"document.getElementById('patrol-waiting').textContent == '{recorded}'")
    assert int(page.inner_text("#patrol-distance").split()[0]) >= 60
    assert page.inner_text("#patrol-time") != "0:00:00"
    phone.shot("patrol-offline")
    page.reload()  # still offline: the points and the stop survive a restart
    page.tap("#tabs button[data-view=daily]")
    until(phone, f"document.getElementById('patrol-waiting').textContent == '{recorded}'")
    client_id = page.evaluate("GG.patrol.all().then(p => p[0].client_id)")
    phone.go_offline(False)
    until(phone, "GG.patrol.all().then(p => p[0].done)", 60)
    until(phone, "document.getElementById('patrol-waiting').textContent == '0'")
    assert _rows(county.engine, client_id) == (recorded, True, recorded, 1, 1)
    page.evaluate("GG.patrol.sync()")  # another round finds nothing to send
    page.wait_for_timeout(3500)
    assert _rows(county.engine, client_id) == (recorded, True, recorded, 1, 1)
    phone.shot("patrol-sent")
    assert phone.problems == []


def test_a_work_log_made_offline_arrives_once(phone: Phone, users, county):
    sign_in(phone, users.staff01)
    page = phone.page
    phone.go_offline()
    page.tap("#tabs button[data-view=daily]")
    page.fill("#log-text", "走访东村三户，调解邻里纠纷一起")
    page.fill("#log-places", "东村\n西村村委会")
    page.locator("#log-photos").set_input_files([photo(3)])
    until(phone, "document.querySelectorAll('#log-previews img').length == 1")
    page.evaluate("document.getElementById('log-save').click(); "
                  "document.getElementById('log-save').click()")  # a double tap  # fmt: skip
    until(phone, "GG.outbox.all().then(e => e.length == 1 && e[0].type == 'worklog')")
    # The list is drawn again after the outbox has the log: on a loaded machine, a moment on.
    until(phone, "document.getElementById('log-list').textContent.includes('待发送')")
    phone.shot("worklog-offline")
    page.reload()
    phone.go_offline(False)
    until(phone, "GG.outbox.all().then(e => e[0].state == 'sent')", 60)
    request_id = page.evaluate("GG.outbox.all().then(e => e[0].id)")
    with county.engine.connect() as conn:
        rows = conn.execute(text(
            "select text, places, cardinality(photo_ids) from work_logs "
            "where :r = any(request_ids)"), {"r": request_id}).all()  # fmt: skip
    assert rows == [("走访东村三户，调解邻里纠纷一起",
                     [{"name": "东村"}, {"name": "西村村委会"}], 1)]  # fmt: skip
    page.evaluate("GG.daily.refresh()")
    phone.go_offline()  # the month's logs are read from the phone
    page.reload()
    page.tap("#tabs button[data-view=daily]")
    until(phone, "document.getElementById('log-list').textContent.includes('调解邻里纠纷')")
    assert "已发送" not in page.inner_text("#log-list"), "the kept copy replaces the outbox's"
    phone.shot("worklog-month")
    # The form opens with today's log: an edit replaces the text and keeps the photo.
    until(phone, "document.getElementById('log-text').value.includes('调解邻里纠纷')")
    until(phone, "document.getElementById('log-kept').textContent.includes('已有照片 1 张')")
    phone.go_offline(False)
    page.fill("#log-text", "走访东村三户，调解邻里纠纷一起；下午巡查西村")
    page.tap("#log-save")
    until(phone, "GG.outbox.all().then(e => e.length == 2 && e.every(x => x.state == 'sent'))", 60)
    with county.engine.connect() as conn:
        edited = conn.execute(text(
            "select text, cardinality(photo_ids), cardinality(request_ids) from work_logs "
            "where :r = any(request_ids)"), {"r": request_id}).all()  # fmt: skip
    assert edited == [("走访东村三户，调解邻里纠纷一起；下午巡查西村", 1, 2)]
    assert phone.problems == []


def test_a_check_in_with_a_photo_arrives(phone: Phone, users, county):
    sign_in(phone, users.staff01)
    page = phone.page
    phone.go_offline()
    page.tap("#tabs button[data-view=daily]")
    page.tap("#checkin-send")
    assert "照片" in page.inner_text("#checkin-error"), "no check-in without a photo"
    page.fill("#checkin-place", "东村村委会")
    page.locator("#checkin-photos").set_input_files([photo(5)])
    until(phone, "document.querySelectorAll('#checkin-previews img').length == 1")
    phone.shot("checkin-offline")
    page.tap("#checkin-send")
    until(phone, "GG.outbox.all().then(e => e.length == 1 && e[0].type == 'checkin')")
    page.reload()
    phone.go_offline(False)
    until(phone, "GG.outbox.all().then(e => e[0].state == 'sent')", 60)
    request_id = page.evaluate("GG.outbox.all().then(e => e[0].id)")
    with county.engine.connect() as conn:
        rows = conn.execute(text(
            "select place, unit_code, cardinality(photo_ids) from check_ins "
            "where client_request_id = :r"), {"r": request_id}).all()  # fmt: skip
    assert rows == [("东村村委会", county.p01.unit, 1)]
    page.tap("#tabs button[data-view=outbox]")
    until(
        phone,
        f"document.getElementById('outbox-list').textContent.includes('单元 {county.p01.unit}')",
    )
    phone.shot("checkin-sent")
    assert phone.problems == []
