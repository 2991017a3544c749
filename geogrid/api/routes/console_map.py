"""The console's map page (/console/map) and the data its script reads as the view moves.

The page is server-rendered and carries no inline script (the console's CSP): its settings
travel in data-* attributes and console-map.js draws the grid levels from the vector tiles
(api/routes/tiles.py, cached per grid version) and fetches the streets by bounding box, the
stations and the period's reports from the JSON routes below, with the session cookie (or a
bearer token). Only the desk roles (county office, stations) use it;
a station sees its jurisdiction, and a grid of another station is a 404, as under /v1.
"""

from __future__ import annotations

import json
import re
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from geogrid.access import audit
from geogrid.access.errors import Unauthenticated
from geogrid.access.roles import Caller
from geogrid.api.deps import BboxDep, CallerDep, ConnDep, StateDep, console_session
from geogrid.api.figures_json import figures_body
from geogrid.api.routes.tiles import TMS
from geogrid.api.schemas.common import IsoDate, StorableStr
from geogrid.console.render import CONSOLE, CSP, render
from geogrid.errors import InputError, NotFoundError
from geogrid.maps import live
from geogrid.maps.panel import grid_panel
from geogrid.maps.styles import STATUS_NAMES, console_styles
from geogrid.registry.due import due_in_grid
from geogrid.storage.tiles import LAYER_LEVELS, MIN_ZOOM
from geogrid.storage.versions import existing_version
from geogrid.usecases.month_figures import stored_coverage
from geogrid.vocabulary import (
    MONTH_PATTERN,
    PATROL_COVER_M,
    as_china_time,
    china_now,
    china_today,
)

router = APIRouter(include_in_schema=False)
DATA = CONSOLE + "/map"
# The grid levels' tiles: all levels in one tile per place (an MVT layer each, units from
# zoom 13), or one collection's (the coverage layer's shapes).
GRID_TILES = {
    "url": f"/v1/tiles/{TMS}/{{z}}/{{y}}/{{x}}",
    "collection": f"/v1/collections/{{collection}}/tiles/{TMS}/{{z}}/{{y}}/{{x}}",
    "levels": {level: {"layer": name, "minZoom": MIN_ZOOM[name]}
               for name, level in LAYER_LEVELS.items()},
}  # fmt: skip
PERIOD_DAYS = 90  # the default period of the heatmaps and markers: the last three months
Zoom = Annotated[float, Query(ge=0, le=24, description="The map's zoom (Web Mercator).")]
From = Annotated[IsoDate | None, Query(alias="from")]
To = Annotated[IsoDate | None, Query(alias="to")]


def _desk(caller: Caller) -> Caller:
    caller.require("maps.station")
    return caller


@router.get(CONSOLE + "/map", response_class=HTMLResponse)
async def map_page(
    request: Request, state: StateDep, date_from: From = None, date_to: To = None,
    diff: Annotated[str | None, Query(max_length=24, pattern=r"^\d{1,9},\d{1,9}$")] = None,
) -> Response:  # fmt: skip
    """The map page; without a live session, a redirect to the sign-in page."""
    try:
        caller, session = await console_session(request)
    except Unauthenticated:
        return RedirectResponse(f"{CONSOLE}/signin?next={quote(DATA)}", status_code=303)
    context = {"caller": caller, "csrf_token": session.csrf_token}
    if not caller.may("maps.station"):
        return render(request, "map.html", status_code=403, forbidden=True, **context)
    first, last = _period(date_from, date_to)
    bounds = await run_in_threadpool(_bounds, state.engine, caller.area_codes())
    data = {"bounds": json.dumps(bounds), "styles": json.dumps(console_styles()),
            "tiles": state.settings.map_tile_url or "", "base": DATA, "from": first.isoformat(),
            "to": last.isoformat(), "diff": diff or "", "cases": f"{CONSOLE}/cases/",
            "grid_tiles": json.dumps(GRID_TILES)}  # fmt: skip
    page = render(request, "map.html", data=data, period=(first, last), **context)
    page.headers["Content-Security-Policy"] = csp_with_tiles(state.settings.map_tile_url)
    return page


def csp_with_tiles(tile_url: str | None) -> str:
    """The console's policy, letting images come from the intranet tile server as well
    when one is configured on another host (a relative URL is this server already)."""
    found = re.match(r"https?://[^/{}]+", tile_url or "")
    if not found:
        return CSP
    return CSP.replace("img-src 'self'", f"img-src 'self' {found.group(0)}", 1)


def _bounds(engine, area: tuple[str, ...] | None) -> tuple[float, ...]:
    with engine.connect() as conn:
        return live.area_bounds(conn, area)


def _period(date_from: date | None, date_to: date | None) -> tuple[date, date]:
    last = date_to or china_today()
    first = date_from or last - timedelta(days=PERIOD_DAYS - 1)
    if first > last:
        raise InputError(f"from {first} is after to {last}", field="from")
    return first, last


@router.get(DATA + "/streets.json")
def streets(bbox: BboxDep, zoom: Zoom, caller: CallerDep, conn: ConnDep) -> JSONResponse:
    """Named streets in the view's box (the base map without tiles)."""
    _desk(caller)
    return _json(live.street_layer(conn, _view(bbox, zoom)))


@router.get(DATA + "/stations.json")
def stations(caller: CallerDep, conn: ConnDep) -> JSONResponse:
    """The caller's station (a station) or every station (the county office)."""
    _desk(caller)
    return _json(live.station_points(conn, None if caller.sees_all else caller.station_id))


@router.get(DATA + "/reports.json")
def reports(caller: CallerDep, conn: ConnDep, date_from: From = None,
            date_to: To = None) -> JSONResponse:  # fmt: skip
    """The period's heat cells and newest markers in the caller's area."""
    _desk(caller)
    first, last = _period(date_from, date_to)
    area = None if caller.sees_all else live.station_communities(conn, caller.station_id)
    return _json(live.report_layer(conn, area, first, last, now=china_now()))


@router.get(DATA + "/coverage.json")
def coverage(
    caller: CallerDep, conn: ConnDep, state: StateDep,
    month: Annotated[str | None, Query(pattern=f"^{MONTH_PATTERN}$")] = None,
) -> Response:  # fmt: skip
    """The month's (default: this China month's) patrol coverage of every unit in the
    caller's area, for the coverage layer: code -> [area_m2, covered_m2, patrols, days],
    from the stored figures (usecases/month_figures.py) with the China time of their making."""
    _desk(caller)
    caller.require("coverage.read")
    chosen = month or china_today().strftime("%Y-%m")
    found = stored_coverage(state.engine, conn, caller, chosen, state.settings.figures_max_age_s)

    def content() -> dict:
        at = as_china_time(found.computed_at).isoformat(timespec="seconds")
        rows = {u.code: [u.area_m2, u.covered_m2, u.patrols, u.days] for u in found.rows}
        return {"month": chosen, "cover_m": PATROL_COVER_M, "computed_at": at, "units": rows}

    body = figures_body(found.key, found.computed_at, content)  # rendered once per computing
    return Response(body, media_type="application/json", headers={"Cache-Control": "no-store"})


@router.get(DATA + "/changed.json")
def changed(
    version: Annotated[int, Query(ge=1, le=2**31 - 1)],
    codes: Annotated[StorableStr, Query(max_length=40_000, pattern=r"^[0-9,]*$")],
    caller: CallerDep, conn: ConnDep,
) -> JSONResponse:  # fmt: skip
    """Grids of a version by code: the grids page's diff drawn on the map (?diff=old,new)."""
    caller.require("grids.versions")
    existing_version(conn, version, field="version")
    wanted = [code for code in codes.split(",") if code]
    return _json(live.version_grids(conn, version, wanted, caller.area_codes()))


@router.get(DATA + "/grids/{code}", response_class=HTMLResponse)
def panel(request: Request, code: StorableStr, caller: CallerDep, conn: ConnDep) -> HTMLResponse:
    """The side panel of one grid: people, open cases, this month's figures, its sheet."""
    _covered(_desk(caller), code)
    found = grid_panel(conn, code, caller.report_scope(), day=china_today(), now=china_now(),
                       phones=caller.sees_details)  # fmt: skip
    found.due = due_in_grid(conn, caller, code, china_today())  # audited when not empty
    if found.shows_phones:
        audit.record(conn, caller, "read", "grid_contacts", code)
    return render(request, "map_panel.html", grid=found, caller=caller, status_names=STATUS_NAMES)


@router.get(DATA + "/grids/{code}/sheet.pdf")
def sheet(code: StorableStr, caller: CallerDep, conn: ConnDep) -> Response:
    """The printable patrol sheet (PDF) of a level-2 grid, or of a unit's level-2 grid."""
    from geogrid.prints import write_grid_sheet  # matplotlib: only when a sheet is asked for

    _covered(_desk(caller), code)
    if len(code) not in (15, 18):
        raise NotFoundError(f"no patrol sheet for {code}: one per level-2 grid", field="code")
    grid_code = code[:15]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sheet.pdf"
        due = due_in_grid(conn, caller, grid_code, china_today()) if caller.sees_details else None
        write_grid_sheet(conn, grid_code, path, due=due)
        pdf = path.read_bytes()
    audit.record(conn, caller, "print", "grid_sheet", grid_code)  # it names leaders, phones
    headers = {"Content-Disposition": f'inline; filename="grid_{grid_code}.pdf"',
               "Cache-Control": "no-store"}  # fmt: skip
    return Response(pdf, media_type="application/pdf", headers=headers)


def _covered(caller: Caller, code: str) -> None:
    if not code.isdigit() or not caller.covers(code):
        raise NotFoundError(f"no grid {code}", field="code")


def _view(bbox: tuple[float, float, float, float] | None, zoom: float) -> live.View:
    if bbox is None:
        raise InputError("bbox is required: minLon,minLat,maxLon,maxLat", field="bbox")
    return live.View(bbox, zoom)


def _json(value: object) -> JSONResponse:
    # Personal data may be among it: never cached by a browser or a proxy.
    return JSONResponse(value, headers={"Cache-Control": "no-store"})
