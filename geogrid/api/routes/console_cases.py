"""The console's cases: the inbox, the list with filters (by deadline, paged), a case's page
with the actions the caller may take, and bulk accept and dispatch.

Every action is a plain form posted back here (POST-redirect-GET) that calls the same use
case as the API's step endpoints (usecases/cases.py), so the loop's rules hold alike.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from geogrid.access import audit
from geogrid.api.deps import ConnDep, StateDep
from geogrid.console.pages import ConsoleRoute, FormDep, PageDep, page_context
from geogrid.console.render import CONSOLE, render
from geogrid.errors import GeogridError, InputError
from geogrid.reports.caselist import CaseQuery, list_cases
from geogrid.reports.deadlines import calendar_of
from geogrid.reports.inbox import case_clocks
from geogrid.reports.loop import StepInput
from geogrid.reports.queries import ReportFilter
from geogrid.storage.categories import choice_names, department_rows
from geogrid.usecases.case_view import read_case
from geogrid.usecases.cases import take_case_step
from geogrid.usecases.photos import upload_photos
from geogrid.usecases.reports_export import period_range
from geogrid.vocabulary import (
    REPORT_STATUSES,
    ROUTE_NAMES_ZH,
    ROUTES,
    STATUS_NAMES_ZH,
    STEP_NAMES_ZH,
    as_china_time,
    china_now,
)

# Fixed paths before the parameterised ones: a path's 405 guard (api/methods.py) stands
# before its first route.
router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
CASES = f"{CONSOLE}/cases"
PAGE_SIZE = 50
BULK_STEPS = ("accept", "dispatch")
WORDS = {"statuses": STATUS_NAMES_ZH, "steps": STEP_NAMES_ZH, "routes": ROUTE_NAMES_ZH}


@router.get(CASES)
def inbox_page(request: Request, page: PageDep, state: StateDep, conn: ConnDep) -> Response:
    """What waits for the caller, supervised first, then by deadline."""
    page.caller.require("reports.read")
    # the API's kept inboxes: served again only while exactly what a fresh read answers
    calendar = calendar_of(state.settings.holidays_file)
    items = state.inboxes.inbox(state.engine, page.caller, calendar=calendar, limit=200)
    names = {c.code: c.name_zh for c in choice_names(conn)[0]}
    return render(request, "inbox.html", **page_context(page, items=items, names=names, **WORDS))


@router.get(CASES + "/list")
def list_page(request: Request, page: PageDep, state: StateDep, conn: ConnDep) -> Response:
    """Cases of a filter in the caller's scope, open ones by deadline, with time left."""
    page.caller.require("reports.read")
    asked = dict(request.query_params)
    query, number = case_query(asked), _page_number(asked.get("page", "1"))
    now = china_now()
    listed = list_cases(conn, query, page.caller.report_scope(), now=now, limit=PAGE_SIZE,
                        offset=(number - 1) * PAGE_SIZE)  # fmt: skip
    rows = listed.rows
    audit.record_report_reads(conn, page.caller, rows, "list")  # sensitive texts shown
    calendar = calendar_of(state.settings.holidays_file)
    for row, clock in zip(rows, case_clocks(calendar, rows, now), strict=True):
        row["clock"] = clock
    shown = {k: v for k, v in asked.items() if k != "page" and v}
    categories, departments = choice_names(conn)
    return render(request, "case_list.html", **page_context(
        page, rows=rows, listed=listed, number=number, asked=asked,
        query_of=lambda n: urlencode(shown | {"page": n}), categories=categories,
        departments=departments, all_statuses=REPORT_STATUSES, all_routes=ROUTES,
        **WORDS))  # fmt: skip


def case_query(asked: dict[str, str]) -> CaseQuery:
    """The list's filter from its query string; InputError names the field that is wrong."""
    start = end = None
    if asked.get("period"):
        start, end = period_range(asked["period"])
    filters = ReportFilter(
        grid=asked.get("grid") or None,
        categories=(asked["category"],) if asked.get("category") else (),
        statuses=(asked["status"],) if asked.get("status") else (),
        routes=(asked["route"],) if asked.get("route") else (),
        reported_from=start, reported_to=end,
    )  # fmt: skip
    return CaseQuery(filters, overdue=bool(asked.get("overdue")),
                     supervised=bool(asked.get("supervised")),
                     text=asked.get("q", "").strip())  # fmt: skip


def _page_number(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 100_000:
        raise InputError(f"page {text!r} is not a page number", field="page")
    return int(text)


@router.post(CASES + "/bulk")
def bulk(request: Request, form: FormDep, state: StateDep, conn: ConnDep) -> Response:
    """Accept or dispatch the ticked cases, each on its own: one that may not be taken
    leaves the others taken, and the page says which and why."""
    step = form.get("step")
    if step not in BULK_STEPS:
        raise InputError(f"step must be one of {', '.join(BULK_STEPS)}", field="step")
    ids = form.all("ids")
    if not ids:
        raise InputError("tick at least one case", field="ids")
    body, outcomes = step_input(form, step), []
    calendar = calendar_of(state.settings.holidays_file)
    for report_id in ids[:PAGE_SIZE]:
        try:
            with conn.begin_nested():
                take_case_step(conn, report_id, step, body, form.page.caller, calendar=calendar)
            outcomes.append((report_id, True, STEP_NAMES_ZH[step]))
        except GeogridError as exc:
            outcomes.append((report_id, False, str(exc)))
    return render(request, "bulk.html", **page_context(form.page, step=step, outcomes=outcomes,
                                                       **WORDS))  # fmt: skip


@router.get(CASES + "/{report_id}")
def case_page(
    request: Request, report_id: str, page: PageDep, state: StateDep, conn: ConnDep
) -> Response:  # fmt: skip
    """A case: details, position, photos, trail and the forms of the steps open to the
    caller; another station's case is the 404 page."""
    page.caller.require("reports.read")
    calendar = calendar_of(state.settings.holidays_file)
    view = read_case(conn, page.caller, report_id, calendar=calendar, now=china_now())
    return render(request, "case.html", **page_context(
        page, view=view, case=view.report, done=request.query_params.get("done"),
        departments=department_rows(conn), **WORDS))  # fmt: skip


@router.post(CASES + "/{report_id}/{step}")
def take(report_id: str, step: str, form: FormDep, state: StateDep, conn: ConnDep) -> Response:
    """Take one step on the case with the form's note, handler, deadline and photos; back
    to the case's page."""
    if step not in STEP_NAMES_ZH:
        raise InputError(f"unknown step {step!r}", field="step")
    caller = form.page.caller
    caller.require("reports.update")
    photo_ids: tuple[str, ...] = ()
    if form.files:  # the step's evidence: whoever may take the step may bring its photos
        results = upload_photos(state.engine, state.media, form.files, caller.name)
        bad = next((r for r in results if not r.id), None)
        if bad is not None:
            raise InputError(f"{bad.name}: {bad.message}", field="files")
        photo_ids = tuple(dict.fromkeys(r.id for r in results))
    body = step_input(form, step, photo_ids)
    take_case_step(conn, report_id, step, body, caller,
                   calendar=calendar_of(state.settings.holidays_file))  # fmt: skip
    return RedirectResponse(f"{CASES}/{report_id}?done={step}", status_code=303)


def step_input(form, step: str, photo_ids: tuple[str, ...] = ()) -> StepInput:
    """The loop's step input from a form's fields (blank fields are not given)."""
    yes_no = {"yes": True, "no": False}
    return StepInput(
        note=form.get("note"), photo_ids=photo_ids,
        handler_person=form.get("handler_person") or None,
        handler_department=form.get("handler_department") or None,
        due_at=_due(form.get("due_at")),
        urgent=True if form.get("urgent") else None,
        passed=yes_no.get(form.get("passed")) if step == "verify" else None,
        approve=yes_no.get(form.get("approve")) if step == "extension_decide" else None,
    )  # fmt: skip


def _due(text: str) -> datetime | None:
    """A deadline from a datetime-local field (China time)."""
    if not text:
        return None
    try:
        return as_china_time(datetime.fromisoformat(text))
    except ValueError:
        raise InputError(f"due_at {text!r} is not a date and time", field="due_at") from None
