"""The assistants' team, month by month: training, meetings (例会), requests to the station
(请示报告), the monthly assessment and subsidy, its confirmation by the station head, appeals,
and the payroll sheet."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path as FilePath
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from geogrid.access.audit import record
from geogrid.access.errors import Forbidden
from geogrid.access.roles import Caller
from geogrid.api.deps import CallerDep, ConnDep, DocumentedQuery, SingleValues, StateDep
from geogrid.api.errors import PROBLEM_RESPONSES
from geogrid.api.routes.team import person_in_scope
from geogrid.api.schemas.common import IsoDate
from geogrid.api.schemas.team import (
    AppealIn,
    AssessmentOut,
    AttendanceOut,
    CreatedOut,
    DecisionIn,
    LineOut,
    MeetingIn,
    ReplyIn,
    RequestIn,
    RequestOut,
    SourceFiguresOut,
    TrainingIn,
)
from geogrid.errors import InputError, NotFoundError
from geogrid.reports.stats import MONTH_PATTERN
from geogrid.storage.places import station_id
from geogrid.team import assessment, training
from geogrid.team.figures import source_figures
from geogrid.team.metrics import default_sources
from geogrid.team.payroll import PhonePlan, payroll_csv
from geogrid.team.people import person_by_id
from geogrid.team.scoring import load_scheme

router = APIRouter(prefix="/v1/team", tags=["team"], responses=PROBLEM_RESPONSES,
                   dependencies=[SingleValues, DocumentedQuery])  # fmt: skip
Month = Annotated[str, Query(pattern=f"^{MONTH_PATTERN}$", description="YYYY-MM (China time).",
                             examples=["2026-05"])]  # fmt: skip
RequestId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The request's id.")]
AppealId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The appeal's id.")]


def _own_station(conn, caller: Caller, code: str | None) -> int | None:
    """The station a desk acts for: a station its own only (another is 404); the county
    any, or none (county-wide)."""
    if code is None:
        if not caller.sees_all:
            raise Forbidden("only the county holds county-wide training; name your station")
        return None
    if not caller.sees_all and code != caller.station_code:
        raise NotFoundError(f"no station {code!r}", field="station")
    found = station_id(conn, code)
    if found is None:
        raise NotFoundError(f"no station {code!r}", field="station")
    return found


@router.post("/training", response_model=AttendanceOut, status_code=201,
             summary="Record a training session")  # fmt: skip
def add_training(body: TrainingIn, caller: CallerDep, conn: ConnDep) -> AttendanceOut:
    """A session with its hours and attendance; hours count in the month's assessment."""
    caller.require("team.manage")
    station = _own_station(conn, caller, body.station)
    done = training.add_session(conn, training.SessionIn(
        body.held_on, body.topic, body.trainer, body.hours, "county" if station is None
        else "station", station, tuple(body.attendees)))  # fmt: skip
    return AttendanceOut(id=done.id, counted=done.counted, unknown=done.unknown)


@router.post("/meetings", response_model=AttendanceOut, status_code=201,
             summary="Record a station meeting")  # fmt: skip
def add_meeting(body: MeetingIn, caller: CallerDep, conn: ConnDep) -> AttendanceOut:
    """A regular meeting (例会) of a station and who was there."""
    caller.require("team.manage")
    station = _own_station(conn, caller, body.station)
    done = training.add_meeting(conn, body.held_on, station, body.topic, tuple(body.present),
                                tuple(body.absent))  # fmt: skip
    return AttendanceOut(id=done.id, counted=done.counted, unknown=done.unknown)


@router.post("/requests", response_model=CreatedOut, status_code=201,
             summary="Write to the station (请示报告)")  # fmt: skip
def ask(body: RequestIn, caller: CallerDep, conn: ConnDep) -> CreatedOut:
    """An assistant's request or report to their station."""
    caller.require("team.self")
    if caller.person_id is None:
        raise Forbidden("requests to the station are written by assistants")
    person = person_by_id(conn, caller.person_id)
    return CreatedOut(id=training.ask_station(conn, person, body.subject, body.body))


@router.get("/requests", response_model=list[RequestOut], summary="Requests to the station")
def requests(
    caller: CallerDep, conn: ConnDep,
    waiting: Annotated[bool, Query(description="Only those without a reply.")] = False,
) -> list[RequestOut]:  # fmt: skip
    """The requests of the people of the caller's area (an assistant: their own), newest
    first, at most 200."""
    caller.require("team.self")
    person = caller.person_id if caller.role == "grid_staff" else None
    area = None if caller.sees_all or person is not None else caller.area_codes()
    found = training.requests_of(conn, area, person, waiting)
    record(conn, caller, "read", "station_requests", "", {"count": len(found)})
    return [RequestOut.model_validate(r) for r in found]


@router.post("/requests/{request_id}/reply", response_model=CreatedOut,
             summary="Reply to a request")  # fmt: skip
def reply(request_id: RequestId, body: ReplyIn, caller: CallerDep, conn: ConnDep) -> CreatedOut:
    """The station's reply (once) to a request of one of its people."""
    caller.require("team.manage")
    asker = training.request_person(conn, request_id)
    person = person_by_id(conn, asker)
    if not caller.sees_person(person.id, person.community_code):
        raise NotFoundError(f"no request {request_id}", field="request_id")
    training.reply_to_request(conn, request_id, body.reply, caller.describe())
    return CreatedOut(id=request_id)


def _lines(conn, state, caller: Caller, month: str) -> list[assessment.Line]:
    scheme = load_scheme(state.settings.subsidy_file)
    station = None if caller.sees_all else caller.station_id
    lines = assessment.month_lines(conn, month, scheme, default_sources(station), station)
    if caller.role == "grid_staff":
        lines = [line for line in lines if line.person_id == caller.person_id]
    return lines


@router.get("/assessment", response_model=AssessmentOut, summary="The month's subsidy lines")
def month_assessment(month: Month, caller: CallerDep, state: StateDep,
                     conn: ConnDep) -> AssessmentOut:  # fmt: skip
    """Each assistant's metrics (null: no data), points, score and subsidy for the month
    (a station: its own; an assistant: their own line); confirmed months as confirmed."""
    caller.require("assessment.read")
    lines = _lines(conn, state, caller, month)
    record(conn, caller, "read", "assessment", month, {"lines": len(lines)})
    return AssessmentOut(month=month, lines=[LineOut.model_validate(li) for li in lines])


@router.post("/assessment/confirm", response_model=AssessmentOut,
             summary="Confirm (lock) the station's month")  # fmt: skip
def confirm(
    month: Month, caller: CallerDep, state: StateDep, conn: ConnDep,
    station: Annotated[str | None, Query(max_length=32, pattern=r"^[0-9A-Za-z_-]*$",
                                         description="The county: the station it confirms "
                                         "for (a station: its own).")] = None,
) -> AssessmentOut:  # fmt: skip
    """The station head confirms a finished month: its lines are stored and can no longer
    change (409 if already confirmed)."""
    caller.require("team.confirm")
    if caller.sees_all and station is None:
        raise InputError("the county names the station whose month it confirms", field="station")
    found = _own_station(conn, caller, station or caller.station_code)
    scheme = load_scheme(state.settings.subsidy_file)
    lines = assessment.confirm_month(conn, month, found, caller.describe(), scheme,
                                     default_sources(found))  # fmt: skip
    record(conn, caller, "change", "assessment", month, {"confirmed": len(lines)})
    return AssessmentOut(month=month, lines=[LineOut.model_validate(li) for li in lines])


@router.post("/assessment/appeals", response_model=CreatedOut, status_code=201,
             summary="Appeal a month's assessment")  # fmt: skip
def add_appeal(body: AppealIn, caller: CallerDep, conn: ConnDep) -> CreatedOut:
    """An appeal, recorded for the station to decide; the month's figures stay."""
    caller.require("team.self")
    person = person_in_scope(conn, caller, body.person_no)
    made = assessment.appeal(conn, body.month, person, body.reason, caller.describe())
    return CreatedOut(id=made)


@router.post("/assessment/appeals/{appeal_id}/decide", response_model=CreatedOut,
             summary="Decide an appeal")  # fmt: skip
def decide(appeal_id: AppealId, body: DecisionIn, caller: CallerDep, conn: ConnDep) -> CreatedOut:
    """The station's decision on an appeal of one of its people (once; 409 after)."""
    caller.require("team.manage")
    person = person_by_id(conn, assessment.appeal_person(conn, appeal_id))
    if not caller.sees_person(person.id, person.community_code):
        raise NotFoundError(f"no appeal {appeal_id}", field="appeal_id")
    assessment.decide_appeal(conn, appeal_id, body.decision, caller.describe())
    return CreatedOut(id=appeal_id)


@router.get("/payroll", responses={200: {"content": {"text/csv": {}}}},
            response_class=Response, summary="The month's payroll sheet (CSV)")  # fmt: skip
def payroll(month: Month, caller: CallerDep, state: StateDep, conn: ConnDep) -> Response:
    """Per town (镇街): each assistant's subsidy and the phone plan's shares, town totals."""
    caller.require("team.read")
    lines = _lines(conn, state, caller, month)
    record(conn, caller, "read", "payroll", month, {"lines": len(lines)})
    sheet = payroll_csv(lines, PhonePlan.from_settings(state.settings))
    named = {"Content-Disposition": f'attachment; filename="payroll-{month}.csv"'}
    return Response(sheet, media_type="text/csv; charset=utf-8", headers=named)


@router.get("/figures", response_model=SourceFiguresOut,
            responses={200: {"content": {"application/pdf": {}}}},
            summary="The source case's result table for a period")  # fmt: skip
def figures(
    caller: CallerDep, conn: ConnDep,
    first: Annotated[IsoDate, Query(description="First day (China time).")],
    last: Annotated[IsoDate, Query(description="Last day (China time).")],
    format: Annotated[Literal["json", "pdf"], Query()] = "json",
) -> SourceFiguresOut | Response:  # fmt: skip
    """Basic information collected, hazards found, cases assisted, people served, disputes
    mediated, villages with no criminal case and with an assistant, the assistants' average
    age, people adjusted: for the caller's area, as JSON or a printable PDF page."""
    caller.require("team.read")
    found = source_figures(conn, first, last, caller.area_codes())
    if format == "json":
        return SourceFiguresOut.model_validate(found)
    return Response(_figures_pdf(found, first, last), media_type="application/pdf")


def _figures_pdf(found, first: date, last: date) -> bytes:
    from geogrid.prints.team_figures import write_figures_pdf

    with tempfile.TemporaryDirectory() as folder:
        path = write_figures_pdf(found, f"一村一警务助理工作成效 {first} 至 {last}",
                                 FilePath(folder) / "figures.pdf")  # fmt: skip
        return path.read_bytes()
