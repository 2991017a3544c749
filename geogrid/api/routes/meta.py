"""The landing page, OGC conformance, liveness and the caller's own record."""

from __future__ import annotations

from fastapi import APIRouter, Request

from geogrid.api.deps import CallerDep, SingleValues
from geogrid.api.errors import PROBLEM_RESPONSES
from geogrid.api.schemas.common import Link, Me
from geogrid.api.schemas.grids import Conformance, LandingPage

router = APIRouter(tags=["meta"], dependencies=[SingleValues])

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]


@router.get("/", response_model=LandingPage, summary="Landing page")
async def landing(request: Request) -> LandingPage:
    """What this service offers, as links (OGC API - Features landing page)."""
    base = str(request.base_url).rstrip("/")
    links = [
        Link(href=f"{base}/", rel="self", type="application/json", title="this document"),
        Link(href=f"{base}/openapi.json", rel="service-desc",
             type="application/vnd.oai.openapi+json;version=3.0", title="OpenAPI definition"),
        Link(href=f"{base}/docs", rel="service-doc", type="text/html", title="documentation"),
        Link(href=f"{base}/conformance", rel="conformance", type="application/json"),
        Link(href=f"{base}/v1/collections", rel="data", type="application/json",
             title="grid collections"),
    ]  # fmt: skip
    return LandingPage(
        title="geogrid",
        description="Grids, geotag lookup, reports and statistics of the county's grid "
        "management (网格化管理).",
        links=links,
    )


@router.get("/conformance", response_model=Conformance, summary="OGC conformance classes")
async def conformance() -> Conformance:
    """The OGC API - Features conformance classes implemented."""
    return Conformance(conformsTo=CONFORMANCE)


@router.get("/healthz", summary="Liveness", include_in_schema=True)
async def healthz() -> dict[str, str]:
    """Answers while the process runs (no token, no database)."""
    return {"status": "ok"}


@router.get("/v1/me", response_model=Me, responses=PROBLEM_RESPONSES, summary="The caller")
async def me(caller: CallerDep) -> Me:
    """Who the token belongs to and the scope it gives."""
    return Me(
        name=caller.name, role=caller.role, station=caller.station_code,
        department=caller.department_code, person=caller.person_no,
        grids=list(caller.grid_codes), communities=sorted(caller.communities),
    )  # fmt: skip
