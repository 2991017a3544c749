"""Selection (选任): stages in order, the station inspection's five aspects, and nobody on a
grid who has not passed every stage."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Connection, text

from geogrid.errors import InputError, NotQualifiedError
from geogrid.storage.selection import FILED_BY, is_qualified
from geogrid.team.people import find_person
from geogrid.team.selection import StageDecision, history, record_stage, reviews_due
from geogrid.usecases.staffing import assign_person
from geogrid.vocabulary import REVIEW_ASPECTS, SELECTION_STAGES
from tests.team.conftest import a_grid, new_person

DAY = date(2026, 3, 2)
ASPECTS = {aspect: "良好" for aspect in REVIEW_ASPECTS}


def _pass(conn: Connection, number: str, stages=SELECTION_STAGES, outcome: str = "passed"):
    person = find_person(conn, number)
    gaps = []
    for stage in stages:
        aspects = ASPECTS if stage == "station_inspection" else {}
        gaps = record_stage(conn, person, StageDecision(stage, outcome, DAY, "所长", "", aspects))
    return gaps


def test_someone_who_failed_a_stage_cannot_be_put_on_a_grid(county_conn):
    grid = a_grid(county_conn)
    new_person(county_conn, "T0001", "试用一", grid[:12])
    _pass(county_conn, "T0001", SELECTION_STAGES[:3])
    _pass(county_conn, "T0001", ("medical_check",), outcome="failed")
    with pytest.raises(NotQualifiedError) as refused:
        assign_person(county_conn, "T0001", grid, "grid_leader", DAY)
    assert "T0001 试用一" in str(refused.value)
    assert "medical_check, bureau_filing" in str(refused.value)
    vetting = county_conn.execute(text("select vetting_status from people where person_no = "
                                       "'T0001'")).scalar()  # fmt: skip
    assert vetting == "failed"


def test_stages_go_in_order_and_the_inspection_covers_five_aspects(county_conn):
    new_person(county_conn, "T0002", "试用二", a_grid(county_conn)[:12])
    person = find_person(county_conn, "T0002")
    with pytest.raises(InputError, match="nomination, station_inspection"):
        record_stage(county_conn, person, StageDecision("town_confirmation", "passed", DAY, "x"))
    _pass(county_conn, "T0002", ("nomination",))
    partial = {"political_status": "群众", "conduct": "良好"}
    with pytest.raises(InputError, match="missing social_relations, family, law_abiding"):
        inspection = StageDecision("station_inspection", "passed", DAY, "x", "", partial)
        record_stage(county_conn, person, inspection)
    assert [row.stage for row in history(county_conn, person)] == ["nomination"]


def test_who_passed_every_stage_is_put_on_a_grid_until_dismissed(county_conn):
    grid = a_grid(county_conn, offset=1)
    new_person(county_conn, "T0003", "试用三", grid[:12])
    assert _pass(county_conn, "T0003") == []
    assert assign_person(county_conn, "T0003", grid, "grid_leader", DAY) > 0
    person = find_person(county_conn, "T0003")
    county_conn.execute(text("insert into team_actions (person_id, kind, on_day, reason,"
                             " decided_by) values (:p, 'dismissal', :d, '不履职', 'x')"),
                        {"p": person.id, "d": DAY})  # fmt: skip
    assert not is_qualified(county_conn, person.id)


def test_a_failed_re_review_takes_a_person_off_the_list_of_the_qualified(county_conn):
    new_person(county_conn, "T0004", "试用四", a_grid(county_conn)[:12])
    _pass(county_conn, "T0004")
    person = find_person(county_conn, "T0004")
    assert is_qualified(county_conn, person.id)
    due = reviews_due(county_conn, date(2027, 3, 2), 12, area=(person.community_code,))
    assert "T0004" in [d.person_no for d in due]
    assert "T0004" not in [d.person_no for d in reviews_due(county_conn, date(2027, 3, 1), 12)]
    assert _pass(county_conn, "T0004", ("re_review",), outcome="failed") == ["re_review"]
    assert not is_qualified(county_conn, person.id)


def test_vetted_assistants_of_the_register_file_are_filed_and_the_pending_are_not(county_conn):
    counts = dict(county_conn.execute(text(
        "select p.vetting_status, count(distinct s.person_id) from people p"
        " left join selection_steps s on s.person_id = p.id and s.decided_by = :by"
        " where 'grid_leader' = any(p.roles) group by 1"), {"by": FILED_BY}).all())  # fmt: skip
    assert counts["passed"] > 0
    assert counts.get("pending", 0) == 0 and counts.get("failed", 0) == 0
    unqualified_on_duty = county_conn.execute(text(
        "select count(*) from grid_assignments a join people p on p.id = a.person_id"
        " where a.role = 'grid_leader' and p.vetting_status <> 'passed'")).scalar()  # fmt: skip
    assert unqualified_on_duty == 0
