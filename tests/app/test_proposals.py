"""Basic information from the phone becomes registry proposals: kept offline, sent once with
the outbox's client request id, a sensitive one leaving only a receipt, an unknown address
refused naming it, and the proposal's state (待核实 -> 已核实) shown on the phone."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.api.fixtures import auth
from tests.api.registry_places import make_registry
from tests.app.conftest import STAFF, Phone, sign_in, until
from tests.registry.conftest import clear_registry, fake_id_number


@pytest.fixture
def address(county, settings):
    """P01's standard address 矩阵路1号, the registry emptied afterwards."""
    yield make_registry(county.engine, settings, county.index, county.p01).address
    clear_registry(county.engine)
    with county.engine.begin() as conn:
        conn.execute(text("delete from reports where reporter = :r"), {"r": STAFF})


def queue_item(phone: Phone, kind: str, values: dict[str, str]) -> None:
    """Fill the form of a basic-information kind by its registry field names; tap send."""
    page = phone.page
    page.tap("#tabs button[data-view=report]")
    page.select_option("#report-kind", kind)
    assert page.locator("#report-photos").is_disabled()
    for name, value in values.items():
        field = f"#report-fields [data-name={name}]"
        if page.locator(field).evaluate("e => e.tagName") == "SELECT":
            page.select_option(field, value)
        else:
            page.fill(field, value)
    page.tap("#report-send")
    page.wait_for_selector("#view-outbox:not([hidden])")


def entries(phone: Phone) -> dict[str, dict]:
    """The outbox entries by label."""
    return {e["label"]: e for e in phone.page.evaluate("GG.outbox.all()")}


def proposals(county) -> list[tuple]:
    with county.engine.connect() as conn:
        return conn.execute(text(
            "select client_request_id, kind, status, change from registry_proposals "
            "where proposed_by like :by order by id"), {"by": f"%{STAFF}%"}).all()  # fmt: skip


def test_basic_information_goes_to_the_registry_once(phone: Phone, users, county, address, client):
    sign_in(phone, users.staff01)
    phone.go_offline()
    queue_item(phone, "key_person", {"name": "走访甲", "id_number": fake_id_number(5),
                                     "address": "矩阵路1号", "category": "drug_user"})  # fmt: skip
    queue_item(phone, "key_unit", {"address": "矩阵路1号", "name": "矩阵加油站"})
    queue_item(phone, "organisation", {"address": "无此路9号", "name": "无名厂"})
    assert {e["state"] for e in entries(phone).values()} == {"waiting"}
    phone.go_offline(False)
    until(phone, "GG.outbox.all().then(e => e.every(x => x.state != 'waiting'))", 60)
    kept = entries(phone)
    person, unit, lost = kept["重点人员"], kept["重点单位"], kept["实有单位"]
    assert lost["state"] == "refused", lost
    assert person["state"] == unit["state"] == "sent", person.get("last_error")
    assert "无此路9号" in lost["last_error"]
    assert person["body"] is None, "a key person leaves only a receipt on the phone"
    assert unit["body"]["data"] == {"key_unit": True, "name": "矩阵加油站"}
    stored = proposals(county)
    assert [(r[0], r[1], r[2]) for r in stored] == [
        (person["id"], "key_person", "pending"),
        (unit["id"], "organisation", "pending"),
    ]
    assert stored[1][3]["data"] == {"key_unit": True, "name": "矩阵加油站"}
    # A repeat after a cut (the answer lost): the same proposal, not a second one.
    phone.page.evaluate("""id => GG.db.get('outbox', id).then(e => {
        e.state = 'waiting'; e.next_try = 0; return GG.db.put('outbox', id, e); })
        .then(() => GG.outbox.sync(true))""", unit["id"])  # fmt: skip
    until(phone, "GG.outbox.all().then(e => e.every(x => x.state != 'waiting'))")
    assert len(proposals(county)) == 2
    with county.engine.connect() as conn:
        reports = conn.scalar(text("select count(*) from reports where reporter = :r"),
                              {"r": STAFF})  # fmt: skip
    assert reports == 0
    # The community police officer confirms; the phone shows it at its next check.
    done = client.post(f"/v1/registry/proposals/{person['proposal_id']}/confirm", json={},
                       headers=auth(users.p01))  # fmt: skip
    assert done.status_code == 200, done.text
    phone.page.evaluate("""id => GG.db.get('outbox', id).then(e => {
        e.checked_at = 0; return GG.db.put('outbox', id, e); })
        .then(() => GG.outbox.sync(true))""", person["id"])  # fmt: skip
    phone.page.tap("#tabs button[data-view=outbox]")
    phone.page.wait_for_function(
        "() => document.getElementById('outbox-list').textContent.includes('核实：已核实')"
    )
    assert "核实：待核实" in phone.page.locator("#outbox-list").inner_text()
    phone.shot("outbox-proposals")
    assert phone.problems == []
