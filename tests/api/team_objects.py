"""The team's objects in station P01 that the API tests act on, made and removed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, text

from geogrid.team.assessment import appeal, decide_appeal
from geogrid.team.leave import refuse_leave, request_leave
from geogrid.team.people import find_person
from geogrid.team.training import ask_station, reply_to_request
from tests.api.places import person_on

UNQUALIFIED = "APITEST-U1"  # a candidate of P01 who has passed no stage yet
# What the team's routes audit: the tests remove their users' entries of these.
AUDITED = ("selection", "assignment", "team_action", "leave", "leave_covers", "assessment",
           "payroll", "station_requests")  # fmt: skip


@dataclass(frozen=True)
class TeamObjects:
    """P01's grid leader (staff01), a candidate not yet selected, a refused leave of the
    leader (final: every step on it is a 409), a request already replied to and an appeal
    already decided."""

    leader: str
    candidate: str
    refused_leave: int
    replied_request: int
    decided_appeal: int


def make_team_objects(engine: Engine, grid: str) -> TeamObjects:
    """Make them in the county database."""
    leader_no = person_on(engine, grid, "grid_leader")[1]
    with engine.begin() as conn:
        conn.execute(text(
            "insert into people (person_no, name, phone, gender, age, roles, vetting_status,"
            " active, community_code) values (:n, '候选人', '10099990000', '女', 40,"
            " array['grid_leader'], 'pending', true, :c) on conflict do nothing"),
            {"n": UNQUALIFIED, "c": grid[:12]})  # fmt: skip
        leader = find_person(conn, leader_no)
        refused = request_leave(conn, leader, date(2031, 1, 1), date(2031, 1, 2), "matrix")
        refuse_leave(conn, refused, "apitest")
        asked = ask_station(conn, leader, "apitest", "matrix")
        reply_to_request(conn, asked, "ok", "apitest")
        appealed = appeal(conn, "2026-06", leader, "matrix", "apitest")
        decide_appeal(conn, appealed, "matrix", "apitest")
    return TeamObjects(leader_no, UNQUALIFIED, refused, asked, appealed)


def remove_team_objects(engine: Engine, made: TeamObjects) -> None:
    """Remove what the tests made (and what the matrix's calls recorded for the leader)."""
    with engine.begin() as conn:
        leader = find_person(conn, made.leader)
        for table in ("leave_requests", "station_requests", "assessment_appeals"):
            conn.execute(text(f"delete from {table} where person_id = :p"), {"p": leader.id})
        conn.execute(text("delete from team_actions where person_id = :p and decided_by like"
                          " 'apitest-%'"), {"p": leader.id})  # fmt: skip
        conn.execute(text("delete from selection_steps where person_id = :p and decided_by"
                          " like 'apitest-%'"), {"p": leader.id})  # fmt: skip
        conn.execute(text("delete from station_requests where subject = 'apitest'"))
        conn.execute(text("delete from training_sessions where topic = 'apitest'"))
        conn.execute(text("delete from meetings where topic = 'apitest'"))
        conn.execute(text("delete from people where person_no = :n"), {"n": made.candidate})
        # The test users' audited reads of team data: other modules count their users' entries.
        conn.execute(text("delete from audit_log where user_name like 'apitest-%' and"
                          " object_type = any(:t)"), {"t": list(AUDITED)})  # fmt: skip
