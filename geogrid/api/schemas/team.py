"""The team's request bodies and answers: selection, assignments, leave, rewards and
sanctions, training, meetings, requests to the station, the monthly assessment."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from geogrid.api.schemas.common import IsoDate, StorableStr
from geogrid.vocabulary import (
    REVIEW_ASPECTS,
    REVIEW_STAGE,
    SELECTION_STAGES,
    STAFF_ROLES,
    TEAM_ACTIONS,
)

Text = Annotated[StorableStr, Field(min_length=1, max_length=2000)]
Note = Annotated[StorableStr, Field(max_length=2000)]
PersonNo = Annotated[StorableStr, Field(min_length=1, max_length=32, description="person_no")]
Code = Annotated[str, Field(min_length=12, max_length=18, pattern=r"^\d{12,18}$")]
Stage = Literal[(*SELECTION_STAGES, REVIEW_STAGE)]  # type: ignore[valid-type]
Aspect = Literal[REVIEW_ASPECTS]  # type: ignore[valid-type]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class StageIn(_Body):
    """One decision of selection (选任), in stage order; the station inspection covers the
    five aspects 政治面貌、现实表现、社会关系、家庭状况、遵纪守法."""

    stage: Stage
    outcome: Literal["passed", "failed"]
    decided_on: IsoDate
    note: Note = ""
    aspects: dict[Aspect, Text] = Field(default_factory=dict, examples=[  # type: ignore[valid-type]
        dict.fromkeys(REVIEW_ASPECTS, "良好")])  # fmt: skip


class StageOut(BaseModel):
    """A recorded decision."""

    model_config = ConfigDict(from_attributes=True)

    stage: str
    outcome: str
    decided_on: date
    decided_by: str
    note: str
    aspects: dict | None


class SelectionOut(BaseModel):
    """A person's selection: the decisions, and what still keeps them off a grid (empty:
    they may hold one)."""

    person_no: str
    name: str
    history: list[StageOut]
    missing: list[str]


class AssignmentIn(_Body):
    """Put a person on a grid of the active version in a role from a day on."""

    person_no: PersonNo
    grid_code: Code
    role: Literal[STAFF_ROLES]  # type: ignore[valid-type]
    first_day: IsoDate


class CreatedOut(BaseModel):
    """The id of what was made."""

    id: int


class LeaveIn(_Body):
    """A leave request: who (an assistant: themselves), from and through which day, why."""

    person_no: PersonNo
    first_day: IsoDate
    last_day: IsoDate
    reason: Text


class CoverOut(BaseModel):
    """Someone who could stand in (or stands in) on one grid, and why them."""

    model_config = ConfigDict(from_attributes=True)

    grid_code: str
    role: str
    person_no: str
    name: str
    phone: str
    why: str


class LeaveOut(BaseModel):
    """A leave request and its covers."""

    id: int
    person_no: str
    first_day: date
    last_day: date
    status: str
    returned_on: date | None = None
    covers: list[CoverOut] = []


class CoverChoice(_Body):
    """Who covers one grid."""

    grid_code: Code
    person_no: PersonNo


class ApproveIn(_Body):
    """The station's choice of cover per grid; a grid not named gets the first proposal."""

    covers: list[CoverChoice] = Field(default=[], max_length=200)


class ReturnIn(_Body):
    """Back on duty from this day (销假)."""

    day: IsoDate


class ActionIn(_Body):
    """A reward or sanction: 一案一奖 names its report; a warning's amount is deducted;
    a dismissal (调整辞退) ends the person's grid assignments from its day."""

    kind: Literal[TEAM_ACTIONS]  # type: ignore[valid-type]
    on_day: IsoDate
    reason: Text
    amount: float = Field(default=0, ge=0, le=100_000, description="Yuan (to the fen).")
    report_id: Annotated[StorableStr, Field(max_length=64)] | None = None


class ActionOut(BaseModel):
    """What was recorded, and the grids a dismissal took the person off."""

    id: int
    ended_grids: list[str]


class TrainingIn(_Body):
    """A training session (county-wide: the county only; a station's: its own) and who
    attended (register numbers; unknown ones are listed back, the others counted)."""

    held_on: IsoDate
    topic: Text
    trainer: Text
    hours: float = Field(gt=0, le=24)
    station: Annotated[StorableStr, Field(max_length=32)] | None = None
    attendees: list[PersonNo] = Field(default=[], max_length=2000)


class MeetingIn(_Body):
    """A station's regular meeting (例会): who was there, who was expected and absent."""

    held_on: IsoDate
    station: Annotated[StorableStr, Field(max_length=32)]
    topic: Text
    present: list[PersonNo] = Field(default=[], max_length=2000)
    absent: list[PersonNo] = Field(default=[], max_length=2000)


class AttendanceOut(BaseModel):
    """The session or meeting made, how many people were counted, who was not known."""

    id: int
    counted: int
    unknown: list[str]


class RequestIn(_Body):
    """A request or report to the station (请示报告), from the assistant themselves."""

    subject: Text
    body: Note = ""


class ReplyIn(_Body):
    """The station's reply."""

    reply: Text


class AppealIn(_Body):
    """An appeal against a month's assessment."""

    month: Annotated[str, Field(pattern=r"^((?:19|2\d)\d\d)-(0[1-9]|1[0-2])$")]
    person_no: PersonNo
    reason: Text


class LineOut(BaseModel):
    """One assistant's month: metrics (null: no data), points, score and subsidy."""

    model_config = ConfigDict(from_attributes=True)

    person_no: str
    name: str
    station_code: str | None
    town_code: str
    town_name: str
    metrics: dict[str, float | None]
    parts: dict[str, Decimal]
    score: Decimal
    performance_yuan: Decimal
    rewards_yuan: Decimal
    deductions_yuan: Decimal
    amount: Decimal
    confirmed: bool


class AssessmentOut(BaseModel):
    """The month's lines in the caller's scope."""

    month: str
    lines: list[LineOut]


class ReviewDueOut(BaseModel):
    """An assistant due for re-review (复审)."""

    model_config = ConfigDict(from_attributes=True)

    person_no: str
    name: str
    last_review: date


class SourceFiguresOut(BaseModel):
    """The source case's result table for a period and area (see team/figures.py for what
    each figure counts)."""

    model_config = ConfigDict(from_attributes=True)

    first: date
    last: date
    area: list[str] | None
    basic_info: int
    hazards: int
    cases_assisted: int
    people_served: int
    disputes_mediated: int
    villages: int
    villages_without_crime: int
    villages_with_assistant: int
    coverage: float | None
    assistants: int
    average_age: float | None
    adjusted: int


class RequestOut(BaseModel):
    """A request to the station and its reply (null until replied)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    person_no: str
    name: str
    asked_at: datetime
    subject: str
    body: str
    reply: str | None
    replied_by: str | None


class DecisionIn(_Body):
    """The decision on an appeal."""

    decision: Text
