"""Roles: what each may do, which grids it covers, which reports it reads."""

from __future__ import annotations

import pytest

from geogrid.access.errors import Forbidden
from geogrid.access.roles import PERMISSIONS, Caller

ADMIN = Caller(1, "a", "county_admin")
STATION = Caller(2, "s", "station", station_id=7, station_code="P07",
                 communities=frozenset({"370782001001"}))  # fmt: skip
LEADER = Caller(3, "g", "grid_staff", person_id=40, person_no="N40",
                grid_codes=("370782001001002",))  # fmt: skip
DEPARTMENT = Caller(4, "d", "department", department_id=9, department_code="fire")


@pytest.mark.parametrize(
    "caller, code, covered",
    [(ADMIN, "370782009009009009", True), (STATION, "370782001001", True),
     (STATION, "370782001001003004", True), (STATION, "370782001002001", False),
     (LEADER, "370782001001002", True), (LEADER, "370782001001002007", True),
     (LEADER, "370782001001003", False), (LEADER, "370782001001", False),
     (DEPARTMENT, "370782001001", False), (ADMIN, None, False)],
)  # fmt: skip
def test_covers_by_jurisdiction_and_code_prefix(caller, code, covered):
    assert caller.covers(code) is covered


def test_report_scopes():
    assert ADMIN.report_scope().everything and ADMIN.report_scope().details
    assert STATION.report_scope().station_id == 7 and STATION.report_scope().details
    assert LEADER.report_scope().person_id == 40 and not LEADER.report_scope().details
    assert DEPARTMENT.report_scope().department_id == 9
    assert not DEPARTMENT.report_scope().details


def test_area_codes():
    assert ADMIN.area_codes() is None and STATION.area_codes() == ("370782001001",)
    assert LEADER.area_codes() == ("370782001001002",) and DEPARTMENT.area_codes() == ()


def test_permissions():
    assert all(ADMIN.may(action) for action in PERMISSIONS)
    assert not DEPARTMENT.may("lookup") and DEPARTMENT.may("reports.update")
    assert LEADER.may("reports.create") and not LEADER.may("reports.instruct")
    with pytest.raises(Forbidden, match="grid_staff"):
        LEADER.require("grids.versions")
    assert "P07" in STATION.describe()
