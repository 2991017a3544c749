"""The console's basic-information page: completeness per community, pending proposals with
confirm / reject forms (CSRF), scoped to the caller's area (another station's: 404 page)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from geogrid.registry.address_proposals import propose_address
from geogrid.registry.changes import Change
from geogrid.registry.records import propose
from tests.api.places import delete_reports
from tests.api.registry_places import ADMIN, make_registry
from tests.intake_paths import submit_one
from tests.registry.conftest import clear_registry


@pytest.fixture
def pending(county, settings):
    """Two pending proposals at P01's registry address: a key person and an organisation."""
    made = make_registry(county.engine, settings, county.index, county.p01)
    with county.engine.begin() as conn:
        numbers = [
            propose(conn, ADMIN, Change("key_person", made.address,
                                        {"name": "待核甲", "category": "petitioner"})),
            propose(conn, ADMIN, Change("organisation", made.address, {"name": "待核厂"})),
        ]  # fmt: skip
    yield numbers
    clear_registry(county.engine)


def _status(county, proposal: int) -> str:
    with county.engine.connect() as conn:
        return conn.scalar(text("select status from registry_proposals where id = :i"),
                           {"i": proposal})  # fmt: skip


def test_the_page_shows_completeness_and_the_pending_proposals(county, users, browser_for,
                                                               pending):  # fmt: skip
    browser = browser_for(users.p01)
    page = browser.get("/console/registry")
    assert page.status_code == 200, page.text
    assert 'href="/console/registry">基础信息</a>' in page.text
    assert county.p01.community in page.text and county.p02.community not in page.text
    assert "待核甲" in page.text and "待核厂" in page.text
    assert f'/console/registry/proposals/{pending[0]}/confirm"' in page.text
    with county.engine.connect() as conn:
        audited = conn.scalar(text("select count(*) from audit_log where user_name = "
                                   "'apitest-p01' and action = 'registry.proposals'"))  # fmt: skip
    assert audited >= 1
    assert browser.get("/console/registry?month=2026-13").status_code == 400


def test_confirm_and_reject_by_form_with_the_csrf_token(county, users, browser_for, pending):
    browser = browser_for(users.p01)
    token = browser.csrf("/console/registry")
    base = "/console/registry/proposals"
    forged = browser.post(f"{base}/{pending[0]}/confirm", data={"csrf_token": "wrong"})
    assert forged.status_code == 403 and _status(county, pending[0]) == "pending"
    done = browser.post(f"{base}/{pending[0]}/confirm", data={"csrf_token": token, "note": "核"},
                        follow_redirects=False)  # fmt: skip
    assert (
        done.status_code == 303 and done.headers["location"] == "/console/registry?done=confirmed"
    )
    assert _status(county, pending[0]) == "confirmed"
    browser.post(f"{base}/{pending[1]}/reject", data={"csrf_token": token, "note": "重复"})
    assert _status(county, pending[1]) == "rejected"
    again = browser.post(f"{base}/{pending[1]}/confirm", data={"csrf_token": token})
    assert again.status_code == 409 and "rejected" in again.text
    shown = browser.get(f"{base}/{pending[0]}")
    assert shown.status_code == 200 and "已核实" in shown.text and "待核甲" in shown.text


def test_another_stations_proposal_is_the_404_page(county, users, browser_for, pending):
    browser = browser_for(users.p02)
    token = browser.csrf("/console/registry")
    page = browser.get("/console/registry")
    assert "待核甲" not in page.text and "待核厂" not in page.text
    seen = browser.get(f"/console/registry/proposals/{pending[0]}")
    assert seen.status_code == 404 and "待核甲" not in seen.text
    tried = browser.post(f"/console/registry/proposals/{pending[0]}/confirm",
                         data={"csrf_token": token})  # fmt: skip
    assert tried.status_code == 404 and _status(county, pending[0]) == "pending"
    unsigned = browser_for().get("/console/registry", follow_redirects=False)
    assert unsigned.status_code == 303 and "/console/signin" in unsigned.headers["location"]


@pytest.fixture
def filed_report(county, settings):
    """A rental-housing report at P01's registry address, filed as a proposal by the intake."""
    made = make_registry(county.engine, settings, county.index, county.p01)
    report = submit_one(county.engine, {
        "category": "rental_housing", "lon": county.p01.lon, "lat": county.p01.lat,
        "text": "新出租一户", "reporter": "apitest-console-report"},
        index=county.index)  # fmt: skip
    with county.engine.connect() as conn:
        number = conn.scalar(text("select id from registry_proposals where report_id = :r"),
                             {"r": report})  # fmt: skip
    yield number, made.address
    delete_reports(county.engine, [report])
    clear_registry(county.engine)


def test_a_report_proposal_is_completed_into_a_record_by_its_form(
    county, users, browser_for, filed_report
):
    number, address = filed_report
    browser = browser_for(users.p01)
    listed = browser.get("/console/registry")
    assert "新出租一户" in listed.text and f"/registry/proposals/{number}#complete" in listed.text
    page = browser.get(f"/console/registry/proposals/{number}")
    assert page.status_code == 200 and 'name="housing.use"' in page.text
    assert '<option value="housing" selected>' in page.text  # a rental report: a house
    token = browser.csrf(f"/console/registry/proposals/{number}")
    base = f"/console/registry/proposals/{number}"
    bare = browser.post(f"{base}/confirm", data={"csrf_token": token})
    assert bare.status_code == 400 and _status(county, number) == "pending"
    form = {"csrf_token": token, "kind": "housing", "address_code": address,
            "housing.use": "rental", "housing.tenants": "甲，乙",
            "resident.name": "不读"}  # fmt: skip
    done = browser.post(f"{base}/confirm", data=form, follow_redirects=False)
    assert done.status_code == 303, done.text
    with county.engine.connect() as conn:
        data = conn.scalar(text("select r.data from registry_records r join registry_proposals "
                                "p on p.record_id = r.id where p.id = :i"),
                           {"i": number})  # fmt: skip
    assert data == {"use": "rental", "tenants": ["甲", "乙"]}


def test_a_proposed_address_shows_its_text_and_the_proposers_note(county, users, browser_for):
    with county.engine.begin() as conn:
        propose_address(conn, ADMIN, county.index, "矩阵路7号", county.p01.lon, county.p01.lat,
                        note="新盖的门面房")  # fmt: skip
    try:
        page = browser_for(users.p01).get("/console/registry")
        assert "矩阵路7号" in page.text and "（备注：新盖的门面房）" in page.text
    finally:
        clear_registry(county.engine)
