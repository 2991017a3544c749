"""Open311 GeoReport v2 (JSON), so existing Open311 clients can submit and read reports.

Services are our categories; requests are our reports, `open` until the case loop ends them
(handled and verified cases too: a case is closed only at 结案, the desk's close) and
`closed` once closed, refused or a duplicate (reports.lifecycle FINAL_STATUSES).
`status_notes` is the note of the last public step (a refusal's reason, a handled, verified
or closing note; reports.queries.PUBLIC_STEPS), never an internal instruction.
The token goes in `api_key` (query or form) or the Authorization header; the same scopes
apply as everywhere else.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Query, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from geogrid.access.audit import record_report_reads
from geogrid.access.roles import Caller
from geogrid.api.deps import (
    ConnDep,
    SingleValues,
    StateDep,
    base_url,
    bearer_token,
    caller_of_token,
    china_time,
    current_caller,
)
from geogrid.api.errors import OPEN311_RESPONSES
from geogrid.api.schemas.common import IsoDateTime, StorableStr
from geogrid.api.schemas.open311 import (
    Service,
    ServiceRequest,
    ServiceRequestCreated,
    ServiceRequestIn,
)
from geogrid.errors import InputError
from geogrid.media.evidence import first_photos
from geogrid.registry.from_reports import proposal_states
from geogrid.reports.lifecycle import FINAL_STATUSES
from geogrid.reports.queries import ReportFilter, get_report, last_events, list_reports
from geogrid.storage.categories import category_rows
from geogrid.usecases.photos import attach_report_photos, check_report_photos, photo_flags
from geogrid.vocabulary import REPORT_STATUSES

PHOTO_URL = re.compile(r"/v1/photos/([0-9a-f]{64})/?$")

router = APIRouter(
    prefix="/open311/v2", tags=["open311"], responses=OPEN311_RESPONSES, dependencies=[SingleValues]
)
CLOSED_STATUSES = FINAL_STATUSES
OPEN_STATUSES = tuple(s for s in REPORT_STATUSES if s not in CLOSED_STATUSES)
MAX_REQUESTS = 1000  # the GeoReport v2 maximum per call
DEFAULT_DAYS = 90  # the GeoReport v2 default window
FORM = "application/x-www-form-urlencoded"

CallerDep = Annotated[Caller, Depends(current_caller)]


async def _form_caller(request: Request) -> Caller:
    """The caller, the token also taken from a form field `api_key` (as clients send it)."""
    token = bearer_token(request)
    if token is None:
        token = (await _body_fields(request)).get("api_key")
    return await caller_of_token(request, token)


@router.get("/services.json", response_model=list[Service], summary="Open311: services")
def services(caller: CallerDep, conn: ConnDep) -> list[Service]:
    """Every report category, as a service (code, Chinese name, English description)."""
    caller.require("services.read")
    return [_service(r) for r in category_rows(conn)]


def _service(row) -> Service:
    tags = (row.kind, "security" if row.is_security else "", "sensitive" if row.sensitive else "")
    return Service(
        service_code=row.code,
        service_name=row.name_zh,
        description=row.name_en + (" (security)" if row.is_security else ""),
        keywords=",".join(t for t in tags if t),
        group="基础信息 basic" if row.kind == "basic" else "动态信息 dynamic",
    )


@router.post(
    "/requests.json",
    response_model=list[ServiceRequestCreated],
    status_code=201,
    summary="Open311: submit a request",
    openapi_extra={"requestBody": {"required": True, "content": {
        FORM: {"schema": ServiceRequestIn.model_json_schema()},
        "application/json": {"schema": ServiceRequestIn.model_json_schema()},
    }}},
)  # fmt: skip
async def create_request(
    request: Request, caller: Annotated[Caller, Depends(_form_caller)], state: StateDep
) -> list[ServiceRequestCreated]:
    """A new report through the same intake as POST /v1/reports."""
    caller.require("reports.create")
    try:
        # JSON keeps its types as documented (no true for a number); a form has only text.
        json_body = request.headers.get("content-type", "").startswith("application/json")
        given = ServiceRequestIn.model_validate(await _body_fields(request), strict=json_body)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "body"
        raise InputError(first["msg"], field=field) from None
    name = " ".join(p for p in (given.first_name, given.last_name) if p) or caller.name
    item = {"category": given.service_code, "lon": given.long, "lat": given.lat,
            "crs": given.crs, "text": given.description or given.address_string or "",
            "reporter": name}  # fmt: skip
    photo = _our_photo(given.media_url)
    if photo:
        await run_in_threadpool(check_report_photos, state.engine, [photo], "media_url")
    report_id, _ = await state.writer.submit({k: v for k, v in item.items() if v is not None})
    if photo:
        await run_in_threadpool(attach_report_photos, state.engine, str(report_id), [photo],
                                caller.name, photo_flags(state.settings))  # fmt: skip
    return [ServiceRequestCreated(service_request_id=report_id)]


def _our_photo(media_url: str | None) -> str | None:
    """The photo id of a media_url pointing at this server's /v1/photos/{id}; a URL of
    elsewhere is a 400 (an air-gapped server fetches nothing)."""
    if not media_url:
        return None
    found = PHOTO_URL.search(media_url)
    if found is None:
        raise InputError("media_url must be a photo uploaded to this server first (the href "
                         "POST /v1/photos answered)", field="media_url")  # fmt: skip
    return found.group(1)


@router.get("/requests.json", response_model=list[ServiceRequest], summary="Open311: requests")
def requests(
    request: Request, caller: CallerDep, conn: ConnDep,
    service_request_id: Annotated[StorableStr | None, Query(max_length=4000,
                                  description="Comma-separated ids.")] = None,
    service_code: Annotated[StorableStr | None, Query(max_length=400,
                            description="Comma-separated service codes.")] = None,
    start_date: Annotated[IsoDateTime | None, Query()] = None,
    end_date: Annotated[IsoDateTime | None, Query()] = None,
    status: Annotated[Literal["open", "closed"] | None, Query()] = None,
    jurisdiction_id: Annotated[StorableStr | None, Query(max_length=64)] = None,
) -> list[ServiceRequest]:  # fmt: skip
    """Requests in the caller's scope, newest first (by default the last 90 days, at most
    1,000; with service_request_id, those requests whatever their date)."""
    caller.require("reports.read")
    ids = tuple(i.strip() for i in (service_request_id or "").split(",") if i.strip())
    start, end = china_time(start_date), china_time(end_date)
    if not ids and start is None and end is None:
        start = datetime.now(UTC) - timedelta(days=DEFAULT_DAYS)
    statuses = {"open": OPEN_STATUSES, "closed": CLOSED_STATUSES, None: ()}[status]
    codes = tuple(c.strip() for c in (service_code or "").split(",") if c.strip())
    filters = ReportFilter(categories=codes, statuses=statuses, reported_from=start,
                           reported_to=end, ids=ids)  # fmt: skip
    rows, _ = list_reports(conn, filters, caller.report_scope(), limit=MAX_REQUESTS)
    record_report_reads(conn, caller, rows, "list")
    return _as_requests(conn, rows, base_url(request))


@router.get("/requests/{service_request_id}.json", response_model=list[ServiceRequest],
            summary="Open311: one request")  # fmt: skip
def one_request(
    request: Request, service_request_id: uuid.UUID, caller: CallerDep, conn: ConnDep
) -> list[ServiceRequest]:
    """One request in the caller's scope (a list of one, as GeoReport v2 has it)."""
    caller.require("reports.read")
    row = get_report(conn, str(service_request_id), caller.report_scope())
    record_report_reads(conn, caller, [row], "read")
    return _as_requests(conn, [row], base_url(request))


def _as_requests(conn, rows: list[dict], root: str) -> list[ServiceRequest]:
    latest = last_events(conn, [r["id"] for r in rows], public=True)
    # The first photo of the report itself; a redacted report's photos go with its details.
    photos = first_photos(conn, [r["id"] for r in rows if not r["redacted"]])
    basic = proposal_states(conn, [r["id"] for r in rows if r["route"] == "registry"])
    out = []
    for r in rows:
        updated, note = latest.get(r["id"], (r["received_at"], None))
        status = "open" if r["status"] in OPEN_STATUSES else "closed"
        if str(r["id"]) in basic:  # a basic report: open until its proposal is decided
            decided, decision_note, decided_at = basic[str(r["id"])]
            if decided != "pending":
                status, note, updated = "closed", decision_note, decided_at
        out.append(ServiceRequest(
            service_request_id=str(r["id"]), status=status,
            status_notes=None if r["redacted"] else note, service_name=r["category_name"],
            service_code=r["category"], description=r["text"],
            agency_responsible=_agency(r), service_notice=None,
            requested_datetime=r["reported_at"], updated_datetime=updated,
            address=r["unit_name"] or r["grid_name"], lat=r["lat"], long=r["lon"],
            media_url=f"{root}v1/photos/{photos[r['id']]}" if r["id"] in photos else None,
        ))  # fmt: skip
    return out


def _agency(row: dict) -> str | None:
    """Who answers the request: the station or department that runs the case, the county's
    triage, or for a basic report the station that keeps the registry of its place."""
    if row["route"] == "department":
        return row["department_name"]
    if row["route"] == "triage":
        return "县级分拣 county triage"
    if row["route"] == "registry" and row["station_name"]:
        return f"{row['station_name']}（基础信息登记 registry）"
    return row["station_name"]


async def _body_fields(request: Request) -> dict:
    """The request body's fields: form-encoded (the Open311 way) or JSON."""
    raw = await request.body()
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            data = json.loads(raw or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise InputError("the body is not valid JSON", field="body") from None
        if not isinstance(data, dict):
            raise InputError("the body must be a JSON object", field="body")
        return data
    try:
        return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=False))
    except UnicodeDecodeError:
        raise InputError("the form is not UTF-8", field="body") from None
