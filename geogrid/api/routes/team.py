"""The assistants' team, person by person: selection (选任), putting people on grids, leave
with a cover on duty (请销假), rewards and sanctions. A station manages the people of its
communities; an assistant asks for and ends their own leave."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from geogrid.access.audit import record
from geogrid.access.roles import Caller
from geogrid.api.deps import CallerDep, ConnDep, DocumentedQuery, SingleValues, StateDep
from geogrid.api.errors import PROBLEM_RESPONSES
from geogrid.api.schemas.common import StorableStr
from geogrid.api.schemas.team import (
    ActionIn,
    ActionOut,
    ApproveIn,
    AssignmentIn,
    CoverOut,
    CreatedOut,
    LeaveIn,
    LeaveOut,
    ReturnIn,
    ReviewDueOut,
    SelectionOut,
    StageIn,
    StageOut,
)
from geogrid.errors import NotFoundError
from geogrid.storage.selection import selection_gaps
from geogrid.team import actions, leave, selection
from geogrid.team.people import PersonRef, find_person, person_by_id
from geogrid.usecases.staffing import assign_person
from geogrid.vocabulary import china_today

router = APIRouter(prefix="/v1/team", tags=["team"], responses=PROBLEM_RESPONSES,
                   dependencies=[SingleValues, DocumentedQuery])  # fmt: skip
PersonNo = Annotated[StorableStr, Path(max_length=32, description="The person's person_no.")]
LeaveId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The leave request's id.")]


def person_in_scope(conn, caller: Caller, person_no: str) -> PersonRef:
    """The person, if the caller's scope holds them (else 404: existence does not leak)."""
    person = find_person(conn, person_no)
    if not caller.sees_person(person.id, person.community_code):
        raise NotFoundError(f"no person {person_no!r} in the register", field="person_no")
    return person


@router.get("/people/{person_no}/selection", response_model=SelectionOut,
            summary="A person's selection history")  # fmt: skip
def selection_of(person_no: PersonNo, caller: CallerDep, conn: ConnDep) -> SelectionOut:
    """Every decision of the person's selection and re-reviews, and what still keeps them
    off a grid (empty: they may hold one). The read is audited (personal data)."""
    caller.require("team.read")
    person = person_in_scope(conn, caller, person_no)
    record(conn, caller, "read", "selection", person.person_no)
    return _selection(conn, person)


def _selection(conn, person: PersonRef) -> SelectionOut:
    rows = [StageOut.model_validate(r) for r in selection.history(conn, person)]
    return SelectionOut(person_no=person.person_no, name=person.name, history=rows,
                        missing=selection_gaps(conn, person.id))  # fmt: skip


@router.post("/people/{person_no}/selection", response_model=SelectionOut, status_code=201,
             summary="Record a stage of selection")  # fmt: skip
def add_stage(person_no: PersonNo, body: StageIn, caller: CallerDep, conn: ConnDep) -> SelectionOut:
    """Record a decision: stages in order (each after every earlier one passed), the station
    inspection with its five aspects, a re-review after the filing."""
    caller.require("team.manage")
    person = person_in_scope(conn, caller, person_no)
    decision = selection.StageDecision(
        body.stage, body.outcome, body.decided_on, caller.describe(), body.note,
        dict(body.aspects))  # fmt: skip
    selection.record_stage(conn, person, decision)
    record(conn, caller, "change", "selection", person.person_no, {"stage": body.stage})
    return _selection(conn, person)


@router.get("/reviews-due", response_model=list[ReviewDueOut],
            summary="Assistants due for re-review")  # fmt: skip
def reviews_due(caller: CallerDep, state: StateDep, conn: ConnDep) -> list[ReviewDueOut]:
    """Assistants of the caller's area whose filing or last re-review is a cycle old
    (GEOGRID_REVIEW_MONTHS, 12 by default)."""
    caller.require("team.read")
    due = selection.reviews_due(conn, china_today(), state.settings.review_months,
                                caller.area_codes())  # fmt: skip
    return [ReviewDueOut.model_validate(d) for d in due]


@router.post("/assignments", response_model=CreatedOut, status_code=201,
             summary="Put a person on a grid")  # fmt: skip
def assign(body: AssignmentIn, caller: CallerDep, conn: ConnDep) -> CreatedOut:
    """Only someone who passed every stage of selection: else 409 naming the person and
    what is missing."""
    caller.require("team.manage")
    person_in_scope(conn, caller, body.person_no)
    if not caller.covers(body.grid_code):
        raise NotFoundError(f"no grid {body.grid_code}", field="grid_code")
    made = assign_person(conn, body.person_no, body.grid_code, body.role, body.first_day)
    record(conn, caller, "change", "assignment", body.person_no, {"grid": body.grid_code})
    return CreatedOut(id=made)


@router.post("/people/{person_no}/actions", response_model=ActionOut, status_code=201,
             summary="Record a reward or sanction")  # fmt: skip
def add_action(person_no: PersonNo, body: ActionIn, caller: CallerDep, conn: ConnDep) -> ActionOut:
    """一案一奖 / 一事一奖 / commendation / warning / dismissal (调整辞退: the person's
    assignments end from its day, so their grids need staff again)."""
    caller.require("team.manage")
    person = person_in_scope(conn, caller, person_no)
    action = actions.ActionIn(body.kind, body.on_day, body.reason, caller.describe(),
                              body.amount, body.report_id)  # fmt: skip
    done = actions.record_action(conn, person, action)
    record(conn, caller, "change", "team_action", person.person_no, {"kind": body.kind})
    return ActionOut(id=done.id, ended_grids=done.ended_grids)


@router.post("/leave", response_model=LeaveOut, status_code=201, summary="Ask for leave")
def ask_leave(body: LeaveIn, caller: CallerDep, conn: ConnDep) -> LeaveOut:
    """A leave request (an assistant's own, or made by the station for one of its people),
    waiting for the station's decision."""
    caller.require("team.self")
    person = person_in_scope(conn, caller, body.person_no)
    made = leave.request_leave(conn, person, body.first_day, body.last_day, body.reason)
    return _leave_out(conn, made)


def _leave_out(conn, leave_id: int, covers: list | None = None) -> LeaveOut:
    found = leave.get_leave(conn, leave_id)
    person = person_by_id(conn, found.person_id)
    return LeaveOut(id=found.id, person_no=person.person_no, first_day=found.first_day,
                    last_day=found.last_day, status=found.status, returned_on=found.returned_on,
                    covers=[CoverOut.model_validate(c) for c in covers or []])  # fmt: skip


@router.get("/leave/{leave_id}/covers", response_model=list[CoverOut],
            summary="Who could cover a leave")  # fmt: skip
def covers(leave_id: LeaveId, caller: CallerDep, conn: ConnDep) -> list[CoverOut]:
    """Per grid the person holds: the holders of the touching grids (own community first),
    then the community police officer; nobody on leave then."""
    caller.require("team.read")
    found = leave.leave_in_scope(conn, caller, leave_id)
    options = leave.propose_covers(conn, found)
    record(conn, caller, "read", "leave_covers", str(leave_id), {"people": len(options)})
    return [CoverOut.model_validate(c) for c in options]


@router.post("/leave/{leave_id}/approve", response_model=LeaveOut, summary="Approve leave")
def approve(leave_id: LeaveId, body: ApproveIn, caller: CallerDep, conn: ConnDep) -> LeaveOut:
    """Approve, putting a cover on duty for each grid (chosen, or the first proposal): the
    reports of the grid then go to the cover, with the cover's phone."""
    caller.require("team.manage")
    leave.leave_in_scope(conn, caller, leave_id)
    chosen = {c.grid_code: c.person_no for c in body.covers}
    made = leave.approve_leave(conn, leave_id, caller.describe(), chosen)
    return _leave_out(conn, leave_id, made)


@router.post("/leave/{leave_id}/refuse", response_model=LeaveOut, summary="Refuse leave")
def refuse(leave_id: LeaveId, caller: CallerDep, conn: ConnDep) -> LeaveOut:
    """Refuse a request still waiting."""
    caller.require("team.manage")
    leave.leave_in_scope(conn, caller, leave_id)
    leave.refuse_leave(conn, leave_id, caller.describe())
    return _leave_out(conn, leave_id)


@router.post("/leave/{leave_id}/return", response_model=LeaveOut, summary="Back from leave")
def come_back(leave_id: LeaveId, body: ReturnIn, caller: CallerDep, conn: ConnDep) -> LeaveOut:
    """销假: the person is on duty again from the day; the covers end the day before."""
    caller.require("team.self")
    leave.leave_in_scope(conn, caller, leave_id)
    leave.end_leave(conn, leave_id, body.day)
    return _leave_out(conn, leave_id)


@router.get("/leave", response_model=list[LeaveOut], summary="A person's leave")
def leave_list(
    caller: CallerDep, conn: ConnDep,
    person_no: Annotated[StorableStr, Query(max_length=32, description="person_no")],
) -> list[LeaveOut]:  # fmt: skip
    """A person's leave requests, newest first."""
    caller.require("team.self")
    person = person_in_scope(conn, caller, person_no)
    record(conn, caller, "read", "leave", person.person_no)
    return [_leave_out(conn, item.id) for item in leave.leave_of_person(conn, person)]
