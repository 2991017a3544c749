"""Leave (请销假): while a grid leader is on leave, the cover is on duty for the grid:
reports there go to the cover, with the cover's phone; return ends it."""

from __future__ import annotations

from datetime import date

import shapely
from sqlalchemy import Engine, text

from geogrid.errors import InputError, TransitionError
from geogrid.reports.categories import seed_categories
from geogrid.reports.index import load_index
from geogrid.reports.intake import submit_reports
from geogrid.storage.duty import grids_held, people_on_duty
from geogrid.team.leave import approve_leave, end_leave, get_leave, propose_covers, request_leave
from geogrid.team.people import find_person
from tests.team.conftest import a_grid

REPORTER = "team-leave-test"


def _leader(conn, grid: str) -> str:
    return conn.execute(text(
        "select p.person_no from grid_assignments a join people p on p.id = a.person_id"
        " where a.grid_code = :g and a.role = 'grid_leader' order by a.valid_from desc limit 1"),
        {"g": grid}).scalar_one()  # fmt: skip


def _report_on(engine: Engine, grid: str, when: str) -> tuple[str, str]:
    """Send one police report from inside the grid; (name, phone) of the leader it got."""
    index = load_index(engine)
    unit = next(i for i, code in enumerate(index.units.codes) if code.startswith(grid))
    point = shapely.point_on_surface(index.units.geoms[unit])
    item = {"category": "public_security", "lon": point.x, "lat": point.y, "reported_at": when,
            "reporter": REPORTER, "text": "请假测试"}  # fmt: skip
    result = submit_reports(engine, [item], index=index)
    assert list(result.outcome) == ["accepted"], result.errors
    with engine.connect() as conn:
        return tuple(conn.execute(text(
            "select p.name, p.phone from reports r join people p on p.id = r.leader_id"
            " where r.id = :i"), {"i": result.report_id[0]}).one())  # fmt: skip


def test_a_report_in_the_grid_of_a_leader_on_leave_goes_to_the_cover(county_engine):
    with county_engine.begin() as conn:
        seed_categories(conn)  # as the API's tests do: only the missing ones
        grid = a_grid(conn)
        leader = find_person(conn, _leader(conn, grid))
        leave_id = request_leave(conn, leader, date(2026, 6, 1), date(2026, 6, 10), "探亲")
        cover = approve_leave(conn, leave_id, "P01 所长")[0]
    try:
        with county_engine.connect() as conn:
            on_duty = people_on_duty(conn, date(2026, 6, 5), codes=[grid])
            assert [(r.name, r.phone) for r in on_duty if r.role == "grid_leader"] == [
                (cover.name, cover.phone)]  # fmt: skip
            assert grid in grids_held(conn, find_person(conn, cover.person_no).id,
                                      date(2026, 6, 5))  # fmt: skip
        assert cover.phone and cover.person_no != leader.person_no
        assert _report_on(county_engine, grid, "2026-06-05T10:00:00+08:00") == (
            cover.name, cover.phone)  # fmt: skip
        with county_engine.begin() as conn:
            end_leave(conn, leave_id, date(2026, 6, 7))
        back = _report_on(county_engine, grid, "2026-06-07T09:00:00+08:00")
        assert back[0] == leader.name
        assert _report_on(county_engine, grid, "2026-06-06T18:00:00+08:00")[0] == cover.name
        assert _report_on(county_engine, grid, "2026-05-31T18:00:00+08:00")[0] == leader.name
    finally:
        with county_engine.begin() as conn:
            conn.execute(text("delete from reports where reporter = :r"), {"r": REPORTER})
            conn.execute(text("delete from leave_requests where id = :i"), {"i": leave_id})


def test_covers_proposed_are_neighbours_first_then_the_community_police(county_conn):
    grid = a_grid(county_conn)
    leader = find_person(county_conn, _leader(county_conn, grid))
    leave_id = request_leave(county_conn, leader, date(2026, 6, 1), date(2026, 6, 3), "病假")
    options = propose_covers(county_conn, get_leave(county_conn, leave_id))
    whys = [o.why for o in options]
    assert whys[0] == "neighbour" and whys[-1] == "community_police"
    assert leader.person_no not in [o.person_no for o in options]
    police = options[-1].person_no
    approve_leave(county_conn, leave_id, "所长", {grid: police})
    on_duty = people_on_duty(county_conn, date(2026, 6, 2), codes=[grid])
    assert police in [r.person_no for r in on_duty if r.role == "grid_leader"]
    try:
        approve_leave(county_conn, leave_id, "所长")
    except TransitionError as twice:
        assert "approved, not requested" in str(twice)
    else:
        raise AssertionError("a leave approved twice")


def test_a_request_needs_days_in_order_and_no_overlap(county_conn):
    leader = find_person(county_conn, _leader(county_conn, a_grid(county_conn)))
    request_leave(county_conn, leader, date(2026, 7, 1), date(2026, 7, 5), "事假")
    for first, last, field in ((date(2026, 7, 9), date(2026, 7, 8), "last_day"),
                               (date(2026, 7, 5), date(2026, 7, 6), "first_day")):  # fmt: skip
        try:
            request_leave(county_conn, leader, first, last, "事假")
        except InputError as refused:
            assert refused.field == field and leader.person_no in str(refused)
        else:
            raise AssertionError(f"{first}..{last} accepted")
