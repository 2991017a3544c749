"""The closed case loop: each step, who may take it, and what it does (README "The case loop").

    received/assigned -accept-> accepted -dispatch-> dispatched -start-> in_progress
      -handle-> resolved -verify(passed)-> verified -close-> closed
                         -verify(failed)-> rework -start/handle-> ... (counted)
    The close (结案) is the desk's that runs the case, as dispatch is (GB/T 30428: the
    command centre closes a case once its verification passed).
    received/assigned/accepted -refuse-> rejected;  assigned/accepted -return-> received
    extension (asked by the handler) and its decision (by whoever dispatched), and
    supervision (station or county) leave the status as it is.

RULES says from which statuses a step may be taken and which relation to the case the
caller needs; RELATIONS says which roles hold each relation and how. Both fronts call
`take_step`; it checks in the order: the case is in the caller's sight (else 404), the
caller holds the relation (403), the status allows the step (409), the body (400 naming
the field). Every step writes one event with who, when, the note, the deadline it set and
photo ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import Connection, text

from geogrid.access.errors import Forbidden
from geogrid.errors import InputError, NotFoundError, TransitionError
from geogrid.reports import loop_steps
from geogrid.reports.deadlines import Limits, WorkCalendar
from geogrid.reports.lifecycle import is_report_id
from geogrid.reports.loop_steps import accept_due
from geogrid.vocabulary import MAX_PHOTOS_PER_STEP, china_now

__all__ = ["RULES", "StepInput", "StepResult", "accept_due", "in_sight", "locked_case", "take_step"]
TO_ACCEPT = ("received", "assigned")  # waiting to be accepted: the deadline is acceptance
WORKING = ("dispatched", "in_progress", "rework")
OPEN = (*TO_ACCEPT, "accepted", *WORKING, "resolved", "verified")


@dataclass(frozen=True)
class Rule:
    """Where a step may start and the relation to the case that its taker needs."""

    from_statuses: tuple[str, ...]
    relation: str


RULES: dict[str, Rule] = {
    "accept": Rule(TO_ACCEPT, "desk"),
    "refuse": Rule(("received", "assigned", "accepted"), "desk"),
    "return": Rule(("assigned", "accepted"), "router"),
    "dispatch": Rule(("accepted",), "desk"),
    "start": Rule(("dispatched", "rework"), "handler"),
    "handle": Rule(WORKING, "handler"),
    "verify": Rule(("resolved",), "verifier"),
    "close": Rule(("verified",), "desk"),
    "extension": Rule(WORKING, "handler"),
    "extension_decide": Rule(WORKING, "dispatcher"),
    "supervise": Rule(OPEN, "supervisor"),
}


class Actor(Protocol):
    """Who takes a step: the API's Caller has these attributes."""

    name: str
    role: str
    station_id: int | None
    department_id: int | None
    person_id: int | None


def _desk(case: dict, a: Actor) -> bool:
    if a.role == "county_admin":
        return True
    if a.role == "station":
        return case["route"] == "station" and case["station_id"] == a.station_id
    return a.role == "department" and case["department_id"] == a.department_id


def _router(case: dict, a: Actor) -> bool:
    return a.role != "county_admin" and _desk(case, a)  # the county is triage itself


def _handler(case: dict, a: Actor) -> bool:
    if a.role == "grid_staff":
        return a.person_id is not None and case["handler_person_id"] == a.person_id
    return a.role == "department" and case["handler_department_id"] == a.department_id


def _verifier(case: dict, a: Actor) -> bool:
    if a.role in ("county_admin", "station"):
        return _supervisor(case, a)
    # On site, by the grid's leader or information officer, but never by the person who
    # handled it: a leader dispatched to handle their own grid's case leaves its check to the
    # officer, the station or the county.
    grid_staff = (case["leader_id"], case["officer_id"])
    return (a.role == "grid_staff" and a.person_id is not None and a.person_id in grid_staff
            and a.person_id != case["handler_person_id"])  # fmt: skip


def _dispatcher(case: dict, a: Actor) -> bool:
    if a.role == "county_admin":
        return True
    # The desk of the same kind that dispatched: never the handler deciding its own request.
    if case["dispatcher_role"] != a.role:
        return False
    if a.role == "station":
        return case["station_id"] == a.station_id
    return a.role == "department" and case["department_id"] == a.department_id


def _supervisor(case: dict, a: Actor) -> bool:
    if a.role == "county_admin":
        return True
    return a.role == "station" and case["station_id"] == a.station_id


RELATIONS = {"desk": _desk, "router": _router, "handler": _handler, "verifier": _verifier,
             "dispatcher": _dispatcher, "supervisor": _supervisor}  # fmt: skip


def in_sight(case: dict, a: Actor) -> bool:
    """The reports a role reads (as reports.queries.ReportScope, plus cases handed to it)."""
    if a.role == "county_admin":
        return True
    if a.role == "station":
        return case["station_id"] == a.station_id
    if a.role == "department":
        own = (case["department_id"], case["handler_department_id"])
        return a.department_id is not None and a.department_id in own
    people = (case["leader_id"], case["officer_id"], case["handler_person_id"])
    return a.person_id is not None and a.person_id in people


def may_take(step: str, case: dict, actor: Actor) -> bool:
    """Whether the actor holds the relation to the case that the step needs."""
    return RELATIONS[RULES[step].relation](case, actor)


@dataclass(frozen=True)
class StepInput:
    """What a step's body may carry; each step reads the parts it needs."""

    note: str = ""
    photo_ids: tuple[str, ...] = ()
    handler_person: str | None = None  # person_no (dispatch)
    handler_department: str | None = None  # department code (dispatch)
    due_at: datetime | None = None  # dispatch: a deadline; extension: the one asked for
    urgent: bool | None = None  # dispatch
    passed: bool | None = None  # verify
    approve: bool | None = None  # extension_decide


@dataclass(frozen=True)
class StepResult:
    """A step taken: the event it wrote."""

    step: str
    from_status: str
    to_status: str
    at: datetime
    actor: str
    note: str
    due_at: datetime | None
    photo_ids: list[str] = field(default_factory=list)
    event_id: int | None = None  # the trail's row, which the step's photos are linked to


def take_step(conn: Connection, report_id: str, step: str, body: StepInput, actor: Actor, *,
              calendar: WorkCalendar, now: datetime | None = None) -> StepResult:  # fmt: skip
    """Take one step of the loop on a case, checked against RULES; records its event."""
    if step not in RULES:
        raise InputError(f"unknown step {step!r}: use {', '.join(RULES)}", field="step")
    now = now or china_now()
    case = locked_case(conn, report_id)
    if not in_sight(case, actor):
        raise NotFoundError(f"no report {report_id}", field="id")
    if not may_take(step, case, actor):
        own = step == "verify" and actor.person_id == case["handler_person_id"] is not None
        why = "who handled it may not verify it" if own else \
            f"it needs the case's {RULES[step].relation}"  # fmt: skip
        raise Forbidden(f"the role {actor.role} may not {step.replace('_', ' ')} report "
                        f"{report_id} ({why})")  # fmt: skip
    if case["status"] not in RULES[step].from_statuses:
        allowed = ", ".join(RULES[step].from_statuses)
        raise TransitionError(f"report {report_id} is {case['status']}: {step} is taken from "
                              f"{allowed}", field="status")  # fmt: skip
    _check_body(body)
    # The deadline in force before the step (accepting: the acceptance limit) is kept on
    # the event, so the KPIs judge "within the limit" without a second calendar.
    before = accept_due(calendar, case) if step in ("accept", "refuse") else case["due_at"]
    change = loop_steps.APPLY[step](conn, case, body, actor, calendar, now)
    return _record(conn, case, step, change, body, actor, now, before)


def _check_body(body: StepInput) -> None:
    if len(body.note) > 4000:
        raise InputError("a note is at most 4000 characters", field="note")
    if len(body.photo_ids) > MAX_PHOTOS_PER_STEP:
        raise InputError(f"at most {MAX_PHOTOS_PER_STEP} photos per step", field="photo_ids")
    for n, photo in enumerate(body.photo_ids):
        if not photo or len(photo) > 64:
            raise InputError(f"photo_ids[{n}] must be 1 to 64 characters", field="photo_ids")


_CASE_SQL = """
select r.id, r.status, r.route, r.station_id, r.department_id, r.leader_id, r.officer_id,
       r.handler_person_id, r.handler_department_id, r.dispatcher_role, r.due_at, r.urgent,
       r.received_at, r.supervised_at, r.rework_count,
       c.accept_hours, c.handle_days, c.verify_days
from reports r join report_categories c on c.id = r.category_id
where r.id = cast(:id as uuid) for update of r"""


def locked_case(conn: Connection, report_id: str) -> dict:
    """A case with what the rules read, locked for the step; NotFoundError if none."""
    row = None
    if is_report_id(report_id):
        row = conn.execute(text(_CASE_SQL), {"id": report_id}).mappings().first()
    if row is None:
        raise NotFoundError(f"no report {report_id}", field="id")
    case = dict(row)
    case["limits"] = Limits(case["accept_hours"], case["handle_days"], case["verify_days"])
    return case


def _record(conn, case, step, change: loop_steps.Change, body, actor, now,
            before) -> StepResult:  # fmt: skip
    kind = {"extension": "extension", "extension_decide": "extension",
            "supervise": "supervision"}.get(step, "status")  # fmt: skip
    event_id = conn.execute(
        text("insert into report_events (report_id, at, actor, kind, from_status, to_status, "
             "note, step, due_at, photo_ids, due_before) values (:id, :at, :actor, :kind, :f, "
             ":t, :note, :step, :due, :photos, :before) returning id"),
        {"id": case["id"], "at": now, "actor": actor.name, "kind": kind, "f": case["status"],
         "t": change.to_status, "note": change.note, "step": step, "due": change.due_at,
         "photos": list(body.photo_ids), "before": before},
    ).scalar_one()  # fmt: skip
    return StepResult(step, case["status"], change.to_status, now, actor.name, change.note,
                      change.due_at, list(body.photo_ids), event_id)  # fmt: skip
