"""The console's assessment (the month's table per assistant, sortable, as CSV and XLSX)
and export (the reports of a filter as CSV, GeoJSON or GeoPackage) pages."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.background import BackgroundTask

from geogrid.api.deps import ConnDep, StateDep
from geogrid.api.exports import (
    ASSESSMENT_COLUMNS,
    assessment_csv,
    assessment_values,
    assessment_xlsx,
)
from geogrid.api.routes.console_cases import case_query
from geogrid.console.pages import ConsoleRoute, FormDep, PageDep, page_context
from geogrid.console.paging import page_links, table_page
from geogrid.console.render import CONSOLE, china_time_text, render
from geogrid.errors import InputError
from geogrid.reports.stats import month_range
from geogrid.storage.categories import category_rows
from geogrid.usecases.month_figures import MonthFigures, stored_assessment
from geogrid.usecases.reports_export import export_for_caller
from geogrid.vocabulary import REPORT_STATUSES, ROUTE_NAMES_ZH, ROUTES, STATUS_NAMES_ZH, china_today

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
COLUMN_NAMES = dict(ASSESSMENT_COLUMNS)
EXPORT_FORMATS = {"csv": "CSV", "geojson": "GeoJSON", "gpkg": "GeoPackage"}
MEDIA = {"csv": "text/csv; charset=utf-8", "geojson": "application/geo+json",
         "gpkg": "application/geopackage+sqlite3"}  # fmt: skip
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SORTED: dict[tuple[int, str, bool], tuple[list, list[dict]]] = {}  # sorted_values' own


@router.get(CONSOLE + "/assessment")
def assessment_page(request: Request, page: PageDep, state: StateDep, conn: ConnDep,
                    month: str = "", sort: str = "person_no", desc: bool = False,
                    number: int = Query(1, ge=1, alias="page")) -> Response:  # fmt: skip
    """The month's table per assistant, sorted by any column, 100 rows a page, from the
    stored figures (the page says when they were computed)."""
    month = month or china_today().strftime("%Y-%m")
    month_range(month)  # InputError naming `month` before any work
    if sort not in COLUMN_NAMES:
        raise InputError(f"sort {sort!r} is not a column of the table", field="sort")
    figures = _figures(state, conn, page, month)
    shown = table_page(sorted_values(figures.rows, sort, desc), number)
    links = page_links({"month": month, "sort": sort, "desc": "1" if desc else ""})
    context = page_context(page, month=month, rows=shown.rows, total=len(figures.rows),
                           number=shown.number, pages=shown.pages, page_query=links,
                           columns=ASSESSMENT_COLUMNS, sort=sort, desc=desc,
                           computed_at=figures.computed_at, max_age=_max_age(state),
                           refresh_action=f"{CONSOLE}/assessment/refresh")  # fmt: skip
    return render(request, "assessment.html", **context)


@router.post(CONSOLE + "/assessment/refresh")
def assessment_refresh(form: FormDep, state: StateDep, conn: ConnDep) -> RedirectResponse:
    """Recompute the caller's month table now (and store it)."""
    month = form.get("month")
    month_range(month)
    stored_assessment(state.engine, conn, form.page.caller, month, max_age_s=0)
    return RedirectResponse(f"{CONSOLE}/assessment?{urlencode({'month': month})}",
                            status_code=303)  # fmt: skip


@router.get(CONSOLE + "/assessment/file")
def assessment_file(page: PageDep, state: StateDep, conn: ConnDep, month: str,
                    format: str = "csv") -> Response:  # fmt: skip
    """The month's table as a CSV or Excel download: every row of the page's stored
    figures, their time in the file's name."""
    if format not in ("csv", "xlsx"):
        raise InputError(f"format {format!r} is not csv or xlsx", field="format")
    figures = _figures(state, conn, page, month)
    rows = sorted(figures.rows, key=lambda row: row.person_no)
    at = china_time_text(figures.computed_at, "%Y%m%d-%H%M")
    headers = {"Content-Disposition": f'attachment; filename="assessment-{month}-{at}.{format}"'}
    if format == "xlsx":
        return Response(assessment_xlsx(rows, month), media_type=XLSX, headers=headers)
    return Response(assessment_csv(rows), media_type=MEDIA["csv"], headers=headers)


def _figures(state, conn, page, month: str) -> MonthFigures:
    return stored_assessment(state.engine, conn, page.caller, month, _max_age(state))


def _max_age(state) -> int:
    return state.settings.figures_max_age_s


def sorted_values(rows: list, sort: str, desc: bool) -> list[dict]:
    """The table's rows as column values, sorted by one column (no value last, ascending);
    kept per worker for the same stored rows (the very list: the store hands out one per
    computed time), as 675 rows took ~2 ms to convert and sort."""
    key = (id(rows), sort, desc)
    kept = _SORTED.get(key)
    if kept is not None and kept[0] is rows:
        return kept[1]
    values = [assessment_values(r) for r in rows]
    values.sort(key=lambda r: (r[sort] is None, r[sort] if r[sort] is not None else 0),
                reverse=desc)  # fmt: skip
    if len(_SORTED) >= 64:
        _SORTED.clear()
    _SORTED[key] = (rows, values)  # holding `rows` keeps its id from being reused
    return values


@router.get(CONSOLE + "/export")
def export_page(request: Request, page: PageDep, conn: ConnDep) -> Response:
    """The export form: the list's filters and a format."""
    page.caller.require("reports.read")
    return render(request, "export.html", **page_context(
        page, categories=category_rows(conn), all_statuses=REPORT_STATUSES, all_routes=ROUTES,
        statuses=STATUS_NAMES_ZH, routes=ROUTE_NAMES_ZH, formats=EXPORT_FORMATS))  # fmt: skip


@router.get(CONSOLE + "/export/file")
def export_file(request: Request, page: PageDep, state: StateDep) -> Response:
    """The reports of the filter in the caller's scope as one file (at most the API's
    export limit), removed from the server once sent."""
    page.caller.require("reports.read")
    asked = dict(request.query_params)
    fmt = asked.get("format", "csv")
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"format {fmt!r} is not one of {', '.join(EXPORT_FORMATS)}",
                         field="format")  # fmt: skip
    query = case_query(asked)
    folder = Path(tempfile.mkdtemp(prefix="geogrid-export-"))
    try:
        result = export_for_caller(state.engine, page.caller, query.filters, folder / "reports",
                                   fmt, limit=state.api.max_export_rows)  # fmt: skip
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    cleanup = BackgroundTask(shutil.rmtree, folder, ignore_errors=True)
    return FileResponse(result.path, media_type=MEDIA[fmt], filename=result.path.name,
                        background=cleanup)  # fmt: skip
