"""The case loop: the rule table for every role, every step from every status, a whole walk
with a fixed clock, extensions, supervision and the inbox per role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest
from sqlalchemy import Engine, text

from geogrid.access.errors import Forbidden
from geogrid.errors import InputError, NotFoundError, TransitionError
from geogrid.reports.deadlines import load_calendar
from geogrid.reports.inbox import inbox
from geogrid.reports.lifecycle import events_of
from geogrid.reports.loop import RULES, StepInput, may_take, take_step
from geogrid.vocabulary import CHINA_TZ, LOOP_STEPS, REPORT_STATUSES
from tests.intake_paths import submit_one
from tests.reports.conftest import inside_point

CAL = load_calendar()


@dataclass(frozen=True)
class Who:
    """A caller as the loop sees it."""

    name: str
    role: str
    station_id: int | None = None
    department_id: int | None = None
    person_id: int | None = None


ACTORS = {
    "admin": Who("admin", "county_admin"),
    "station_own": Who("s1", "station", station_id=1),
    "station_other": Who("s2", "station", station_id=2),
    "dept_own": Who("d5", "department", department_id=5),
    "dept_other": Who("d6", "department", department_id=6),
    "leader": Who("leader", "grid_staff", person_id=10),
    "officer": Who("officer", "grid_staff", person_id=11),
    "handler": Who("police", "grid_staff", person_id=12),
    "staff_other": Who("other", "grid_staff", person_id=99),
}
_GRID = {"station_id": 1, "leader_id": 10, "officer_id": 11}
POLICE_CASE = _GRID | {"route": "station", "department_id": None, "handler_person_id": 12,
                       "handler_department_id": None, "dispatcher_role": "station"}  # fmt: skip
DEPARTMENT_CASE = _GRID | {"route": "department", "department_id": 5,
                           "handler_person_id": None, "handler_department_id": 5,
                           "dispatcher_role": "department"}  # fmt: skip
_DESK_POLICE, _DESK_DEPT = {"admin", "station_own"}, {"admin", "dept_own"}
_VERIFIERS = {"admin", "station_own", "leader", "officer"}
# Who may take each step: (police case dispatched by the station to its officer 12,
# department case dispatched by the department to itself).
ALLOWED = {
    "accept": (_DESK_POLICE, _DESK_DEPT),
    "refuse": (_DESK_POLICE, _DESK_DEPT),
    "return": ({"station_own"}, {"dept_own"}),
    "dispatch": (_DESK_POLICE, _DESK_DEPT),
    "start": ({"handler"}, {"dept_own"}),
    "handle": ({"handler"}, {"dept_own"}),
    "verify": (_VERIFIERS, _VERIFIERS),
    "close": (_DESK_POLICE, _DESK_DEPT),  # the desk that runs it, as dispatch
    "extension": ({"handler"}, {"dept_own"}),
    "extension_decide": (_DESK_POLICE, _DESK_DEPT),
    "supervise": ({"admin", "station_own"}, {"admin", "station_own"}),
}
# From which statuses each step may be taken (the README's diagram).
FROM = {
    "accept": {"received", "assigned"},
    "refuse": {"received", "assigned", "accepted"},
    "return": {"assigned", "accepted"},
    "dispatch": {"accepted"},
    "start": {"dispatched", "rework"},
    "handle": {"dispatched", "in_progress", "rework"},
    "verify": {"resolved"},
    "close": {"verified"},
    "extension": {"dispatched", "in_progress", "rework"},
    "extension_decide": {"dispatched", "in_progress", "rework"},
    "supervise": {"received", "assigned", "accepted", "dispatched", "in_progress", "rework",
                  "resolved", "verified"},
}  # fmt: skip


def test_the_tables_cover_every_step() -> None:
    assert set(ALLOWED) == set(FROM) == set(RULES) == set(LOOP_STEPS)


@pytest.mark.parametrize("step", LOOP_STEPS)
@pytest.mark.parametrize("shape", ["police", "department"])
def test_who_may_take_each_step(step: str, shape: str) -> None:
    case = POLICE_CASE if shape == "police" else DEPARTMENT_CASE
    expected = ALLOWED[step][shape == "department"]
    allowed = {name for name, actor in ACTORS.items() if may_take(step, case, actor)}
    assert allowed == expected


def test_the_handler_never_verifies_their_own_handling() -> None:
    own_grid = POLICE_CASE | {"handler_person_id": 10}  # dispatched to the grid's leader
    verifiers = {n for n, a in ACTORS.items() if may_take("verify", own_grid, a)}
    assert verifiers == {"admin", "station_own", "officer"}


def test_a_handling_department_never_decides_its_own_extension() -> None:
    handed_on = DEPARTMENT_CASE | {"handler_department_id": 6}
    deciders = {n for n, a in ACTORS.items() if may_take("extension_decide", handed_on, a)}
    assert deciders == {"admin", "dept_own"}
    assert {n for n, a in ACTORS.items() if may_take("handle", handed_on, a)} == {"dept_other"}


@pytest.mark.parametrize("step", LOOP_STEPS)
def test_each_step_is_refused_from_the_other_statuses(step: str) -> None:
    assert set(RULES[step].from_statuses) == FROM[step]
    assert FROM[step] <= set(REPORT_STATUSES)


def at(moment: str) -> datetime:
    """A China time."""
    return datetime.fromisoformat(moment).replace(tzinfo=CHINA_TZ)


@dataclass(frozen=True)
class Case:
    """A stored public-security case and the people and desks around it."""

    id: str
    station: Who
    other_station: Who
    leader: Who
    leader_no: str
    admin: Who


@pytest.fixture
def case(reports_engine: Engine, county_index) -> Case:
    """A public-security report routed to its grid's station."""
    lon, lat = inside_point(county_index, 0)
    report_id = submit_one(reports_engine, {"category": "public_security", "lon": lon,
                                            "lat": lat}, index=county_index)  # fmt: skip
    with reports_engine.connect() as conn:
        row = conn.execute(
            text(
                "select r.station_id, r.leader_id, p.person_no from reports r "
                "join people p on p.id = r.leader_id where r.id = :id"
            ),
            {"id": report_id},
        ).one()
    return Case(report_id, Who("派出所", "station", station_id=row.station_id),
                Who("别的所", "station", station_id=row.station_id + 1000),
                Who("网格长", "grid_staff", person_id=row.leader_id), row.person_no,
                Who("县局", "county_admin"))  # fmt: skip


def step(engine, case_id, name, actor, now, **body):
    """Take one step in its own transaction."""
    with engine.begin() as conn:
        return take_step(conn, case_id, name, StepInput(**body), actor, calendar=CAL, now=now)


def test_a_case_walks_the_loop_with_deadlines_in_working_time(reports_engine, case) -> None:
    e, c = reports_engine, case
    step(e, c.id, "accept", c.station, at("2026-02-13T15:00"))
    sent = step(e, c.id, "dispatch", c.station, at("2026-02-13T16:00"), note="请到场",
                handler_person=c.leader_no)  # fmt: skip
    # Three working days from Friday 13 Feb 16:00: 1 h, Saturday 14th (调休) 8 h, then
    # the Spring Festival until the 23rd: 24th 8 h, 25th 7 h -> 25 Feb 16:00.
    assert sent.due_at == at("2026-02-25T16:00")
    step(e, c.id, "start", c.leader, at("2026-02-14T09:30"))
    asked = step(e, c.id, "extension", c.leader, at("2026-02-14T10:00"), note="待协调",
                 due_at=at("2026-02-27T17:00"))  # fmt: skip
    assert asked.to_status == "in_progress"
    with pytest.raises(TransitionError, match="waiting"):
        step(e, c.id, "extension", c.leader, at("2026-02-14T10:05"), note="再延",
             due_at=at("2026-02-28T17:00"))  # fmt: skip
    decided = step(e, c.id, "extension_decide", c.station, at("2026-02-14T11:00"), approve=True)
    assert decided.due_at == at("2026-02-27T17:00")
    step(e, c.id, "handle", c.leader, at("2026-02-24T10:00"), note="已处置", photo_ids=("a1",))
    with pytest.raises(Forbidden, match="who handled it may not verify it"):
        step(e, c.id, "verify", c.leader, at("2026-02-24T11:00"), passed=True)
    failed = step(e, c.id, "verify", c.station, at("2026-02-24T11:00"), passed=False,
                  note="仍有杂物", photo_ids=("b1", "b2"))  # fmt: skip
    assert failed.to_status == "rework"
    step(e, c.id, "handle", c.leader, at("2026-02-25T10:00"), note="已清理")
    passed = step(e, c.id, "verify", c.station, at("2026-02-25T11:00"), passed=True)
    assert passed.to_status == "verified" and passed.due_at is None
    with pytest.raises(Forbidden, match="desk"):
        step(e, c.id, "close", c.leader, at("2026-02-25T14:00"))
    with pytest.raises(NotFoundError):
        step(e, c.id, "close", c.other_station, at("2026-02-25T14:00"))
    closed = step(e, c.id, "close", c.station, at("2026-02-25T14:00"), note="结案")
    assert (closed.from_status, closed.to_status, closed.due_at) == ("verified", "closed", None)
    with e.connect() as conn:
        trail = [ev for ev in events_of(conn, c.id) if ev.step]
        reworks = conn.execute(text("select rework_count from reports where id = :i"),
                               {"i": c.id}).scalar()  # fmt: skip
    assert [ev.step for ev in trail] == [
        "accept", "dispatch", "start", "extension", "extension_decide", "handle", "verify",
        "handle", "verify", "close",
    ]  # fmt: skip
    assert trail[6].photo_ids == ("b1", "b2") and trail[5].photo_ids == ("a1",)
    assert trail[0].actor == "派出所" and trail[2].actor == "网格长" and reworks == 1


def test_refusals_name_why(reports_engine, case) -> None:
    e, c, now = reports_engine, case, at("2026-03-02T10:00")
    with pytest.raises(NotFoundError):
        step(e, c.id, "accept", c.other_station, now)
    with pytest.raises(Forbidden):
        step(e, c.id, "accept", c.leader, now)
    with pytest.raises(TransitionError, match="assigned: verify"):
        step(e, c.id, "verify", c.station, now, passed=True)
    with pytest.raises(TransitionError, match="is assigned: close is taken from verified"):
        step(e, c.id, "close", c.station, now)
    with pytest.raises(InputError) as refused:
        step(e, c.id, "refuse", c.station, now)
    assert refused.value.field == "note"
    step(e, c.id, "accept", c.station, now)
    with pytest.raises(InputError) as no_handler:
        step(e, c.id, "dispatch", c.station, now, note="去")
    assert no_handler.value.field == "handler_person"
    with pytest.raises(NotFoundError) as nobody:
        step(e, c.id, "dispatch", c.station, now, note="去", handler_person="nobody")
    assert nobody.value.field == "handler_person"


@pytest.mark.parametrize("status", REPORT_STATUSES)
def test_every_step_from_every_status(reports_engine, case, status) -> None:
    """The county takes the desk and verification steps; the handler its own."""
    with reports_engine.begin() as conn:
        conn.execute(text("update reports set status = :s, handler_person_id = :p, "
                          "dispatcher_role = 'county_admin' where id = :i"),
                     {"s": status, "p": case.leader.person_id, "i": case.id})  # fmt: skip
    bodies = {"refuse": {"note": "x"}, "return": {"note": "x"}, "supervise": {"note": "x"},
              "dispatch": {"note": "x", "handler_person": case.leader_no},
              "handle": {"note": "x"}, "verify": {"passed": True},
              "extension": {"note": "x", "due_at": at("2027-01-30T10:00")},
              "extension_decide": {"approve": True}}  # fmt: skip
    handler_steps = {"start", "handle", "extension"}
    for name in LOOP_STEPS:
        actor = case.leader if name in handler_steps else case.admin
        if name == "return":
            actor = case.station
        with reports_engine.connect() as conn:
            try:
                take_step(conn, case.id, name, StepInput(**bodies.get(name, {})), actor,
                          calendar=CAL, now=at("2026-12-01T10:00"))  # fmt: skip
                outcome = "taken"
            except TransitionError as exc:
                outcome = "pending" if exc.field == "extension" else "refused"
            finally:
                conn.rollback()
        expected = "taken" if status in FROM[name] else "refused"
        if name == "extension_decide" and expected == "taken":
            expected = "pending"  # nothing asked yet: a 409 of its own
        if name == "return" and status in FROM[name]:
            expected = "taken"
        assert outcome == expected, (name, status)


def test_the_inbox_per_role_with_overdue_and_supervision(reports_engine, case) -> None:
    e, c = reports_engine, case
    now = at("2026-12-07T10:00")
    with e.connect() as conn:
        waiting = inbox(conn, c.station, calendar=CAL, now=now)
    assert [(i.id, i.waiting) for i in waiting] == [(c.id, "to_accept")]
    step(e, c.id, "accept", c.station, now)
    step(e, c.id, "dispatch", c.station, now, note="去", handler_person=c.leader_no,
         due_at=at("2026-12-08T10:00"))  # fmt: skip
    with e.connect() as conn:
        mine = inbox(conn, c.leader, calendar=CAL, now=at("2026-12-08T09:00"))
        late = inbox(conn, c.leader, calendar=CAL, now=at("2026-12-09T11:00"))
        station = inbox(conn, c.station, calendar=CAL, now=at("2026-12-09T11:00"))
        other = inbox(conn, c.other_station, calendar=CAL, now=now)
    assert [(i.waiting, i.overdue, i.hours_left) for i in mine] == [("to_handle", False, 1.0)]
    assert [(i.overdue, i.hours_left, i.escalation) for i in late] == [(True, -9.0, 2)]
    assert [(i.waiting, i.overdue) for i in station] == [("attention", True)]
    assert other == []
    step(e, c.id, "supervise", c.admin, at("2026-12-09T12:00"), note="限期办结")
    with e.connect() as conn:
        county = inbox(conn, c.admin, calendar=CAL, now=at("2026-12-09T12:00"))
    assert county[0].id == c.id and county[0].supervised


def test_a_verified_case_waits_in_its_desks_inbox_to_close(reports_engine, case) -> None:
    e, c = reports_engine, case
    step(e, c.id, "accept", c.station, at("2026-12-07T09:00"))
    step(e, c.id, "dispatch", c.station, at("2026-12-07T09:10"), note="去",
         handler_person=c.leader_no, due_at=at("2026-12-08T10:00"))  # fmt: skip
    step(e, c.id, "handle", c.leader, at("2026-12-07T11:00"), note="已处置")
    step(e, c.id, "verify", c.station, at("2026-12-07T12:00"), passed=True, note="通过")
    months_later = at("2027-03-01T10:00")  # no stage deadline: never overdue, no escalation
    with e.connect() as conn:
        station = inbox(conn, c.station, calendar=CAL, now=months_later)
        leader = inbox(conn, c.leader, calendar=CAL, now=months_later)
        county = inbox(conn, c.admin, calendar=CAL, now=months_later)
    assert [(i.id, i.waiting, i.status, i.overdue, i.due_at, i.escalation) for i in station] \
        == [(c.id, "to_close", "verified", False, None, 0)]  # fmt: skip
    assert leader == [] and county == [], "the station's desk closes it, not the grid or county"
    step(e, c.id, "close", c.station, months_later)
    with e.connect() as conn:
        assert inbox(conn, c.station, calendar=CAL, now=months_later) == []
