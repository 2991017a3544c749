"""The case loop's steps on a report (accept ... verify, extension, supervise) and the inbox."""

# No `from __future__ import annotations`: each step's body type is a closure variable,
# which FastAPI can read only from an annotation evaluated at definition.
import uuid

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel

from geogrid.api.deps import (
    CallerDep,
    ConnDep,
    StateDep,
    china_time,
    current_caller,
    query_model,
    query_parameters,
)
from geogrid.api.errors import PROBLEM_RESPONSES
from geogrid.api.lean import LeanRoute
from geogrid.api.schemas.cases import (
    DispatchStep,
    ExtensionAsk,
    ExtensionDecision,
    HandleStep,
    InboxOut,
    InboxQuery,
    NoteStep,
    StepOut,
    VerifyStep,
)
from geogrid.reports.deadlines import calendar_of
from geogrid.reports.inbox import clocked
from geogrid.reports.loop import StepInput
from geogrid.usecases.cases import take_case_step
from geogrid.vocabulary import china_now

router = APIRouter(tags=["cases"], responses=PROBLEM_RESPONSES)


def _input(body: BaseModel) -> StepInput:
    """The step input of any step body (the fronts' names mapped to the loop's)."""
    data = body.model_dump()
    note = data.pop("instruction", None) or data.pop("reason", None) or data.get("note", "")
    data.pop("note", None)
    if "due_at" in data:
        data["due_at"] = china_time(data["due_at"])
    data["photo_ids"] = tuple(data.get("photo_ids", ()))
    return StepInput(note=note, **data)


def _step(name: str, body_type: type[BaseModel], summary: str) -> None:
    path = "/v1/reports/{report_id}/" + name.replace("_decide", "/decide")

    def step(report_id: uuid.UUID, body: body_type, caller: CallerDep,  # type: ignore[valid-type]
             state: StateDep, conn: ConnDep) -> StepOut:  # fmt: skip
        caller.require("reports.update")
        result = take_case_step(conn, str(report_id), name, _input(body), caller,
                           calendar=calendar_of(state.settings.holidays_file))  # fmt: skip
        return StepOut.model_validate(result, from_attributes=True)

    step.__doc__ = summary + " 403 when the caller's role or scope may not, 409 when the " \
        "case's status does not allow it, 400 naming the field for a bad body."  # fmt: skip
    router.add_api_route(path, step, methods=["POST"], response_model=StepOut,
                         summary=summary.split(":")[0], name=f"case_{name}")  # fmt: skip


for _name, _body, _summary in (
    ("accept", NoteStep, "Accept a case (受理): the station, department or county desk."),
    ("refuse", NoteStep, "Refuse a case (不予受理): the desk, with the reason as the note."),
    ("return", NoteStep, "Return a case to county triage (退回): not ours, with the reason."),
    ("dispatch", DispatchStep, "Dispatch a case (派遣): to a person or department, with an "
                               "instruction and a deadline (default: the category's limit)."),
    ("start", NoteStep, "Start handling (处置): the handler."),
    ("handle", HandleStep, "Handled (处置完毕): the handler, with a note and photo ids."),
    ("verify", VerifyStep, "Verify on site (核查): the grid's staff, the station or county; "
                           "passed waits for the desk's close, failed sends it back for "
                           "rework (返工)."),
    ("close", NoteStep, "Close a verified case (结案): the desk that runs it (the station, "
                        "department or county that may dispatch it), with an optional note."),
    ("extension", ExtensionAsk, "Ask for an extension (延期): the handler, with a reason."),
    ("extension_decide", ExtensionDecision, "Decide an extension: whoever dispatched."),
    ("supervise", NoteStep, "Supervise (督办): the station or county, with a note; the case "
                            "goes to the top of every inbox."),
):  # fmt: skip
    _step(_name, _body, _summary)


async def inbox(request: Request) -> Response:
    """Cases waiting for the caller's role and scope (to accept, dispatch, handle, verify,
    extensions to decide; supervised or overdue), supervised first, then by deadline."""
    # Polled by every desk, so lean (a LeanRoute, as the lookup): the caller and the query
    # are read here, the cases come from the process's inbox cache (exact: it asks the
    # database whether anything changed) and the answer is written as InboxOut's JSON.
    caller = await current_caller(request)
    caller.require("reports.read")
    query = query_model(InboxQuery, request)
    body = await run_in_threadpool(_inbox_body, request.app.state.geogrid, caller, query.limit)
    return Response(body, media_type="application/json")


def _inbox_body(state, caller, limit: int) -> bytes:
    """The caller's inbox as JSON: the cases kept or read, their clocks now (blocking)."""
    calendar, now = calendar_of(state.settings.holidays_file), china_now()
    cases = state.inboxes.cases(state.engine, caller, calendar=calendar, now=now, limit=limit)
    return state.inbox_json.body(cases, clocked(cases, calendar, now))


router.add_api_route(
    "/v1/inbox", inbox, methods=["GET"], response_model=InboxOut, summary="What is waiting for me",
    openapi_extra={"parameters": query_parameters(InboxQuery)}, route_class_override=LeanRoute,
)  # fmt: skip
