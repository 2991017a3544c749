"""Grid levels' items in the OGC API - Features style; versions, diffs and standing
instructions. The landing page and the collections are in routes/features.py."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from geogrid.access.roles import Caller
from geogrid.api.deps import CallerDep, ConnDep, PageDep, SingleValues, StateDep, next_link
from geogrid.api.errors import PROBLEM_RESPONSES
from geogrid.api.features import (
    COLLECTIONS,
    GridQuery,
    grid_feature,
    grid_features,
    instruction,
    instructions_for,
    level_of_code,
    offered_crs,
)
from geogrid.api.ogc import BboxRequestDep, CrsQuery, chosen_crs
from geogrid.api.schemas.common import Link, StorableStr
from geogrid.api.schemas.grids import (
    GridFeature,
    GridFeatureCollection,
    InstructionIn,
    InstructionOut,
    StreetCollection,
    VersionDiffOut,
    VersionOut,
)
from geogrid.errors import NotFoundError
from geogrid.reports.lifecycle import instruct_grid
from geogrid.storage.grids import diff_versions, version_rows
from geogrid.storage.streets import streets_in_grid
from geogrid.storage.versions import existing_version, known_version
from geogrid.vocabulary import china_today

router = APIRouter(
    prefix="/v1", tags=["grids"], responses=PROBLEM_RESPONSES, dependencies=[SingleValues]
)
GEOJSON = "application/geo+json"
CollectionId = Annotated[Literal["communities", "grids", "units"], Path(description="Level.")]
GridCode = Annotated[StorableStr, Path(max_length=18, description="A 12, 15 or 18 digit grid code.",
                               examples=["370782001001002"])]  # fmt: skip
VersionQuery = Annotated[
    int | None, Query(ge=1, le=2**31 - 1, description="Grid version (default: active).")
]
SimplifyQuery = Annotated[
    float, Query(ge=0, le=10_000, description="Simplification tolerance in metres (zoomed out).")
]


@router.get(
    "/collections/{collection_id}/items",
    response_model=GridFeatureCollection,
    responses={200: {"content": {GEOJSON: {}}}},
    summary="Grids of a level as GeoJSON",
)
def items(
    request: Request, collection_id: CollectionId, caller: CallerDep, conn: ConnDep,
    page: PageDep, bbox: BboxRequestDep, version: VersionQuery = None, crs: CrsQuery = None,
    when: Annotated[str | None, Query(alias="datetime", max_length=80, description="Accepted "
                                      "for OGC clients; grids carry no time (use `version`).")]
    = None,
    code: Annotated[StorableStr | None, Query(max_length=18,
                                              description="Exact grid code.")] = None,
    community: Annotated[StorableStr | None, Query(max_length=12,
                                                   description="Community code.")] = None,
    station: Annotated[StorableStr | None, Query(max_length=32,
                                                 description="Station code.")] = None,
    simplify: SimplifyQuery = 0.0,
) -> Response:  # fmt: skip
    """Grids in the caller's area, by code, filtered by bbox, code, community or station,
    paged with limit/offset (`next` link), optionally simplified, in CRS84 or `crs`."""
    caller.require("grids.read")
    number = known_version(conn, version)
    offered = offered_crs(conn, number)
    out = chosen_crs(crs, offered)
    box = bbox.lon_lat(offered)
    query = GridQuery(
        COLLECTIONS[collection_id], number, china_today(), box, code, community, station,
        caller.area_codes(), simplify, out.srid, out.north_first, out.digits,
    )  # fmt: skip
    features, matched = grid_features(conn, query, limit=page.limit, offset=page.offset)
    links = [Link(href=str(request.url), rel="self", type=GEOJSON)]
    following = next_link(request, page, page.offset + len(features) < matched)
    if following:
        links.append(Link(href=following, rel="next", type=GEOJSON))
    head = (
        f'{{"type":"FeatureCollection","numberMatched":{matched},'
        f'"numberReturned":{len(features)},"timeStamp":"{_now()}",'
        f'"links":[{",".join(link.model_dump_json(exclude_none=True) for link in links)}],'
        '"features":['
    )
    return Response(head + ",".join(features) + "]}", media_type=GEOJSON, headers=out.header())


@router.get(
    "/collections/{collection_id}/items/{code}",
    response_model=GridFeature,
    responses={200: {"content": {GEOJSON: {}}}},
    summary="One grid of a level",
)
def item(
    collection_id: CollectionId, code: GridCode, caller: CallerDep, conn: ConnDep,
    version: VersionQuery = None, simplify: SimplifyQuery = 0.0, crs: CrsQuery = None,
) -> Response:  # fmt: skip
    """One grid by code (OGC feature id), in CRS84 or `crs`."""
    if level_of_code(code) != COLLECTIONS[collection_id]:
        raise NotFoundError(f"no grid {code} among the {collection_id}", field="code")
    return _one_grid(code, caller, conn, version, simplify, crs)


@router.get("/grids/{code}", response_model=GridFeature,
            responses={200: {"content": {GEOJSON: {}}}}, summary="One grid by code")  # fmt: skip
def grid(
    code: GridCode, caller: CallerDep, conn: ConnDep, version: VersionQuery = None,
    simplify: SimplifyQuery = 0.0,
) -> Response:  # fmt: skip
    """One grid of any level by its code (the level follows from the code's length)."""
    return _one_grid(code, caller, conn, version, simplify)


def _one_grid(
    code: str, caller: Caller, conn, version: int | None, simplify: float, crs: str | None = None
) -> Response:
    caller.require("grids.read")
    level = level_of_code(code)
    if not caller.covers(code):
        raise NotFoundError(f"no grid {code}", field="code")
    number = known_version(conn, version)
    out = chosen_crs(crs, offered_crs(conn, number))
    query = GridQuery(level, number, china_today(), code=code, area=caller.area_codes(),
                      simplify_m=simplify, srid=out.srid, north_first=out.north_first,
                      digits=out.digits)  # fmt: skip
    return Response(grid_feature(conn, query), media_type=GEOJSON, headers=out.header())


@router.get("/grid-versions", response_model=list[VersionOut], summary="Grid versions")
def versions(caller: CallerDep, state: StateDep) -> list[VersionOut]:
    """Every grid version (generation) with its status and counts per level."""
    caller.require("grids.versions")
    found = []
    for r in version_rows(state.engine):
        counts = {"communities": r["l1"], "grids": r["l2"], "units": r["l3"]}
        found.append(VersionOut(id=r["id"], status=r["status"], created_at=r["created_at"],
                                activated_at=r["activated_at"], note=r["note"] or "",
                                passed=r["passed"], **counts))  # fmt: skip
    return found


@router.get("/grid-versions/diff", response_model=VersionDiffOut, summary="Diff two versions")
def diff(
    caller: CallerDep, state: StateDep, conn: ConnDep,
    old: Annotated[int, Query(ge=1, le=2**31 - 1, description="The older version.")],
    new: Annotated[int, Query(ge=1, le=2**31 - 1, description="The newer version.")],
) -> VersionDiffOut:  # fmt: skip
    """Grids added, removed and changed between two versions, within the caller's area."""
    caller.require("grids.versions")
    for number, name in ((old, "old"), (new, "new")):
        existing_version(conn, number, field=name)
    found = diff_versions(state.engine, old, new)

    def mine(codes: list[str]) -> list[str]:
        return [c for c in codes if caller.covers(c)]

    return VersionDiffOut(old=old, new=new, added=mine(found.added),
                          removed=mine(found.removed), changed=mine(found.changed))  # fmt: skip


@router.get("/grids/{code}/instructions", response_model=list[InstructionOut],
            summary="Standing instructions for a grid")  # fmt: skip
def read_instructions(code: GridCode, caller: CallerDep, conn: ConnDep) -> list[InstructionOut]:
    """The station's instructions for this grid and the grids containing it, newest first."""
    caller.require("grids.read")
    level_of_code(code)
    if not caller.covers(code):
        raise NotFoundError(f"no grid {code}", field="code")
    return [InstructionOut(**row) for row in instructions_for(conn, code)]


@router.get("/grids/{code}/streets", response_model=StreetCollection,
            responses={200: {"content": {GEOJSON: {}}}},
            summary="The streets inside a grid")  # fmt: skip
def streets(code: GridCode, caller: CallerDep, conn: ConnDep, version: VersionQuery = None
            ) -> Response:  # fmt: skip
    """The named streets, roads and alleys inside a grid, cut at its edge (a phone's map
    of its own grids draws them)."""
    caller.require("grids.read")
    level_of_code(code)
    if not caller.covers(code):
        raise NotFoundError(f"no grid {code}", field="code")
    features = streets_in_grid(conn, code, known_version(conn, version))
    body = '{"type":"FeatureCollection","features":' + features + "}"
    return Response(body, media_type=GEOJSON)


@router.post("/grids/{code}/instructions", response_model=InstructionOut, status_code=201,
             summary="Give a grid a standing instruction")  # fmt: skip
def add_instruction(
    code: GridCode, body: InstructionIn, caller: CallerDep, conn: ConnDep
) -> InstructionOut:
    """A station's instruction to the assistants of a grid in its jurisdiction."""
    caller.require("grids.instruct")
    level_of_code(code)
    if not caller.covers(code):
        raise NotFoundError(f"no grid {code}", field="code")
    number = instruct_grid(conn, code, body.text, actor=caller.name, station_id=caller.station_id)
    return InstructionOut(**instruction(conn, number))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
