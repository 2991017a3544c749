"""Rentals and key persons due in a grid: on the console's grid panel and the patrol sheet's
second page for the station and the county, never for another station or grid staff, and
every such read in the audit trail."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from geogrid.access.roles import Caller
from geogrid.registry.changes import Change
from geogrid.registry.due import due_in_grid
from geogrid.registry.records import decide, propose
from tests.api.fixtures import auth
from tests.api.registry_places import ADMIN, make_registry
from tests.prints import pdf_info, pdf_text
from tests.registry.conftest import clear_registry

LONG_AGO = date(2025, 1, 1)  # far enough back that every cycle has run out


@pytest.fixture
def due(county, settings):
    """P01's registry objects, with an overdue rental and key person at its address."""
    made = make_registry(county.engine, settings, county.index, county.p01)
    with county.engine.begin() as conn:
        for change in (
            Change("housing", made.address, {"use": "rental", "landlord": "房东甲"},
                   started_on=LONG_AGO),
            Change("key_person", made.address, {"name": "重点甲", "category": "drug_user"},
                   started_on=LONG_AGO),
        ):  # fmt: skip
            decide(conn, ADMIN, propose(conn, ADMIN, change), confirm=True)
    yield made
    clear_registry(county.engine)


def _audited(county, user: str) -> int:
    with county.engine.connect() as conn:
        return conn.scalar(text("select count(*) from audit_log where user_name = :u "
                                "and action = 'registry.list'"), {"u": user})  # fmt: skip


def test_the_station_sees_what_is_due_on_the_panel_and_the_read_is_audited(
    client, county, users, due
):
    before = _audited(county, "apitest-p01")
    for code in (county.p01.unit, county.p01.grid, county.p01.community):
        answer = client.get(f"/console/map/grids/{code}", headers=auth(users.p01))
        assert answer.status_code == 200, answer.text
        assert "到期待查" in answer.text and "房东甲" in answer.text, code
        assert "重点甲（吸毒人员）" in answer.text and "已超期" in answer.text
    assert _audited(county, "apitest-p01") == before + 3
    county_wide = client.get(f"/console/map/grids/{county.p01.unit}", headers=auth(users.admin))
    assert "重点甲" in county_wide.text
    other = client.get(f"/console/map/grids/{county.p01.unit}", headers=auth(users.p02))
    assert other.status_code == 404 and "重点甲" not in other.text


def test_grid_staff_and_other_stations_get_no_due_list(county, due):
    unit = county.p01.unit
    staff = Caller(901, "staff", "grid_staff", grid_codes=(county.p01.grid,))
    other = Caller(902, "other", "station", station_id=2, communities=frozenset({"000000000000"}))
    with county.engine.begin() as conn:
        assert due_in_grid(conn, staff, unit, date.today()) == []
        assert due_in_grid(conn, other, unit, date.today()) == []
        found = due_in_grid(conn, ADMIN, unit, date.today())
    assert [(i.task, i.overdue) for i in found] == [
        ("走访", True),
        ("检查", True),
    ]  # soonest due first


def test_the_patrol_sheet_has_a_due_page_for_the_station_only(client, county, users, due,
                                                              tmp_path):  # fmt: skip
    answer = client.get(f"/console/map/grids/{county.p01.unit}/sheet.pdf", headers=auth(users.p01))
    assert answer.status_code == 200, answer.text
    path = tmp_path / "sheet.pdf"
    path.write_bytes(answer.content)
    assert pdf_info(path)["Pages"] == "2"
    words = pdf_text(path)
    assert "到期待查" in words and "重点甲" in words and "房东甲" in words
