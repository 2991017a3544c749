"""Monthly statistics and the assessment table."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


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


class AssessmentOut(BaseModel):
    """The assessment table: every grid leader and information officer on duty in the month
    within the caller's area, zeros included."""

    month: str
    rows: list[AssessmentRowOut]
