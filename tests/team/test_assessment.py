"""The monthly assessment: scores from the gathered metrics, a confirmed month locked, appeals,
and the payroll sheet per town with the phone plan's shares."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from geogrid.errors import InputError, LockedError
from geogrid.patrols.worklogs import WorkLogIn, save_worklog
from geogrid.settings import Settings
from geogrid.team.actions import ActionIn, record_action
from geogrid.team.assessment import appeal, confirm_month, decide_appeal, month_lines
from geogrid.team.metrics import default_sources
from geogrid.team.payroll import PhonePlan, write_payroll
from geogrid.team.people import find_person
from geogrid.team.scoring import load_scheme
from geogrid.team.training import SessionIn, add_session

MONTH = "2026-06"


def _station_and_leader(conn):
    row = conn.execute(text(
        "select sc.station_id, p.person_no from grid_assignments a"
        " join people p on p.id = a.person_id"
        " join station_communities sc on sc.community_code = left(a.grid_code, 12)"
        " where a.role = 'grid_leader' and a.valid_to is null order by a.grid_code limit 1"
    )).one()  # fmt: skip
    return row.station_id, find_person(conn, row.person_no)


def test_a_month_is_scored_from_its_metrics_and_rewards(county_conn):
    station, leader = _station_and_leader(county_conn)
    add_session(county_conn, SessionIn(date(2026, 6, 3), "法律法规", "法制科", 2,
                                       attendees=(leader.person_no,)))  # fmt: skip
    record_action(county_conn, leader, ActionIn("deed_reward", date(2026, 6, 9), "劝阻自杀",
                                                "所长", 300))  # fmt: skip
    for day in (3, 4):  # two days of work logs from the phone (patrols/worklogs.py)
        save_worklog(county_conn, leader.id, WorkLogIn(f"assess-{day}", date(2026, 6, day), "走访"))
    lines = month_lines(county_conn, MONTH, load_scheme(), default_sources(), station)
    mine = next(line for line in lines if line.person_no == leader.person_no)
    assert mine.metrics["training_hours"] == 2.0 and mine.parts["training_hours"] == 5
    assert mine.metrics["worklog_days"] == 2  # the patrols' source is wired in
    assert mine.metrics["patrol_coverage"] == 0.0  # a leader with no patrol: 0, not "no data"
    assert mine.rewards_yuan == 300 and not mine.confirmed
    assert mine.amount == mine.performance_yuan + 300
    assert {line.station_code for line in lines} == {lines[0].station_code}


def test_a_confirmed_month_cannot_change(county_conn):
    station, leader = _station_and_leader(county_conn)
    scheme, sources = load_scheme(), default_sources()
    confirmed = confirm_month(county_conn, MONTH, station, "所长 王", scheme, sources)
    before = {line.person_no: line.amount for line in confirmed}
    assert all(line.confirmed for line in confirmed) and leader.person_no in before
    with pytest.raises(LockedError, match="cannot change"):
        confirm_month(county_conn, MONTH, station, "所长 王", scheme, sources)
    with pytest.raises(LockedError, match="confirmed"):
        record_action(county_conn, leader, ActionIn("deed_reward", date(2026, 6, 20), "x", "所长",
                                                    100))  # fmt: skip
    add_session(county_conn, SessionIn(date(2026, 6, 25), "补训", "x", 8,
                                       attendees=(leader.person_no,)))  # fmt: skip
    after = month_lines(county_conn, MONTH, scheme, sources, station)
    assert {line.person_no: line.amount for line in after} == before
    appealed = appeal(county_conn, MONTH, leader, "培训学时未计入", leader.person_no)
    decide_appeal(county_conn, appealed, "下月补计", "所长")
    with pytest.raises(LockedError):
        decide_appeal(county_conn, appealed, "again", "所长")
    with pytest.raises(InputError, match="not over"):
        confirm_month(county_conn, "2999-01", station, "所长", scheme, sources)


def test_the_payroll_sheet_per_town_carries_the_phone_plan_shares(county_conn, tmp_path):
    station, _ = _station_and_leader(county_conn)
    lines = month_lines(county_conn, MONTH, load_scheme(), default_sources(), station)
    plan = PhonePlan.from_settings(Settings())
    assert plan.shares() == (Decimal("31.00"), Decimal("15.50"), Decimal("15.50"))
    written = write_payroll(lines, MONTH, plan, tmp_path)
    towns = {line.town_code for line in lines}
    assert len(written) == 2 * len(towns)
    first = sorted(towns)[0]
    with (tmp_path / f"payroll-{MONTH}-{first}.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    people = [line for line in lines if line.town_code == first]
    assert len(rows) == 1 + len(people) + 1  # header, people, total
    total = rows[-1]
    assert total[3] == "合计 total" and Decimal(total[9]) == sum(p.amount for p in people)
    assert Decimal(total[12]) == 31 * len(people)
    sheet = load_workbook(tmp_path / f"payroll-{MONTH}-{first}.xlsx").active
    assert sheet.cell(2, 4).value == "人员编号 person_no"
    assert sheet.cell(3, 12).value == 62


def test_a_stations_lines_are_the_county_lines_of_its_assistants(county_conn):
    """The KPIs of one station's assistants alone (team/metrics.py `KpiSources`) score them
    exactly as the county-wide computation does."""
    station, _ = _station_and_leader(county_conn)
    scheme = load_scheme()
    scoped = month_lines(county_conn, MONTH, scheme, default_sources(station), station)
    county = month_lines(county_conn, MONTH, scheme, default_sources(), station)
    assert scoped and scoped == county
