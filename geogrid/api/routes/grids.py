"""Grids in the OGC API - Features style; versions, diffs and standing instructions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from geogrid.access.roles import Caller
from geogrid.api.deps import BboxDep, CallerDep, ConnDep, PageDep, SingleValues, StateDep, next_link
from geogrid.api.errors import PROBLEM_RESPONSES
from geogrid.api.features import (
    COLLECTIONS,
    GridQuery,
    grid_feature,
    grid_features,
    instruction,
    instructions_for,
    level_extent,
    level_of_code,
)
from geogrid.api.schemas.common import Link, StorableStr
from geogrid.api.schemas.grids import (
    Collection,
    Collections,
    Extent,
    GridFeature,
    GridFeatureCollection,
    InstructionIn,
    InstructionOut,
    SpatialExtent,
    VersionDiffOut,
    VersionOut,
)
from geogrid.errors import NotFoundError
from geogrid.reports.lifecycle import instruct_grid
from geogrid.storage.grids import diff_versions, version_rows
from geogrid.storage.versions import existing_version, known_version
from geogrid.vocabulary import china_today

router = APIRouter(
    prefix="/v1", tags=["grids"], responses=PROBLEM_RESPONSES, dependencies=[SingleValues]
)
GEOJSON = "application/geo+json"
TITLES = {
    "communities": ("社区 Communities (level 1)", "Level-1 grids: whole communities."),
    "grids": (
        "二级网格 Grids (level 2)",
        "Natural villages and town blocks, one grid leader each.",
    ),
    "units": ("三级网格 Units (level 3)", "About 30 households, one information officer each."),
}
CollectionId = Annotated[Literal["communities", "grids", "units"], Path(description="Level.")]
GridCode = Annotated[StorableStr, Path(max_length=18, description="A 12, 15 or 18 digit grid code.",
                               examples=["370782001001002"])]  # fmt: skip
VersionQuery = Annotated[
    int | None, Query(ge=1, le=2**31 - 1, description="Grid version (default: active).")
]
SimplifyQuery = Annotated[
    float, Query(ge=0, le=10_000, description="Simplification tolerance in metres (zoomed out).")
]


@router.get("/collections", response_model=Collections, summary="The three grid levels")
def collections(request: Request, caller: CallerDep, conn: ConnDep) -> Collections:
    """One collection per level of the active version, with its extent."""
    caller.require("grids.read")
    version = known_version(conn, None)
    found = [_collection(request, cid, level_extent(conn, level, version))
             for cid, level in COLLECTIONS.items()]  # fmt: skip
    self = Link(href=str(request.url), rel="self", type="application/json")
    return Collections(collections=found, links=[self])


@router.get("/collections/{collection_id}", response_model=Collection, summary="One level")
def collection(
    request: Request, collection_id: CollectionId, caller: CallerDep, conn: ConnDep
) -> Collection:
    """A grid level of the active version."""
    caller.require("grids.read")
    version = known_version(conn, None)
    extent = level_extent(conn, COLLECTIONS[collection_id], version)
    return _collection(request, collection_id, extent)


@router.get(
    "/collections/{collection_id}/items",
    response_model=GridFeatureCollection,
    responses={200: {"content": {GEOJSON: {}}}},
    summary="Grids of a level as GeoJSON",
)
def items(
    request: Request, collection_id: CollectionId, caller: CallerDep, conn: ConnDep,
    page: PageDep, bbox: BboxDep, version: VersionQuery = None,
    code: Annotated[StorableStr | None, Query(max_length=18,
                                              description="Exact grid code.")] = None,
    community: Annotated[StorableStr | None, Query(max_length=12,
                                                   description="Community code.")] = None,
    station: Annotated[StorableStr | None, Query(max_length=32,
                                                 description="Station code.")] = None,
    simplify: SimplifyQuery = 0.0,
) -> Response:  # fmt: skip
    """Grids in the caller's area, by code, filtered by bbox, code, community or station,
    paged with limit/offset (`next` link), optionally simplified."""
    caller.require("grids.read")
    query = GridQuery(
        COLLECTIONS[collection_id], known_version(conn, version), china_today(), bbox, code,
        community, station, caller.area_codes(), simplify,
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
    return Response(head + ",".join(features) + "]}", media_type=GEOJSON)


@router.get(
    "/collections/{collection_id}/items/{code}",
    response_model=GridFeature,
    responses={200: {"content": {GEOJSON: {}}}},
    summary="One grid of a level",
)
def item(
    collection_id: CollectionId, code: GridCode, caller: CallerDep, conn: ConnDep,
    version: VersionQuery = None, simplify: SimplifyQuery = 0.0,
) -> Response:  # fmt: skip
    """One grid by code (OGC feature id)."""
    if level_of_code(code) != COLLECTIONS[collection_id]:
        raise NotFoundError(f"no grid {code} among the {collection_id}", field="code")
    return _one_grid(code, caller, conn, version, simplify)


@router.get("/grids/{code}", response_model=GridFeature,
            responses={200: {"content": {GEOJSON: {}}}}, summary="One grid by code")  # fmt: skip
def grid(
    code: GridCode, caller: CallerDep, conn: ConnDep, version: VersionQuery = None,
    simplify: SimplifyQuery = 0.0,
) -> Response:  # fmt: skip
    """One grid of any level by its code (the level follows from the code's length)."""
    return _one_grid(code, caller, conn, version, simplify)


def _one_grid(code: str, caller: Caller, conn, version: int | None, simplify: float) -> Response:
    caller.require("grids.read")
    level = level_of_code(code)
    if not caller.covers(code):
        raise NotFoundError(f"no grid {code}", field="code")
    query = GridQuery(level, known_version(conn, version), china_today(), code=code,
                      area=caller.area_codes(), simplify_m=simplify)  # fmt: skip
    return Response(grid_feature(conn, query), media_type=GEOJSON)


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


def _collection(request: Request, cid: str, bbox: list[float] | None) -> Collection:
    base = str(request.base_url).rstrip("/")
    title, description = TITLES[cid]
    links = [
        Link(href=f"{base}/v1/collections/{cid}", rel="self", type="application/json"),
        Link(href=f"{base}/v1/collections/{cid}/items", rel="items", type=GEOJSON),
    ]
    extent = Extent(spatial=SpatialExtent(bbox=[bbox])) if bbox else None
    return Collection(id=cid, title=title, description=description, extent=extent, links=links)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
