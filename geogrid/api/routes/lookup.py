"""GET /v1/lookup: the field phones' main call (a point -> grids, people, station)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from geogrid.api.deps import current_caller, query_model, query_parameters
from geogrid.api.errors import PROBLEM_RESPONSES
from geogrid.api.lean import LeanRoute
from geogrid.api.schemas.lookup import LookupOut, LookupQuery
from geogrid.errors import NotFoundError
from geogrid.registry.addresses import AddressRow, nearest_in_area
from geogrid.reports.lookup import Contact, GridName, Lookup, to_lon_lat

router = APIRouter(prefix="/v1", tags=["lookup"], route_class=LeanRoute)


@router.get(
    "/lookup",
    response_model=LookupOut,
    responses=PROBLEM_RESPONSES,
    summary="Geotag lookup: which unit, grid and community a point is in, and who answers",
    openapi_extra={"parameters": query_parameters(LookupQuery)},
)
async def lookup(request: Request) -> Response:
    """The spatial join of the intake for one point: level-1/2/3 codes and names, the grid
    leader, information officer and community police on duty (name, phone), the station,
    the assignment method and the distance to the unit's edge. A point in a grid outside
    the caller's area is not found (404)."""
    # The field phones' main call, so it is lean (a LeanRoute): the caller and the query are
    # read here rather than through FastAPI's dependency machinery, which costs more than
    # the lookup, and the answer is written as JSON directly (its shape is LookupOut, tested).
    caller = await current_caller(request)
    caller.require("lookup")
    query = query_model(LookupQuery, request)
    state = request.app.state.geogrid
    lon, lat = to_lon_lat(query.lon, query.lat, query.crs)
    lookups = state.point_lookup()
    found = lookups.find(lon, lat, day=query.day, tolerance_m=state.api.tolerance_m)
    if found.unit is not None and not caller.covers(found.unit.code):
        raise NotFoundError("no grid in your area at this point", field="lon")
    near = "[]"
    if query.addresses and state.has_addresses:  # one KNN query, once the registry has any
        rows = await run_in_threadpool(nearest_in_area, state.engine, caller, lon, lat,
                                       query.addresses)  # fmt: skip
        near = addresses_json(rows)
    body = lookup_json(found, lookups.memo, near)
    return Response(body.encode("utf-8"), media_type="application/json")


def lookup_json(found: Lookup, memo: dict | None = None, addresses: str = "[]") -> str:
    """The LookupOut JSON of a lookup: the point's own figures, then the unit's part (the
    same for every point of a unit on a day, so kept in `memo`), then the nearest standard
    addresses (JSON, as `addresses_json` writes them)."""
    distance = "null" if found.edge_distance_m is None else repr(round(found.edge_distance_m, 2))
    key = (found.unit_index, found.day)
    tail = None if memo is None else memo.get(key)
    if tail is None:
        tail = _unit_json(found)
        if memo is not None:
            memo[key] = tail
    return (
        f'{{"lon":{found.lon!r},"lat":{found.lat!r},"method":"{found.method}",'
        f'"edge_distance_m":{distance},{tail},"addresses":{addresses}}}'
    )


def addresses_json(rows: list[AddressRow]) -> str:
    """The NearAddress list of the lookup's answer, as JSON."""
    near = [{"code": a.code, "text": a.text, "unit_code": a.unit_code,
             "distance_m": round(a.distance_m or 0.0, 2)} for a in rows]  # fmt: skip
    return json.dumps(near, ensure_ascii=False, separators=(",", ":"))


def _unit_json(found: Lookup) -> str:
    """Everything but the point's own figures, as JSON members."""
    duty = found.duty
    body = {
        "unit": _grid(found.unit), "grid": _grid(found.grid), "community": _grid(found.community),
        "leader": _contact(duty.leader), "officer": _contact(duty.officer),
        "police": _contact(duty.police), "station": _contact(duty.station),
        "version": found.version_id,
    }  # fmt: skip
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))[1:-1]


def _grid(grid: GridName | None) -> dict | None:
    return None if grid is None else {"code": grid.code, "name": grid.name}


def _contact(contact: Contact | None) -> dict | None:
    if contact is None:
        return None
    out = {"name": contact.name, "phone": contact.phone}
    if contact.code is not None:
        out["code"] = contact.code
    return out
