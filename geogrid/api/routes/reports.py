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
    json_model,
    next_link,
)
from geogrid.api.errors import PROBLEM_RESPONSES, BodyTooLarge
from geogrid.api.exports import report_csv, report_geojson
from geogrid.api.lean import LeanRoute
from geogrid.api.multipart import form_parts, split_form
from geogrid.api.schemas.common import IsoDateTime, Link, StorableStr
from geogrid.api.schemas.reports import (
    BatchResult,
    EventOut,
    ItemResult,
    Method,
    NoteIn,
    PhotoLink,
    ReportBatch,
    ReportCreated,
    ReportItem,
    ReportOut,
    ReportPage,
    Route,
    Status,
    StatusChange,
)
from geogrid.errors import InputError
from geogrid.media.checks import MAX_PHOTOS_PER_STEP
from geogrid.reports import lifecycle
from geogrid.reports.categories import CATEGORY_CODE
from geogrid.reports.checks import items_frame
from geogrid.reports.deadlines import calendar_of
from geogrid.reports.inbox import case_timing
from geogrid.reports.intake import IntakeOptions, submit_reports
from geogrid.reports.queries import (
    ReportFilter,
    count_sensitive,
    iter_reports,
    list_reports,
    scoped_report,
)
from geogrid.usecases.case_view import read_case
from geogrid.usecases.cases import change_case_status
from geogrid.usecases.photos import (
    attach_report_photos,
    check_files,
    check_report_photos,
    keep_photos,
    photo_flags,
    unknown_photos,
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
    the same client_request_id and body answers `repeated` with the first report's id.
    As multipart/form-data: the report's JSON in the field `report` and up to 9 photos."""
    # The phones' other frequent call, so it is lean like the lookup (a LeanRoute): the
    # caller and the body are read here rather than through FastAPI's dependency machinery.
    caller = await current_caller(request)
    caller.require("reports.create")
    if is_multipart_request(request):
        return await create_with_photos(request, caller)
    item = await body_model(ReportItem, request)
    if item.photo_ids:
        engine = request.app.state.geogrid.engine
        await run_in_threadpool(check_report_photos, engine, item.photo_ids)
    return await _submit(request, caller, item, item.photo_ids)


async def _submit(request: Request, caller, item: ReportItem, photo_ids: list[str] | None):
    """Store the report through the writer, then link its photos; the 201 answer."""
    state = request.app.state.geogrid
    report_id, outcome = await state.writer.submit(item.intake_item(caller.name))
    root = base_url(request)
    href = f"{root}v1/reports/{report_id}"  # url_for walks every route
    photos = None
    if photo_ids:
        # After the report is committed: a failure here answers an error, and the client's
        # retry (same client_request_id) finds the report and links the photos then.
        attached = await run_in_threadpool(
            attach_report_photos,
            state.engine,
            str(report_id),
            photo_ids,
            caller.name,
            photo_flags(state.settings),
        )
        photos = [PhotoLink(id=a.photo_id, href=f"{root}v1/photos/{a.photo_id}", flag=a.flag)
                  for a in attached]  # fmt: skip
    created = ReportCreated(id=report_id, outcome=outcome, href=href, photos=photos)
    body = created.model_dump_json(exclude=None if photos else {"photos"})
    return Response(body, 201, {"Location": href}, media_type="application/json")


async def create_with_photos(request: Request, caller) -> Response:
    """The multipart report POST: every photo checked before anything is stored (a bad one
    is a 400 naming its file), the photos kept, then the report, then the links."""
    state = request.app.state.geogrid
    files, fields = split_form(await form_parts(request), fields=("report",))
    if "report" not in fields:
        raise InputError("a multipart report needs the form field `report` holding the "
                         "report's JSON", field="report")  # fmt: skip
    item = json_model(ReportItem, fields["report"])
    ids = list(item.photo_ids or [])
    if len(files) + len(ids) > MAX_PHOTOS_PER_STEP:
        raise InputError(f"a report holds at most {MAX_PHOTOS_PER_STEP} photos", field="files")
    checked = await run_in_threadpool(check_files, files, state.engine, state.media)
    for result in checked:
        if isinstance(result, Exception):
            raise result
    if ids:
        await run_in_threadpool(check_report_photos, state.engine, ids)
    kept = await run_in_threadpool(keep_photos, state.engine, state.media, checked, caller.name)
    ids.extend(r.id for r in kept if r.id not in ids)
    return await _submit(request, caller, item, ids)


def is_multipart_request(request: Request) -> bool:
    """Whether the body is a multipart form (the raw headers: this is the hot route)."""
    for name, value in request.scope["headers"]:
        if name == b"content-type":
            return value[:19].lower() == b"multipart/form-data"
    return False


def report_body() -> dict:
    """The single report POST's body: JSON, or a multipart form with photos."""
    extra = json_body(ReportItem)
    extra["requestBody"]["content"]["multipart/form-data"] = {"schema": {
        "type": "object", "required": ["report"],
        "properties": {
            "report": {"$ref": "#/components/schemas/ReportItem"},  # sent as JSON text
            "files": {"type": "array", "maxItems": MAX_PHOTOS_PER_STEP,
                      "items": {"type": "string", "format": "binary"}},
        },
    }, "encoding": {"report": {"contentType": "application/json"}}}  # fmt: skip
    return extra


router.add_api_route("", create, methods=["POST"], route_class_override=LeanRoute,
                     response_model=ReportCreated, status_code=201, summary="Submit one report",
                     openapi_extra=report_body())  # fmt: skip


@router.post("/batch", response_model=BatchResult, summary="Submit a batch of reports")
async def create_batch(batch: ReportBatch, caller: CallerDep, state: StateDep) -> BatchResult:
    """Many reports in one transaction: a result per item (accepted with its id, repeated,
    or rejected with the field and reason); good items are kept whatever the bad ones."""
    caller.require("reports.create")
    if len(batch.items) > state.api.max_batch_items:
        raise BodyTooLarge(f"a batch holds at most {state.api.max_batch_items:,} items",
                           field="items")  # fmt: skip
    refused = await run_in_threadpool(_items_with_unknown_photos, state.engine, batch.items)
    taken = [n for n in range(len(batch.items)) if n not in refused]
    results = [ItemResult(index=n, outcome="rejected", field=e.field, message=str(e))
               for n, e in refused.items()]  # fmt: skip
    duplicates, methods, routes = 0, {}, {}
    if taken:
        frame = items_frame([batch.items[n].intake_item(caller.name) for n in taken])
        options = IntakeOptions(default_crs=batch.crs or "EPSG:4326",
                                tolerance_m=state.api.tolerance_m,
                                calendar=calendar_of(state.settings.holidays_file))  # fmt: skip
        result = await run_in_threadpool(submit_reports, state.engine, frame, options,
                                         index=state.index)  # fmt: skip
        results += _item_results(taken, result.outcomes())
        duplicates, methods, routes = result.duplicates, dict(result.methods), dict(result.routes)
    results.sort(key=lambda r: r.index)
    await run_in_threadpool(_attach_batch_photos, state, batch.items, results, caller.name)
    counts = Counter(r.outcome for r in results)
    return BatchResult(
        accepted=counts["accepted"], repeated=counts["repeated"], rejected=counts["rejected"],
        duplicates=duplicates, methods=methods, routes=routes, results=results,
    )  # fmt: skip


def _item_results(indexes: list[int], outcomes) -> list[ItemResult]:
    """The intake's outcomes as results, numbered by the items' places in the batch."""
    results = []
    for n, outcome in zip(indexes, outcomes, strict=True):
        if isinstance(outcome, Exception):
            results.append(ItemResult(index=n, outcome="rejected", field=outcome.field,
                                      message=str(outcome)))  # fmt: skip
        else:
            results.append(ItemResult(index=n, outcome=outcome[1], id=outcome[0]))
    return results


def _items_with_unknown_photos(engine, items: list[ReportItem]) -> dict[int, InputError]:
    """Items naming a photo that was never uploaded: refused before anything is stored."""
    wanted = [p for item in items for p in item.photo_ids or ()]
    unknown = unknown_photos(engine, wanted) if wanted else set()
    refused = {}
    for n, item in enumerate(items):
        bad = [k for k, p in enumerate(item.photo_ids or ()) if p in unknown]
        if bad:
            missing = item.photo_ids[bad[0]]
            refused[n] = InputError(f"no uploaded photo {missing}: upload it first "
                                    "(POST /v1/photos)", field=f"photo_ids[{bad[0]}]")  # fmt: skip
    return refused


def _attach_batch_photos(state, items: list[ReportItem], results: list[ItemResult], actor: str):
    """Link the photos of the stored items (a repeated item links them again: harmless)."""
    flags = photo_flags(state.settings)
    for result in results:
        photo_ids = items[result.index].photo_ids
        if photo_ids and result.id is not None:
            attach_report_photos(state.engine, str(result.id), photo_ids, actor, flags)


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
def get_one(
    request: Request, report_id: uuid.UUID, caller: CallerDep, state: StateDep, conn: ConnDep
) -> ReportOut:
    """A report in the caller's scope, with its trail (status changes, notes, instructions)."""
    calendar = calendar_of(state.settings.holidays_file)
    case = read_case(conn, caller, str(report_id), calendar=calendar, now=china_now(),
                     with_steps=False)  # fmt: skip
    events = [EventOut.model_validate(e) for e in case.events]
    if case.report["redacted"]:  # the trail's notes are gone already; the API shows None
        events = [e.model_copy(update={"note": None}) for e in events]
    root = base_url(request)
    photos = [PhotoLink(id=p["photo_id"], href=f"{root}v1/photos/{p['photo_id']}",
                        step=p["step"], flag=p["flag"]) for p in case.photos]  # fmt: skip
    row, clock = case.report, case.clock
    return ReportOut.from_row(row, events, clock, photos=photos)


@router.post("/{report_id}/status", response_model=EventOut, summary="Change status (deprecated)",
             deprecated=True)  # fmt: skip
def change_status(
    report_id: uuid.UUID, body: StatusChange, caller: CallerDep, state: StateDep, conn: ConnDep
) -> EventOut:
    """Deprecated: use the case loop's steps (POST /v1/reports/{id}/accept ... /close).
    A status a step reaches is taken as that step, with its rules: accepted (accept),
    rejected (refuse, the reason as the note), in_progress (start), resolved (handle, a
    note), verified or rework (verify, passed or failed), closed (close, the desk's, from
    verified); duplicate with `duplicate_of` is the
    case's desk's, before dispatch. Received, assigned and dispatched are a 409 naming the
    step endpoint; 403 and 409 as the step's."""
    caller.require("reports.update")
    scope = caller.report_scope()
    scoped_report(conn, str(report_id), scope)
    duplicate_of = None
    if body.duplicate_of is not None:
        duplicate_of = str(scoped_report(conn, str(body.duplicate_of), scope)["id"])
    event = change_case_status(
        conn, str(report_id), body.status, caller, note=body.note, duplicate_of=duplicate_of,
        calendar=calendar_of(state.settings.holidays_file),
    )  # fmt: skip
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
