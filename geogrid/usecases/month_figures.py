"""The console's month figures on stored rows (team/month_store.py): the assessment table
of a caller's area, the team's month lines and the map's patrol coverage per unit, each with
the time it was computed.

The county's and a station's figures are stored per scope; a grid staff member's own line
is worked out on each view (it reads only their reports). Confirmed months are read back
as confirmed over the stored lines."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from functools import partial
from typing import NamedTuple

from sqlalchemy import Connection, Engine

from geogrid.access.roles import Caller
from geogrid.patrols.coverage import coverage_by_unit
from geogrid.reports.kpis import Kpis
from geogrid.reports.stats import AssessmentRow, Figures, assessment, month_range
from geogrid.team.assessment import Line, line_of_json, line_values, with_confirmed
from geogrid.team.assessment import worked_out_lines as _worked_out
from geogrid.team.metrics import default_sources
from geogrid.team.month_store import Codec, FiguresKey, stored_figures
from geogrid.team.scoring import Scheme
from geogrid.usecases.assessment import assessment_for
from geogrid.vocabulary import china_now

COUNTY = "county"


def _assessment_row(stored: dict) -> AssessmentRow:
    figures = dict(stored["figures"])
    figures["kpis"] = Kpis(**figures["kpis"])
    return AssessmentRow(**stored | {"figures": Figures(**figures)})


ASSESSMENT = Codec(asdict, _assessment_row)
LINES = Codec(line_values, line_of_json)


@dataclass(frozen=True)
class MonthFigures:
    """A page's rows and when they were computed (and their key when they are stored)."""

    rows: list
    computed_at: datetime
    key: FiguresKey | None = None


def stored_assessment(engine: Engine, conn: Connection, caller: Caller, month: str,
                      max_age_s: int) -> MonthFigures:  # fmt: skip
    """The month's assessment table in the caller's area (Forbidden for a role without it):
    the county's or the caller's station's stored rows, a grid staff member's line now."""
    caller.require("assessment.read")
    month_range(month)  # InputError naming `month` before any work
    if caller.role == "grid_staff":
        return MonthFigures(assessment_for(conn, caller, month), china_now())
    scope, area = COUNTY, None
    if not caller.sees_all:
        scope, area = caller.station_code or "", caller.area_codes()
    compute = partial(_assessment_of, month=month, scope=caller.report_scope(), area=area)
    found = stored_figures(engine, conn, FiguresKey("assessment", scope, month), compute,
                           ASSESSMENT, max_age_s)  # fmt: skip
    return MonthFigures(found.rows, found.computed_at)


def _assessment_of(conn: Connection, *, month: str, scope, area) -> list[AssessmentRow]:
    return assessment(conn, month, scope, area=area)


def stored_month_lines(
    engine: Engine, conn: Connection, month: str, scheme: Scheme,
    station: tuple[int, str] | None, max_age_s: int,
) -> MonthFigures:  # fmt: skip
    """The month's lines of a station (id, code) or the county: the stored worked-out
    lines, with the confirmed ones read back as confirmed."""
    station_id = None if station is None else station[0]
    key = FiguresKey("team", COUNTY if station is None else station[1], month)
    compute = partial(_lines_of, month=month, scheme=scheme, station_id=station_id)
    found = stored_figures(engine, conn, key, compute, LINES, max_age_s)
    return MonthFigures(with_confirmed(conn, month, station_id, found.rows), found.computed_at)


def _lines_of(conn: Connection, *, month: str, scheme: Scheme, station_id: int | None
              ) -> list[Line]:  # fmt: skip
    return _worked_out(conn, month, scheme, default_sources(station_id), station_id)


class UnitCover(NamedTuple):
    """A unit's patrol coverage of the month as the map's coverage layer reads it."""

    code: str
    area_m2: float
    covered_m2: float
    patrols: int
    days: int


# Stored as a list per unit: the county's 7,236 units in about 300 kB, not twice that.
COVERAGE = Codec(list, lambda stored: UnitCover(*stored))


def stored_coverage(engine: Engine, conn: Connection, caller: Caller, month: str,
                    max_age_s: int) -> MonthFigures:  # fmt: skip
    """The month's patrol coverage of every unit in the caller's area (Forbidden for a role
    without it): the county's or the caller's station's stored rows, others' now."""
    caller.require("coverage.read")
    month_range(month)  # InputError naming `month` before any work
    area = caller.area_codes()
    compute = partial(_coverage_of, month=month, area=area)
    if caller.role == "grid_staff":  # a few units of their own: no stored scope of theirs
        return MonthFigures(compute(conn), china_now())
    key = FiguresKey("coverage", COUNTY if caller.sees_all else caller.station_code or "", month)
    found = stored_figures(engine, conn, key, compute, COVERAGE, max_age_s)
    return MonthFigures(found.rows, found.computed_at, key)


def _coverage_of(conn: Connection, *, month: str, area: tuple[str, ...] | None
                 ) -> list[UnitCover]:  # fmt: skip
    return [UnitCover(u.code, u.area_m2, u.covered_m2, u.patrols, u.days)
            for u in coverage_by_unit(conn, month, area=area)]  # fmt: skip
