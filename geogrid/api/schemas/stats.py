"""Monthly statistics and the assessment table."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class KpisOut(BaseModel):
    """The case loop's KPIs of one group's month (formulas: README "KPIs and the monthly
    assessment"); a rate is null when its denominator is 0."""

    model_config = ConfigDict(from_attributes=True)

    accepted: int
    accepted_on_time: int
    acceptance_on_time_rate: float | None = Field(description="受理及时率")
    handled_or_overdue: int
    handled_on_time: int
    open_overdue: int
    handling_on_time_rate: float | None = Field(description="按期处置率")
    verified: int
    reworked: int
    rework_rate: float | None = Field(description="返工率")
    dispatched: int
    extended: int
    extension_rate: float | None = Field(description="延期率")
    cases: int
    closed: int
    closure_rate: float | None = Field(description="结案率")
    median_hours_to_close: float | None
    p90_hours_to_close: float | None
    valid_report_rate: float | None = Field(description="有效上报率")
    verifications_on_time: int
    proposals_confirmed: int = Field(
        0,
        description="Basic-information reports whose registry "
        "proposal was confirmed (valid, as accepted cases are).",
    )


class FiguresOut(BaseModel):
    """One group's month (see GET /v1/stats/monthly for what each figure counts)."""

    model_config = ConfigDict(from_attributes=True)

    key: str | None = Field(description="Station, grid or person code, category; null for "
                            "reports outside every grid or without a person.")  # fmt: skip
    name: str
    reports: int
    by_category: dict[str, int]
    hazards: int
    disputes: int
    disputes_mediated: int
    cases_assisted: int
    resolved: int
    open: int
    unassigned_backlog: int
    median_hours_to_resolve: float | None
    mean_hours_to_resolve: float | None
    kpis: KpisOut


class MonthlyStatsOut(BaseModel):
    """Totals of the caller's scope for a month, and a row per group."""

    month: str = Field(examples=["2026-05"])
    by: str
    totals: FiguresOut
    rows: list[FiguresOut]


class AssessmentRowOut(BaseModel):
    """One assistant's month."""

    person_no: str
    name: str
    phone: str
    roles: list[str]
    grids: list[str]
    station: str | None
    figures: FiguresOut
    patrol_coverage: float | None = Field(
        None,
        description="巡查覆盖率: the area-weighted share (0..1) of the units of the "
        "person's grids within 50 m of the month's patrol tracks.",
    )


class AssessmentOut(BaseModel):
    """The assessment table: every grid leader and information officer on duty in the month
    within the caller's area, zeros included."""

    month: str
    rows: list[AssessmentRowOut]
