"""The console's month page (月度考核): each assistant's score and subsidy for a month
(team/assessment.py), the station head's confirmation that locks it, the payroll sheet per
town (镇街) as XLSX or CSV, and the month's appeals. A station sees and confirms its own
month; the county sees every station and names the one it confirms for."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from geogrid.access.audit import record
from geogrid.access.roles import Caller
from geogrid.api.deps import ConnDep, StateDep
from geogrid.console.pages import ConsoleRoute, FormDep, PageDep, page_context
from geogrid.console.paging import page_links, table_page
from geogrid.console.render import CONSOLE, render
from geogrid.errors import InputError, NotFoundError
from geogrid.reports.stats import MONTH_PATTERN
from geogrid.storage.places import station_id
from geogrid.team import assessment
from geogrid.team.desk import appeals_of_month
from geogrid.team.metrics import default_sources, month_days
from geogrid.team.payroll import PhonePlan, payroll_csv, write_payroll
from geogrid.team.scoring import load_scheme
from geogrid.usecases.month_figures import MonthFigures, stored_month_lines
from geogrid.vocabulary import china_today

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
MONTH_PAGE = f"{CONSOLE}/team/month"
MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "csv": "text/csv; charset=utf-8"}  # fmt: skip
CONFIRMED = "本月已确认，考核结果已锁定"


def _last_month() -> str:
    """The last finished month (the one a station head confirms)."""
    first = china_today().replace(day=1)
    return (date.fromordinal(first.toordinal() - 1)).strftime("%Y-%m")


def _lines(conn, state, caller: Caller, month: str) -> list[assessment.Line]:
    scheme = load_scheme(state.settings.subsidy_file)
    station = None if caller.sees_all else caller.station_id
    return assessment.month_lines(conn, month, scheme, default_sources(station), station)


def _stored_lines(conn, state, caller: Caller, month: str, max_age_s: int) -> MonthFigures:
    """The month's lines of the caller's station (or the county) from the stored figures."""
    scheme = load_scheme(state.settings.subsidy_file)
    station = None if caller.sees_all else (caller.station_id, caller.station_code or "")
    return stored_month_lines(state.engine, conn, month, scheme, station, max_age_s)


@router.get(MONTH_PAGE)
def month_page(
    request: Request, page: PageDep, state: StateDep, conn: ConnDep,
    month: str | None = Query(None, pattern=f"^{MONTH_PATTERN}$"),
    number: int = Query(1, ge=1, alias="page"),
) -> Response:  # fmt: skip
    """The month's lines per assistant (100 a page, from the stored figures, their time
    shown), the confirm form, the payroll files, the appeals."""
    caller = page.caller
    caller.require("team.read")
    month = month or _last_month()
    max_age = state.settings.figures_max_age_s
    figures = _stored_lines(conn, state, caller, month, max_age)
    lines = figures.rows
    appeals = appeals_of_month(conn, month, caller.area_codes())
    record(conn, caller, "read", "assessment", month, {"lines": len(lines)})
    towns = sorted({(line.town_code, line.town_name) for line in lines})
    shown = table_page(lines, number)
    return render(request, "team_month.html", **page_context(
        page, month=month, lines=shown.rows, total=len(lines), towns=towns, appeals=appeals,
        number=shown.number, pages=shown.pages, page_query=page_links({"month": month}),
        confirmed=bool(lines) and all(line.confirmed for line in lines),
        computed_at=figures.computed_at, max_age=max_age,
        refresh_action=f"{MONTH_PAGE}/refresh", may_confirm=caller.may("team.confirm"),
        done=CONFIRMED if request.query_params.get("done") else None))  # fmt: skip


@router.post(MONTH_PAGE + "/refresh")
def refresh(form: FormDep, state: StateDep, conn: ConnDep) -> RedirectResponse:
    """Recompute the caller's month lines now (and store them)."""
    caller = form.page.caller
    caller.require("team.read")
    month = form.get("month")
    month_days(month)  # InputError naming `month`
    _stored_lines(conn, state, caller, month, max_age_s=0)
    return RedirectResponse(f"{MONTH_PAGE}?{urlencode({'month': month})}", status_code=303)


@router.post(MONTH_PAGE + "/confirm")
def confirm(form: FormDep, state: StateDep, conn: ConnDep) -> RedirectResponse:
    """Confirm (lock) a finished month of the caller's station (the county names one)."""
    caller = form.page.caller
    caller.require("team.confirm")
    month = form.get("month")
    found = _station(conn, caller, form.get("station") or caller.station_code)
    scheme = load_scheme(state.settings.subsidy_file)
    lines = assessment.confirm_month(conn, month, found, caller.describe(), scheme,
                                     default_sources(found))  # fmt: skip
    record(conn, caller, "change", "assessment", month, {"confirmed": len(lines)})
    return RedirectResponse(f"{MONTH_PAGE}?month={month}&done=confirm", status_code=303)


def _station(conn, caller: Caller, code: str | None) -> int:
    """The station whose month is confirmed: a station its own only (another: 404)."""
    if not code:
        raise InputError("the county names the station whose month it confirms", field="station")
    if not caller.sees_all and code != caller.station_code:
        raise NotFoundError(f"no station {code!r}", field="station")
    found = station_id(conn, code)
    if found is None:
        raise NotFoundError(f"no station {code!r}", field="station")
    return found


@router.get(MONTH_PAGE + "/payroll")
def payroll(page: PageDep, state: StateDep, conn: ConnDep,
            month: str = Query(pattern=f"^{MONTH_PATTERN}$"),
            town: str = Query("", max_length=16),
            format: Literal["xlsx", "csv"] = "xlsx") -> Response:  # fmt: skip
    """One town's payroll sheet (XLSX, or CSV), or with no town every town's as one CSV."""
    caller = page.caller
    caller.require("team.read")
    lines = _lines(conn, state, caller, month)
    record(conn, caller, "read", "payroll", month, {"lines": len(lines), "town": town})
    plan = PhonePlan.from_settings(state.settings)
    if not town:
        body, name = payroll_csv(lines, plan).encode("utf-8"), f"payroll-{month}.csv"
        return _file(body, name, "csv")
    mine = [line for line in lines if line.town_code == town]
    if not mine:
        raise NotFoundError(f"no assistant of town {town!r} in {month}", field="town")
    with tempfile.TemporaryDirectory() as folder:
        for path in write_payroll(mine, month, plan, Path(folder)):
            if path.suffix == f".{format}":
                return _file(path.read_bytes(), path.name, format)
    raise NotFoundError(f"no payroll file for town {town!r}", field="town")  # not reached


def _file(body: bytes, name: str, format: str) -> Response:
    named = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type=MEDIA[format], headers=named)
