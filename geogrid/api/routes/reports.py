"""Reports: create one or a batch, list, get with events, change status, notes, export."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import StringConstraints
from starlette.concurrency import run_in_threadpool

from geogrid.access import audit
from geogrid.api.deps import (
    BboxDep,
    CallerDep,
    ConnDep,
    PageDep,
    SingleValues,
    StateDep,
    base_url,
    body_model,
    china_time,
    current_caller,
    json_body,
    next_link,
)
from geogrid.api.errors import PROBLEM_RESPONSES, BodyTooLarge
from geogrid.api.exports import report_csv, report_geojson
from geogrid.api.lean import LeanRoute
from geogrid.api.schemas.common import IsoDateTime, Link, StorableStr
from geogrid.api.schemas.reports import (
    BatchResult,
    EventOut,
    ItemResult,
    Method,
    NoteIn,
    ReportBatch,
    ReportCreated,
    ReportItem,
    ReportOut,
    ReportPage,
    Route,
    Status,
    StatusChange,
)
from geogrid.reports import lifecycle
from geogrid.reports.categories import CATEGORY_CODE
from geogrid.reports.checks import items_frame
from geogrid.reports.deadlines import calendar_of
from geogrid.reports.inbox import case_timing
from geogrid.reports.intake import IntakeOptions, submit_reports
from geogrid.reports.queries import (
    ReportFilter,
    count_sensitive,
    get_report,
    iter_reports,
    list_reports,
    scoped_report,
)
from geogrid.vocabulary import china_now

CategoryCode = Annotated[str, StringConstraints(pattern=f"^{CATEGORY_CODE}$")]
router = APIRouter(prefix="/v1/reports", tags=["reports"], responses=PROBLEM_RESPONSES)


def report_filter(
    _single: Annotated[None, SingleValues],
    bbox: BboxDep,
    grid: Annotated[StorableStr | None, Query(max_length=18, description="Community, grid or unit "
                                      "code (12, 15 or 18 digits).")] = None,
    category: Annotated[list[CategoryCode], Query(description="Category codes.")] = [],  # noqa: B006
    status: Annotated[list[Status], Query()] = [],  # noqa: B006
    method: Annotated[list[Method], Query(description="Assignment method.")] = [],  # noqa: B006
    route: Annotated[list[Route], Query()] = [],  # noqa: B006
    reported_from: Annotated[IsoDateTime | None, Query(alias="from", description="Reported at or "
                             "after (ISO 8601; without offset: China time).")] = None,
    reported_to: Annotated[IsoDateTime | None, Query(alias="to", description="Reported before.")]
    = None,
) -> ReportFilter:  # fmt: skip
    """The list and export filters, checked."""
    return ReportFilter(
        bbox=bbox, grid=grid, categories=tuple(category), statuses=tuple(status),
        methods=tuple(method), routes=tuple(route), reported_from=china_time(reported_from),
        reported_to=china_time(reported_to),
    )  # fmt: skip


FilterDep = Annotated[ReportFilter, Depends(report_filter)]


async def create(request: Request) -> Response:
    """Check, assign, route and store one report; committed when this returns. A retry with
    the same client_request_id and body answers `repeated` with the first report's id."""
    # The phones' other frequent call, so it is lean like the lookup (a LeanRoute): the
    # caller and the body are read here rather than through FastAPI's dependency machinery.
    caller = await current_caller(request)
    caller.require("reports.create")
    item = await body_model(ReportItem, request)
    writer = request.app.state.geogrid.writer
    report_id, outcome = await writer.submit(item.intake_item(caller.name))
    href = f"{base_url(request)}v1/reports/{report_id}"  # url_for walks every route
    body = ReportCreated(id=report_id, outcome=outcome, href=href).model_dump_json()
    return Response(body, 201, {"Location": href}, media_type="application/json")


router.add_api_route("", create, methods=["POST"], route_class_override=LeanRoute,
                     response_model=ReportCreated, status_code=201, summary="Submit one report",
                     openapi_extra=json_body(ReportItem))  # fmt: skip


@router.post("/batch", response_model=BatchResult, summary="Submit a batch of reports")
async def create_batch(batch: ReportBatch, caller: CallerDep, state: StateDep) -> BatchResult:
    """Many reports in one transaction: a result per item (accepted with its id, repeated,
    or rejected with the field and reason); good items are kept whatever the bad ones."""
    caller.require("reports.create")
    if len(batch.items) > state.api.max_batch_items:
        raise BodyTooLarge(f"a batch holds at most {state.api.max_batch_items:,} items",
                           field="items")  # fmt: skip
    frame = items_frame([i.intake_item(caller.name) for i in batch.items])
    options = IntakeOptions(default_crs=batch.crs or "EPSG:4326", tolerance_m=state.api.tolerance_m)
    result = await run_in_threadpool(submit_reports, state.engine, frame, options,
                                     index=state.index)  # fmt: skip
    results = []
    for n, outcome in enumerate(result.outcomes()):
        if isinstance(outcome, Exception):
            results.append(ItemResult(index=n, outcome="rejected", field=outcome.field,
                                      message=str(outcome)))  # fmt: skip
        else:
            results.append(ItemResult(index=n, outcome=outcome[1], id=outcome[0]))
    counts = Counter(r.outcome for r in results)
    return BatchResult(
        accepted=counts["accepted"], repeated=counts["repeated"], rejected=counts["rejected"],
        duplicates=result.duplicates, methods=dict(result.methods), routes=dict(result.routes),
        results=results,
    )  # fmt: skip


@router.get("", response_model=ReportPage, summary="List reports")
def list_(
    request: Request,
    caller: CallerDep,
    state: StateDep,
    conn: ConnDep,
    filters: FilterDep,
    page: PageDep,
) -> ReportPage:
    """Reports in the caller's scope, newest first, filtered and paged."""
    caller.require("reports.read")
    rows, more = list_reports(conn, filters, caller.report_scope(), limit=page.limit,
                              offset=page.offset)  # fmt: skip
    audit.record_report_reads(conn, caller, rows, "list")
    links = [Link(href=str(request.url), rel="self", type="application/json")]
    following = next_link(request, page, more)
    if following:
        links.append(Link(href=following, rel="next", type="application/json"))
    calendar, now = calendar_of(state.settings.holidays_file), china_now()
    items = [ReportOut.from_row(r, clock=case_timing(calendar, r, now)) for r in rows]
    return ReportPage(items=items, numberReturned=len(items), links=links)


@router.get(
    "/export",
    responses={200: {"content": {"text/csv": {}, "application/geo+json": {}}}},
    summary="Export reports as CSV or GeoJSON",
)
def export(
    caller: CallerDep, state: StateDep, conn: ConnDep, filters: FilterDep,
    format: Annotated[Literal["csv", "geojson"], Query()] = "csv",
) -> StreamingResponse:  # fmt: skip
    """The filtered reports in scope (newest first, up to the export limit), streamed."""
    caller.require("reports.read")
    scope = caller.report_scope()
    if scope.details:
        sensitive = count_sensitive(conn, filters, scope)
        if sensitive:
            audit.record(conn, caller, "export", "report", "",
                         {"sensitive": sensitive, "format": format})  # fmt: skip
    rows = _streamed(state, filters, scope, state.api.max_export_rows)
    if format == "geojson":
        return StreamingResponse(report_geojson(rows), media_type="application/geo+json")
    return StreamingResponse(
        report_csv(rows), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="reports.csv"'},
    )  # fmt: skip


@router.get("/{report_id}", response_model=ReportOut, summary="One report with its events")
def get_one(report_id: uuid.UUID, caller: CallerDep, state: StateDep, conn: ConnDep) -> ReportOut:
    """A report in the caller's scope, with its trail (status changes, notes, instructions)."""
    caller.require("reports.read")
    row = get_report(conn, str(report_id), caller.report_scope())
    events = [EventOut.model_validate(e) for e in lifecycle.events_of(conn, str(report_id))]
    if row["redacted"]:
        events = [e.model_copy(update={"note": None}) for e in events]
    audit.record_report_reads(conn, caller, [row], "read")
    clock = case_timing(calendar_of(state.settings.holidays_file), row, china_now())
    return ReportOut.from_row(row, events, clock)


@router.post("/{report_id}/status", response_model=EventOut, summary="Change status (deprecated)",
             deprecated=True)  # fmt: skip
def change_status(
    report_id: uuid.UUID, body: StatusChange, caller: CallerDep, conn: ConnDep
) -> EventOut:
    """Move a report along received -> assigned -> dispatched -> in_progress -> resolved ->
    closed (or to rejected / duplicate); 409 when the lifecycle does not allow it.
    Deprecated: the case loop's steps (accept, dispatch, ... verify) check roles and set
    deadlines; this stays for marking duplicates and for older clients."""
    caller.require("reports.update")
    scope = caller.report_scope()
    scoped_report(conn, str(report_id), scope)
    duplicate_of = None
    if body.duplicate_of is not None:
        duplicate_of = str(scoped_report(conn, str(body.duplicate_of), scope)["id"])
    event = lifecycle.change_status(conn, str(report_id), body.status, actor=caller.name,
                                    note=body.note, duplicate_of=duplicate_of)  # fmt: skip
    return EventOut.model_validate(event)


@router.post("/{report_id}/notes", response_model=EventOut, status_code=201,
             summary="Add a note or an instruction")  # fmt: skip
def add_note(report_id: uuid.UUID, body: NoteIn, caller: CallerDep, conn: ConnDep) -> EventOut:
    """A note on the report; with `instruction`, the station's instruction to the assistant."""
    caller.require("reports.instruct" if body.instruction else "reports.update")
    scoped_report(conn, str(report_id), caller.report_scope())
    event = lifecycle.add_note(conn, str(report_id), body.text, actor=caller.name,
                               instruction=body.instruction)  # fmt: skip
    return EventOut.model_validate(event)


def _streamed(state, filters: ReportFilter, scope, limit: int):
    """Rows from a connection of their own, open while the response streams."""
    with state.engine.connect() as conn:
        yield from iter_reports(conn, filters, scope, limit=limit)
