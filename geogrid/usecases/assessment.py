"""The monthly assessment as a caller may see it: every assistant of the caller's area (a
grid staff member: only themselves), with the figures of their grids' reports."""

from __future__ import annotations

from sqlalchemy import Connection

from geogrid.access.roles import Caller
from geogrid.reports.stats import AssessmentRow, assessment


def assessment_for(conn: Connection, caller: Caller, month: str) -> list[AssessmentRow]:
    """The month's table in the caller's area (Forbidden for a role without it)."""
    caller.require("assessment.read")
    person = caller.person_id if caller.role == "grid_staff" else None
    area = None if caller.sees_all or person is not None else caller.area_codes()
    return assessment(conn, month, caller.report_scope(), area=area, person_id=person)
