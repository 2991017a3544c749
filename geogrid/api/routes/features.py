"""OGC API - Features: the landing page, conformance, the collections, reports as features.

The grid levels' items are served by routes/grids.py; the reports collection reads through
the same query and scope as GET /v1/reports (geogrid.reports.queries, `caller.report_scope()`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from geogrid.access import audit
from geogrid.api.deps import CallerDep, ConnDep, PageDep, SingleValues, next_link
from geogrid.api.errors import PROBLEM_RESPONSES
from geogrid.api.features import COLLECTIONS, level_extent, offered_crs
from geogrid.api.ogc import (
    CONFORMANCE,
    BboxRequestDep,
    CrsQuery,
    DatetimeQuery,
    OutputCrs,
    chosen_crs,
    datetime_interval,
    point_coordinates,
)
from geogrid.api.schemas.common import Link, StorableStr
from geogrid.api.schemas.features import ReportFeature, ReportFeatureCollection, ReportProperties
from geogrid.api.schemas.grids import (
    Collection,
    Collections,
    Conformance,
    Extent,
    LandingPage,
    SpatialExtent,
    TemporalExtent,
)
from geogrid.reports.queries import (
    ReportFilter,
    count_reports,
    get_report,
    list_reports,
    report_extent,
)
from geogrid.storage.versions import known_version

router = APIRouter(tags=["features"], responses=PROBLEM_RESPONSES, dependencies=[SingleValues])
GEOJSON = "application/geo+json"
TITLES = {
    "communities": ("社区 Communities (level 1)", "Level-1 grids: whole communities."),
    "grids": (
        "二级网格 Grids (level 2)",
        "Natural villages and town blocks, one grid leader each.",
    ),
    "units": ("三级网格 Units (level 3)", "About 30 households, one information officer each."),
    "reports": ("上报 Reports", "Geotagged reports in your scope, newest first."),
}
# An OGC feature id is any string: one that is not a report's UUID is a 404, not a 422.
ReportId = Annotated[StorableStr, Path(max_length=64, description="The report's id (a UUID).")]
CollectionId = Annotated[
    Literal["communities", "grids", "units", "reports"], Path(description="Collection.")
]


@router.get("/v1/", response_model=LandingPage, summary="Landing page")
@router.get("/", response_model=LandingPage, summary="Landing page (also at /v1/)")
async def landing(request: Request) -> LandingPage:
    """What this service offers, as links (OGC API - Features landing page)."""
    base = str(request.base_url).rstrip("/")
    links = [
        Link(href=f"{base}/v1/", rel="self", type="application/json", title="this document"),
        Link(href=f"{base}/openapi.json", rel="service-desc",
             type="application/vnd.oai.openapi+json;version=3.0", title="OpenAPI definition"),
        Link(href=f"{base}/docs", rel="service-doc", type="text/html",
             title="documentation (Swagger UI; ReDoc at /redoc)"),
        Link(href=f"{base}/v1/conformance", rel="conformance", type="application/json",
             title="conformance classes"),
        Link(href=f"{base}/v1/collections", rel="data", type="application/json",
             title="the grid levels and the reports"),
    ]  # fmt: skip
    return LandingPage(
        title="geogrid",
        description="Grids, geotag lookup, reports and statistics of the county's grid "
        "management (网格化管理).",
        links=links,
    )


@router.get("/v1/conformance", response_model=Conformance, summary="OGC conformance classes")
@router.get("/conformance", response_model=Conformance, summary="OGC conformance (also /v1/)")
async def conformance() -> Conformance:
    """The conformance classes met: Features Part 1 Core, GeoJSON, OpenAPI 3.0, Part 2 CRS."""
    return Conformance(conformsTo=CONFORMANCE)


@router.get("/v1/collections", response_model=Collections, summary="The collections")
def collections(request: Request, caller: CallerDep, conn: ConnDep) -> Collections:
    """The three grid levels of the active version and the reports, those the caller reads."""
    wanted = [cid for cid in TITLES if caller.may(_permission(cid))]
    if not wanted:
        caller.require("grids.read")  # the role reads nothing here: say so as a 403
    version = known_version(conn, None)
    offered = offered_crs(conn, version)
    found = [_collection(request, conn, caller, cid, version, offered) for cid in wanted]
    self = Link(href=str(request.url), rel="self", type="application/json")
    return Collections(collections=found, links=[self])


@router.get("/v1/collections/{collection_id}", response_model=Collection,
            summary="One collection")  # fmt: skip
def collection(
    request: Request, collection_id: CollectionId, caller: CallerDep, conn: ConnDep
) -> Collection:
    """A grid level of the active version, or the reports."""
    caller.require(_permission(collection_id))
    version = known_version(conn, None)
    return _collection(request, conn, caller, collection_id, version, offered_crs(conn, version))


@router.get(
    "/v1/collections/reports/items",
    response_model=ReportFeatureCollection,
    responses={200: {"content": {GEOJSON: {}}}},
    summary="Reports as GeoJSON points",
)
def report_items(
    request: Request, caller: CallerDep, conn: ConnDep, page: PageDep, bbox: BboxRequestDep,
    when: DatetimeQuery = None, crs: CrsQuery = None,
) -> Response:  # fmt: skip
    """Reports in the caller's scope (as GET /v1/reports), newest first, filtered by `bbox`
    and `datetime` (when reported), paged with `limit` and `next` links."""
    caller.require("reports.read")
    offered = offered_crs(conn, known_version(conn, None))
    out = chosen_crs(crs, offered)
    start, end = datetime_interval(when)
    filters = ReportFilter(bbox=bbox.lon_lat(offered), reported_from=start, reported_to=end)
    scope = caller.report_scope()
    rows, more = list_reports(conn, filters, scope, limit=page.limit, offset=page.offset)
    audit.record_report_reads(conn, caller, rows, "list")
    links = [Link(href=str(request.url), rel="self", type=GEOJSON)]
    following = next_link(request, page, more)
    if following:
        links.append(Link(href=following, rel="next", type=GEOJSON))
    matched = count_reports(conn, filters, scope) if (rows or page.offset) else 0
    body = ReportFeatureCollection(
        features=[_report_feature(r, out) for r in rows], numberMatched=matched,
        numberReturned=len(rows), timeStamp=datetime.now(UTC), links=links,
    )  # fmt: skip
    return _geojson(body.model_dump_json(), out)


@router.get("/v1/collections/reports/items/{report_id}", response_model=ReportFeature,
            responses={200: {"content": {GEOJSON: {}}}},
            summary="One report as GeoJSON")  # fmt: skip
def report_item(
    report_id: ReportId, caller: CallerDep, conn: ConnDep, crs: CrsQuery = None
) -> Response:
    """One report in the caller's scope (404 outside it) as a point feature."""
    caller.require("reports.read")
    out = chosen_crs(crs, offered_crs(conn, known_version(conn, None)))
    row = get_report(conn, report_id, caller.report_scope())  # 404 for a malformed id too
    audit.record_report_reads(conn, caller, [row], "read")
    return _geojson(_report_feature(row, out).model_dump_json(), out)


def _permission(collection_id: str) -> str:
    return "reports.read" if collection_id == "reports" else "grids.read"


def _collection(
    request: Request, conn, caller, cid: str, version: int, offered: list[OutputCrs]
) -> Collection:
    base = str(request.base_url).rstrip("/")
    title, description = TITLES[cid]
    links = [
        Link(href=f"{base}/v1/collections/{cid}", rel="self", type="application/json"),
        Link(href=f"{base}/v1/collections/{cid}/items", rel="items", type=GEOJSON),
    ]
    when = None
    if cid in COLLECTIONS:
        bbox = level_extent(conn, COLLECTIONS[cid], version)
    else:  # the reports the caller may read: where and when (OGC temporal extent)
        bbox, span = report_extent(conn, caller.report_scope())
        when = TemporalExtent(interval=[span]) if span else None
    extent = Extent(spatial=SpatialExtent(bbox=[bbox]), temporal=when) if bbox else None
    return Collection(id=cid, title=title, description=description, extent=extent,
                      links=links, crs=[c.uri for c in offered])  # fmt: skip


def _report_feature(row: dict, crs: OutputCrs) -> ReportFeature:
    point = {"type": "Point", "coordinates": point_coordinates(row["lon"], row["lat"], crs)}
    names = {"unit": "unit_code", "grid": "grid_code", "community": "community_code",
             "station": "station_code", "department": "department_code"}  # fmt: skip
    fields = set(ReportProperties.model_fields) - set(names)
    properties = {k: row[k] for k in fields} | {k: row[v] for k, v in names.items()}
    return ReportFeature(id=row["id"], geometry=point, properties=ReportProperties(**properties))


def _geojson(body: str, crs: OutputCrs) -> Response:
    return Response(body, media_type=GEOJSON, headers=crs.header())
