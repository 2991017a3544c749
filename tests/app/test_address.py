"""A new standard address proposed from the phone: kept offline with its request id, sent
once when the network is back (a repeat answers the same proposal), shown as the server
read it and 待核实; an address the server cannot read is refused with the reason."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.app.conftest import STAFF, Phone, sign_in, until
from tests.registry.conftest import clear_registry

WRITTEN = "矩阵路12号3号楼2单元501室"


@pytest.fixture
def no_proposals(county):
    """The registry emptied after the test."""
    yield
    clear_registry(county.engine)


def propose(phone: Phone, written: str, note: str = "") -> None:
    """Open the address form from the map, fill it in, send it twice at once (one item)."""
    page = phone.page
    page.tap("#tabs button[data-view=map]")
    page.tap("#address-here")
    page.fill("#address-text", written)
    page.fill("#address-note", note)
    if note:
        phone.shot("address-form")
    page.evaluate("() => { const f = document.getElementById('address-form');"
                  " f.requestSubmit(); f.requestSubmit(); }")  # fmt: skip
    page.wait_for_selector("#view-outbox:not([hidden])")


def stored(county) -> list[tuple]:
    with county.engine.connect() as conn:
        return conn.execute(text(
            "select client_request_id, kind, status, change from registry_proposals "
            "where kind = 'address' and proposed_by like :by order by id"),
            {"by": f"%{STAFF}%"}).all()  # fmt: skip


def test_an_address_proposed_offline_arrives_once_as_a_pending_proposal(
    phone: Phone, users, county, no_proposals
):
    sign_in(phone, users.staff01)
    phone.go_offline()
    propose(phone, WRITTEN, "新盖的楼")
    propose(phone, "矩阵路东头")
    waiting = phone.page.evaluate("GG.outbox.all()")
    assert [e["state"] for e in waiting] == ["waiting", "waiting"], "double taps: one item each"
    assert WRITTEN in phone.page.locator("#outbox-list").inner_text()
    phone.go_offline(False)
    until(phone, "GG.outbox.all().then(e => e.every(x => x.state != 'waiting'))", 60)
    kept = {e["body"]["text"]: e for e in phone.page.evaluate("GG.outbox.all()")}
    good, odd = kept[WRITTEN], kept["矩阵路东头"]
    assert good["state"] == "sent" and good["proposal_status"] == "pending", good
    assert good["parts"] == {"street": "矩阵路", "house_no": "12", "building": "3",
                             "unit_no": "2", "floor": "5", "room": "501"}  # fmt: skip
    assert odd["state"] == "refused" and "地址无法识别" in odd["last_error"]
    assert "「地址」有误：" in odd["last_error"], "the form's own name for its field `text`"
    assert "东头" in odd["last_error"]
    rows = stored(county)
    assert [(r[0], r[1], r[2]) for r in rows] == [(good["id"], "address", "pending")]
    change = rows[0][3]
    assert change["address"]["text"] == "矩阵路12号3号楼2单元501室" and change["note"] == "新盖的楼"
    assert (change["address"]["lon"], change["address"]["lat"]) == pytest.approx(
        (county.p01.lon, county.p01.lat)
    )
    # A repeat after a cut (the answer lost): the same proposal, not a second one.
    phone.page.evaluate("""id => GG.db.get('outbox', id).then(e => {
        e.state = 'waiting'; e.next_try = 0; return GG.db.put('outbox', id, e); })
        .then(() => GG.outbox.sync(true))""", good["id"])  # fmt: skip
    until(phone, "GG.outbox.all().then(e => e.every(x => x.state != 'waiting'))")
    assert len(stored(county)) == 1
    again = {e["id"]: e for e in phone.page.evaluate("GG.outbox.all()")}[good["id"]]
    assert again["proposal_id"] == good["proposal_id"]
    shown = phone.page.locator("#outbox-list").inner_text()
    assert "核实：待核实" in shown and "服务器读作：街路巷 矩阵路 · 门牌号 12" in shown
    phone.shot("outbox-address")
    # The unreadable one's 400 (and Chromium's console line for it) is all the test accepts.
    assert phone.problems == [
        f"400 {phone.site}/v1/registry/address-proposals",
        "console Failed to load resource: the server responded with a status of 400 (Bad Request)",
    ]


def test_the_point_can_be_a_pin_placed_on_the_map(phone: Phone, users, county, no_proposals):
    sign_in(phone, users.staff01)
    phone.go_offline()
    page = phone.page
    page.tap("#address-here")
    page.fill("#address-text", WRITTEN)
    page.tap("#address-pin")
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 3, box["y"] + box["height"] / 3)
    until(phone, "document.getElementById('pos').textContent.startsWith('手动选点')")
    page.tap("#address-here")
    assert page.input_value("#address-text") == WRITTEN, "the form keeps what was typed"
    assert page.inner_text("#address-where").startswith("手动选点")
    page.tap("#address-send")
    page.wait_for_selector("#view-outbox:not([hidden])")
    pin = page.evaluate("GG.main.point()")
    (entry,) = page.evaluate("GG.outbox.all()")
    assert (entry["body"]["lon"], entry["body"]["lat"]) == (pin["lon"], pin["lat"])
    assert (pin["lon"], pin["lat"]) != pytest.approx((county.p01.lon, county.p01.lat))
    assert phone.problems == []
