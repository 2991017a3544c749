"""The phone app's outbox in a real browser: reports and photos kept offline, sent once."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from tests.app.conftest import STAFF, Phone, photo, sign_in, stored, until

pytestmark = pytest.mark.usefixtures("cleanup")
# Kinds that stay reports (population and key persons go to the registry: test_proposals.py)
KINDS = ("fire_hazard", "special_group", "dispute", "public_security", "environment")


def queue_report(phone: Phone, number: int, kind: str, photos: int = 1) -> None:
    """Fill the report form with a kind, its first field, a text and photos; tap send."""
    page = phone.page
    page.tap("#tabs button[data-view=report]")
    page.select_option("#report-kind", kind)
    page.fill("#report-fields input >> nth=0", f"字段{number}")
    page.fill("#report-text", f"第{number}条上报")
    if photos:
        page.set_input_files("#report-photos", [photo(number * 10 + k) for k in range(photos)])
        page.wait_for_function(
            f"() => document.querySelectorAll('#report-previews img').length == {photos}"
        )
    page.tap("#report-send")
    page.wait_for_selector("#view-outbox:not([hidden])")


def outbox(phone: Phone) -> list[dict]:
    """The outbox entries as the phone keeps them."""
    return phone.page.evaluate("GG.outbox.all()")


def wait_all_sent(phone: Phone, count: int, timeout: float = 90) -> None:
    until(phone, f"GG.outbox.all().then(e => e.length == {count} && "
                 "e.every(x => x.state == 'sent'))", timeout)  # fmt: skip


def test_twenty_reports_with_photos_offline_arrive_once(phone: Phone, users, county):
    sign_in(phone, users.staff01)
    phone.go_offline()
    for number in range(20):
        queue_report(phone, number, KINDS[number % len(KINDS)])
    entries = outbox(phone)
    assert len(entries) == 20 and {e["state"] for e in entries} == {"waiting"}
    phone.shot("outbox-offline")
    phone.page.reload()  # the app closed and opened again, still with no network
    phone.page.wait_for_selector("#view-map:not([hidden])")
    assert len(outbox(phone)) == 20
    assert phone.page.locator("#outbox-count").inner_text() == "(20)"
    phone.go_offline(False)
    wait_all_sent(phone, 20)
    ids = [e["id"] for e in outbox(phone)]
    assert stored(county.engine, ids) == {i: 1 for i in ids}
    with county.engine.connect() as conn:
        assert conn.execute(text("select count(*) from reports where reporter = :r"),
                            {"r": STAFF}).scalar() == 20  # fmt: skip
    phone.page.tap("#tabs button[data-view=outbox]")
    phone.page.wait_for_function("() => document.querySelectorAll('#outbox-list li').length == 20")
    phone.page.wait_for_function("() => [...document.querySelectorAll('#outbox-list li')]"
                                 ".some(li => li.textContent.includes('分派'))")  # fmt: skip
    phone.shot("outbox-sent")
    assert phone.problems == []


def test_sensitive_items_leave_only_a_receipt(phone: Phone, users, county):
    sign_in(phone, users.staff01)
    queue_report(phone, 1, "special_group", photos=2)
    queue_report(phone, 2, "fire_hazard", photos=1)
    wait_all_sent(phone, 2)
    kept = {e["body"]["category"] if e["body"] else "(none)": e for e in outbox(phone)}
    assert set(kept) == {"(none)", "fire_hazard"}
    receipt, plain = kept["(none)"], kept["fire_hazard"]
    assert receipt["state"] == "sent" and receipt["report_id"] and receipt["photo_ids"] == []
    assert plain["body"]["text"].startswith("地点描述") and len(plain["photo_ids"]) == 1
    assert receipt["photo_count"] == 2 and receipt["photos"] == plain["photos"] == []
    assert phone.page.evaluate("GG.db.keys('blobs')") == [], "the server keeps the photos"
    assert stored(county.engine, [receipt["id"]]) == {receipt["id"]: 2}
    assert phone.problems == []


def test_double_taps_on_send_store_one_report(phone: Phone, users, county):
    sign_in(phone, users.staff01)
    phone.go_offline()
    page = phone.page
    page.tap("#tabs button[data-view=report]")
    page.select_option("#report-kind", "fire_hazard")
    page.fill("#report-text", "连按两次")
    page.evaluate("() => { const f = document.getElementById('report-form');"
                  " f.requestSubmit(); f.requestSubmit(); f.requestSubmit(); }")  # fmt: skip
    page.wait_for_selector("#view-outbox:not([hidden])")
    page.wait_for_timeout(300)
    assert len(outbox(phone)) == 1
    phone.go_offline(False)
    page.evaluate("Promise.all([GG.outbox.sync(true), GG.outbox.sync(true)])")
    wait_all_sent(phone, 1)
    ids = [e["id"] for e in outbox(phone)]
    assert stored(county.engine, ids) == {ids[0]: 0}
    assert phone.problems == []


def test_a_sync_cut_half_way_resumes_without_duplicates(phone: Phone, users, county):
    sign_in(phone, users.staff01)
    phone.go_offline()
    for number in range(6):
        queue_report(phone, 100 + number, "fire_hazard")
    cut = {"reports": 0}

    def lose_the_answer(route) -> None:
        # The third report reaches the server and is stored, but its answer never comes
        # back: the network drops just then.
        if route.request.method == "POST":
            cut["reports"] += 1
            if cut["reports"] == 3:
                route.fetch()
                phone.go_offline()
                route.abort()
                return
        route.continue_()

    phone.page.route("**/v1/reports", lose_the_answer)
    phone.go_offline(False)
    phone.page.wait_for_function("() => !navigator.onLine", timeout=60_000, polling=200)
    states = [e["state"] for e in outbox(phone)]
    assert states.count("sent") == 2 and states.count("waiting") == 4, states
    phone.page.unroute("**/v1/reports")
    phone.go_offline(False)
    phone.page.evaluate("GG.outbox.sync(true)")
    wait_all_sent(phone, 6)
    ids = [e["id"] for e in outbox(phone)]
    assert stored(county.engine, ids) == {i: 1 for i in ids}
    with county.engine.connect() as conn:
        photos = conn.execute(text("select count(distinct p.photo_id) from report_photos p "
                                   "join reports r on r.id = p.report_id where r.reporter = :r"),
                              {"r": STAFF}).scalar()  # fmt: skip
    assert photos == 6
    # The one request this test cut is the browser's one failed load; nothing else failed.
    assert phone.problems == ["console Failed to load resource: net::ERR_FAILED"]


def test_a_hundred_queued_reports_sync_within_five_seconds(phone: Phone, users, county):
    sign_in(phone, users.staff01)
    phone.go_offline()
    phone.page.evaluate(
        """([lon, lat]) => Promise.all([...Array(100).keys()].map(n => GG.outbox.enqueue(
             GG.outbox.newId(), {type: "report", label: "消防隐患", sensitive: false,
             body: {category: "fire_hazard", lon: lon, lat: lat, text: "第" + n + "条",
                    reported_at: new Date().toISOString()}}, [])))""",
        [county.p01.lon, county.p01.lat],
    )
    assert len(outbox(phone)) == 100
    started = time.monotonic()
    phone.go_offline(False)
    wait_all_sent(phone, 100, timeout=30)
    took = time.monotonic() - started
    print(f"100 queued reports synced in {took:.2f} s")
    assert took <= 5
    ids = [e["id"] for e in outbox(phone)]
    assert stored(county.engine, ids) == {i: 0 for i in ids}
    assert phone.problems == []


def test_an_entry_broken_on_the_phone_does_not_hold_up_the_others(phone: Phone, users, county):
    sign_in(phone, users.staff01)
    phone.go_offline()
    queue_report(phone, 301, "fire_hazard")
    queue_report(phone, 302, "fire_hazard")
    first = min(outbox(phone), key=lambda e: e["created_at"])
    phone.page.evaluate(f"GG.db.del('blobs', {first['photos'][0]!r})")  # its photo is gone
    phone.go_offline(False)
    until(phone, "GG.outbox.all().then(e => e.every(x => x.state != 'waiting'))", 60)
    states = {e["id"]: e for e in outbox(phone)}
    assert states[first["id"]]["state"] == "refused"
    assert states[first["id"]]["last_error"].startswith("本机出错")
    assert [e["state"] for i, e in states.items() if i != first["id"]] == ["sent"]
    assert phone.problems == []


def test_a_refusal_names_the_field_in_chinese(phone: Phone, users):
    """The API names the field at fault in English; the phone leads with it in Chinese."""
    sign_in(phone, users.staff01)
    message = phone.page.evaluate(
        """GG.api.post("/v1/reports", {category: "fire_hazard", lon: 200, lat: 36.5,
             text: "经度超出范围", reported_at: new Date().toISOString()})
           .then(() => "taken", e => e.kind + " " + e.message)"""
    )
    assert message.startswith("refused 「位置」有误："), message
    unknown = phone.page.evaluate(
        """GG.api.get("/v1/reports/00000000-0000-4000-8000-000000000000")
           .then(() => "found", e => e.message)"""
    )
    assert unknown.startswith("找不到"), unknown
    # the two refusals asked for, each a failed request and the browser's console line
    asked = ("400 ", "404 ", "console Failed to load resource: the server responded with a "
             "status of 40")  # fmt: skip
    assert len(phone.problems) == 4 and all(p.startswith(asked) for p in phone.problems)
