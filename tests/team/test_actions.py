"""Rewards and sanctions, training, meetings and requests to the station."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text

from geogrid.errors import InputError, NotFoundError, TransitionError
from geogrid.storage.duty import people_on_duty
from geogrid.storage.versions import active_version
from geogrid.team.actions import ActionIn, actions_of, record_action
from geogrid.team.people import find_person
from geogrid.team.training import (
    SessionIn,
    add_meeting,
    add_session,
    ask_station,
    meetings_attended,
    reply_to_request,
    training_hours,
)
from geogrid.usecases.staffing import staff_report
from tests.team.conftest import a_grid

DAY = date(2026, 6, 15)


def _leader_of(conn, grid: str):
    number = conn.execute(text(
        "select p.person_no from grid_assignments a join people p on p.id = a.person_id"
        " where a.grid_code = :g and a.role = 'grid_leader' and a.valid_to is null"),
        {"g": grid}).scalar_one()  # fmt: skip
    return find_person(conn, number)


def test_a_dismissal_ends_the_assignments_on_its_date_and_the_grid_needs_staff(county_engine):
    with county_engine.begin() as conn:
        grid = a_grid(conn)
        leader = _leader_of(conn, grid)
        done = record_action(conn, leader, ActionIn("dismissal", DAY, "不履职, 经复审调整", "所长"))
        version = active_version(conn)
    try:
        assert done.ended_grids == [grid]
        with county_engine.connect() as conn:
            before = people_on_duty(conn, date(2026, 6, 14), codes=[grid])
            assert leader.person_no in [r.person_no for r in before]
            after = people_on_duty(conn, DAY, codes=[grid])
            assert [r for r in after if r.role == "grid_leader"] == []
        assert grid in staff_report(county_engine, version, DAY).unstaffed[2]
        assert grid not in staff_report(county_engine, version, date(2026, 6, 14)).unstaffed[2]
    finally:
        with county_engine.begin() as conn:
            conn.execute(text("delete from team_actions where id = :i"), {"i": done.id})
            restore = (
                "update grid_assignments set valid_to = null where person_id = :p and valid_to = :d"
            )
            conn.execute(text(restore), {"p": leader.id, "d": date(2026, 6, 14)})


def test_a_case_reward_names_its_report_and_amounts_are_checked(county_conn):
    leader = _leader_of(county_conn, a_grid(county_conn))
    with pytest.raises(InputError, match="names the report"):
        record_action(county_conn, leader, ActionIn("case_reward", DAY, "协助破案", "所长", 200))
    with pytest.raises(NotFoundError):
        record_action(
            county_conn,
            leader,
            ActionIn(
                "case_reward", DAY, "协助破案", "所长", 200, "00000000-0000-0000-0000-000000000000"
            ),
        )
    with pytest.raises(InputError, match="amount"):
        record_action(county_conn, leader, ActionIn("deed_reward", DAY, "救人", "所长", "lots"))
    record_action(county_conn, leader, ActionIn("warning", DAY, "日志缺报", "所长", "50"))
    [warning] = actions_of(county_conn, leader)
    assert (warning.kind, warning.amount) == ("warning", Decimal("50.00"))


def test_training_hours_meetings_and_requests(county_conn):
    grid = a_grid(county_conn)
    leader = _leader_of(county_conn, grid)
    station = county_conn.execute(text(
        "select station_id from station_communities where community_code = :c"),
        {"c": grid[:12]}).scalar_one()  # fmt: skip
    first = add_session(county_conn, SessionIn(DAY, "矛盾纠纷调解", "县局法制科", 3.5,
                                               attendees=(leader.person_no, "NOBODY")))  # fmt: skip
    add_session(county_conn, SessionIn(date(2026, 6, 20), "消防安全", "消防大队", 2, "station",
                                       station, (leader.person_no,)))  # fmt: skip
    assert (first.counted, first.unknown) == (1, ["NOBODY"])
    hours = training_hours(county_conn, date(2026, 6, 1), date(2026, 6, 30))
    assert hours[leader.id] == Decimal("5.5")
    with pytest.raises(InputError, match="station"):
        add_session(county_conn, SessionIn(DAY, "x", "y", 1, "station"))
    add_meeting(county_conn, DAY, station, "六月例会", (), (leader.person_no,))
    add_meeting(county_conn, date(2026, 6, 29), station, "月底例会", (leader.person_no,))
    assert meetings_attended(county_conn, DAY, DAY.replace(day=30))[leader.id] == (1, 2)
    asked = ask_station(county_conn, leader, "请示", "村内有外来人员聚集, 请指示")
    reply_to_request(county_conn, asked, "已派民警核查", "所长")
    with pytest.raises(TransitionError):
        reply_to_request(county_conn, asked, "again", "所长")
