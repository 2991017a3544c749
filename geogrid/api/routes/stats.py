"""Monthly statistics per county, station, grid, assistant or category; the assessment."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from geogrid.api.deps import CallerDep, ConnDep, SingleValues
from geogrid.api.errors import PROBLEM_RESPONSES
from geogrid.api.exports import assessment_csv
from geogrid.api.schemas.stats import AssessmentOut, AssessmentRowOut, FiguresOut, MonthlyStatsOut
from geogrid.reports.stats import MONTH_PATTERN, assessment, monthly_stats

router = APIRouter(
    prefix="/v1/stats",
    tags=["statistics"],
    responses=PROBLEM_RESPONSES,
    dependencies=[SingleValues],
)
Month = Annotated[str, Query(pattern=f"^{MONTH_PATTERN}$", description="YYYY-MM (China time).",
                             examples=["2026-05"])]  # fmt: skip


@router.get("/monthly", response_model=MonthlyStatsOut, summary="Monthly statistics")
def monthly(
    month: Month, caller: CallerDep, conn: ConnDep,
    by: Annotated[Literal["county", "station", "grid", "assistant", "department",
                          "category"], Query()] = "station",
) -> MonthlyStatsOut:  # fmt: skip
    """Reports of the month (by when they were made, China time) in the caller's scope:
    reports per category; hazards found (categories of the hazard heatmap); disputes and
    disputes mediated (reached resolved); cases assisted (public-security incidents sent to
    the police, disputes excepted); resolved, and hours from received to resolved (median,
    mean); still open; the unassigned backlog (outside every grid, still open); and the
    case loop's KPIs (受理及时率, 按期处置率, 返工率, 延期率, 结案率, hours to close, 有效上报率).
    An assistant's row counts the reports of their grid (leader) or unit (officer)."""
    caller.require("stats.read")
    totals, rows = monthly_stats(conn, month, by, caller.report_scope())
    return MonthlyStatsOut(
        month=month, by=by, totals=FiguresOut.model_validate(totals),
        rows=[FiguresOut.model_validate(r) for r in rows],
    )  # fmt: skip


@router.get(
    "/assessment",
    response_model=AssessmentOut,
    responses={200: {"content": {"text/csv": {}}}},
    summary="The monthly assessment table per assistant (JSON or CSV)",
)
def assessment_table(
    month: Month, caller: CallerDep, conn: ConnDep,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> AssessmentOut | Response:  # fmt: skip
    """Every grid leader and information officer on duty during the month in the caller's
    area (a grid staff member: only themselves), with the figures of the reports of their
    grids: the basis of the performance subsidy."""
    caller.require("assessment.read")
    person = caller.person_id if caller.role == "grid_staff" else None
    area = None if caller.sees_all or person is not None else caller.area_codes()
    rows = assessment(conn, month, caller.report_scope(), area=area, person_id=person)
    if format == "csv":
        return Response(
            assessment_csv(rows), media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="assessment-{month}.csv"'},
        )  # fmt: skip
    return AssessmentOut(month=month, rows=[_row(r) for r in rows])


def _row(row) -> AssessmentRowOut:
    return AssessmentRowOut(
        person_no=row.person_no, name=row.name, phone=row.phone, roles=row.roles,
        grids=row.grids, station=row.station, figures=FiguresOut.model_validate(row.figures),
        patrol_coverage=row.patrol_coverage,
    )  # fmt: skip
