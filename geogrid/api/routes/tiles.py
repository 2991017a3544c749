"""Vector tiles of the grid levels (OGC API - Tiles style, WebMercatorQuad, MVT).

A tile is read from storage (geogrid.storage.tiles) for the active version within the
caller's area, and cached per version, area and tile (geogrid.api.tilecache): activating a
version changes the key. The version is the one the lookups assign with (the index the
refresher swaps in within `index_refresh_seconds` of an activation), so a cached tile costs
no database round trip and no thread hop. An empty tile answers 204 No Content, as OGC
API - Tiles allows.

The reports collection's tiles are report density (storage.tiles.density_tile) in the
caller's report scope, read fresh each time (reports arrive all day), with an ETag.
"""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from geogrid.api.deps import CallerDep, SingleValues, StateDep
from geogrid.api.errors import PROBLEM_RESPONSES
from geogrid.api.tilecache import tile_key
from geogrid.errors import InputError, NotFoundError
from geogrid.storage.tiles import (
    DENSITY_LAYER,
    LAYER_LEVELS,
    MAX_ZOOM,
    MIN_ZOOM,
    TileQuery,
    check_tile,
    density_tile,
    grid_tile,
)

router = APIRouter(tags=["tiles"], responses=PROBLEM_RESPONSES, dependencies=[SingleValues])
MVT = "application/vnd.mapbox-vector-tile"
TMS = "WebMercatorQuad"
TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
# Private: a tile is scoped by the caller's role; a minute, then revalidated by its ETag.
CACHE_CONTROL = "private, max-age=60"
Z = Annotated[int, Path(description="Zoom (tile matrix), 0..24.")]
Y = Annotated[int, Path(description="Tile row, from the north.")]
X = Annotated[int, Path(description="Tile column, from the west.")]
# Any collection id, as /v1/collections/{collection_id}/items takes: one without tiles
# (reports, or none of that name) is a 404 naming it, not a 422 for a path the items allow.
CollectionId = Annotated[
    str,
    Path(
        max_length=64,
        description="A grid level's collection (communities, grids, units), or reports "
        "(report density in square bins, 16 across a tile).",
    ),
]
LayersQuery = Annotated[
    str | None,
    Query(max_length=40, description="Comma-separated layers (default: all three)."),
]
TILE_RESPONSES = {
    200: {"content": {MVT: {}}},
    204: {"description": "No grid in this tile."},
    304: {"description": "Not modified: `If-None-Match` names the tile's ETag."},
}


@router.get(f"/v1/tiles/{TMS}", summary="Tileset metadata of the grid levels")
def tileset(request: Request, caller: CallerDep) -> dict:
    """The tileset (OGC API - Tiles, with TileJSON's `tiles`): URL template and layers."""
    caller.require("grids.read")
    base = str(request.base_url).rstrip("/")
    template = f"{base}/v1/tiles/{TMS}/{{z}}/{{y}}/{{x}}"
    layers = [{"id": name, "minzoom": MIN_ZOOM[name], "maxzoom": MAX_ZOOM,
               "fields": {"code": "String", "name": "String", "level": "Integer"}}
              for name in LAYER_LEVELS]  # fmt: skip
    return {
        "title": "geogrid grid levels", "dataType": "vector", "crs": TMS_URI,
        "tileMatrixSetURI": TMS_URI, "tilejson": "3.0.0", "tiles": [template],
        "minzoom": 0, "maxzoom": MAX_ZOOM, "vector_layers": layers, "layers": layers,
        "links": [{"href": template, "rel": "item", "type": MVT, "templated": True,
                   "title": "a tile of the three grid levels"}],
    }  # fmt: skip


@router.get(f"/v1/tiles/{TMS}/{{z}}/{{y}}/{{x}}", response_class=Response,
            responses=TILE_RESPONSES, summary="A vector tile of the grid levels")  # fmt: skip
async def tile(
    request: Request, z: Z, y: Y, x: X, caller: CallerDep, state: StateDep,
    layers: LayersQuery = None,
) -> Response:  # fmt: skip
    """The grid levels in tile z/y/x (MVT), one layer per level; `units` from zoom 13."""
    return await _tile(request, caller, state, (z, x, y), _layers(layers))


@router.get(f"/v1/collections/{{collection_id}}/tiles/{TMS}/{{z}}/{{y}}/{{x}}",
            response_class=Response, responses=TILE_RESPONSES,
            summary="A vector tile of one grid level")  # fmt: skip
async def collection_tile(
    request: Request, collection_id: CollectionId, z: Z, y: Y, x: X, caller: CallerDep,
    state: StateDep,
) -> Response:  # fmt: skip
    """One grid level in tile z/y/x (MVT), or the density of the reports the caller may
    read; 404 for a collection without tiles."""
    if collection_id == DENSITY_LAYER:
        return await _density(request, caller, state, (z, x, y))
    if collection_id not in LAYER_LEVELS:
        raise NotFoundError(f"collection {collection_id!r} has no tiles: use communities, "
                            "grids, units or reports", field="collection_id")  # fmt: skip
    return await _tile(request, caller, state, (z, x, y), (collection_id,))


def _layers(asked: str | None) -> tuple[str, ...]:
    if asked is None:
        return tuple(LAYER_LEVELS)
    names = tuple(sorted({part.strip() for part in asked.split(",") if part.strip()}))
    unknown = [name for name in names if name not in LAYER_LEVELS]
    if unknown or not names:
        raise InputError(f"unknown layer(s) {unknown or asked!r}: use communities, grids, "
                         "units", field="layers")  # fmt: skip
    return names


async def _tile(request: Request, caller, state, zxy: tuple[int, int, int], layers) -> Response:
    caller.require("grids.read")
    version = state.point_lookup().index.version_id  # 409 while no version is active
    z, x, y = zxy
    check_tile(z, x, y)
    key = tile_key(version, caller.area_codes(), z, x, y, layers)
    cached = state.tiles.get(key)
    if cached is None:
        query = TileQuery(version, z, x, y, layers, caller.area_codes())
        cached = state.tiles.put(key, await run_in_threadpool(_read, state.engine, query))
    headers = {"ETag": cached.etag, "Cache-Control": CACHE_CONTROL}
    if request.headers.get("if-none-match") == cached.etag:
        return Response(status_code=304, headers=headers)
    if not cached.body:
        return Response(status_code=204, headers=headers)
    return Response(cached.body, media_type=MVT, headers=headers)


async def _density(request: Request, caller, state, zxy: tuple[int, int, int]) -> Response:
    caller.require("reports.read")
    z, x, y = zxy
    check_tile(z, x, y)
    scope = caller.report_scope().condition()
    body = await run_in_threadpool(_read_density, state.engine, zxy, scope)
    etag = f'"d-{hashlib.blake2b(body, digest_size=12).hexdigest()}"'
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    if not body:
        return Response(status_code=204, headers=headers)
    return Response(body, media_type=MVT, headers=headers)


def _read_density(engine, zxy: tuple[int, int, int], scope) -> bytes:
    with engine.connect() as conn:
        return density_tile(conn, *zxy, scope)


def _read(engine, query: TileQuery) -> bytes:
    with engine.connect() as conn:
        return grid_tile(conn, query)
