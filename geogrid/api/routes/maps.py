"""The Folium map pages (county and station) and the local assets they load.

Pages are built on request from PostGIS (about a second for the county over a million
reports) and load their scripts, styles and font only from /static/maps on this server.
A browser opens them signed in to the console (its session cookie); a token never goes in
their URL.
"""

from __future__ import annotations

import threading
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, HTMLResponse

from geogrid.api.deps import CallerDep, ConnDep, SingleValues, StateDep
from geogrid.api.errors import PROBLEM_RESPONSES
from geogrid.api.schemas.common import IsoDate, StorableStr
from geogrid.errors import NotFoundError

ASSET_BASE = "/static/maps"
router = APIRouter(tags=["maps"], responses=PROBLEM_RESPONSES, dependencies=[SingleValues])
_copy_lock = threading.Lock()
_checked: set = set()  # asset folders brought up to date by this process
Day = Annotated[IsoDate | None, Query(description="YYYY-MM-DD (China time).")]
Groups = Annotated[
    list[Literal["hazard", "incident", "other"]] | None,
    Query(description="Report groups: hazard, incident, other (default all)."),
]


@router.get("/maps/county.html", response_class=HTMLResponse, summary="The county map page")
def county_page(
    caller: CallerDep, state: StateDep, conn: ConnDep,
    date_from: Annotated[IsoDate | None, Query(alias="from")] = None,
    date_to: Annotated[IsoDate | None, Query(alias="to")] = None,
    group: Groups = None, month: Day = None,
) -> HTMLResponse:  # fmt: skip
    """Every grid of the county with both heatmaps, markers and the month's choropleth."""
    from geogrid.maps.web import county_map_html

    caller.require("maps.county")
    page = county_map_html(conn, **_options(state, date_from, date_to, group, month))
    return HTMLResponse(page)


@router.get("/maps/stations/{code}.html", response_class=HTMLResponse,
            summary="A station's map page")  # fmt: skip
def station_page(
    code: StorableStr, caller: CallerDep, state: StateDep, conn: ConnDep,
    date_from: Annotated[IsoDate | None, Query(alias="from")] = None,
    date_to: Annotated[IsoDate | None, Query(alias="to")] = None,
    group: Groups = None, month: Day = None,
) -> HTMLResponse:  # fmt: skip
    """The grids and reports of one station's jurisdiction (a station sees only its own)."""
    from geogrid.maps.web import station_map_html

    caller.require("maps.station")
    if not caller.sees_all and caller.station_code != code:
        raise NotFoundError(f"no station {code}", field="code")
    page = station_map_html(conn, code, **_options(state, date_from, date_to, group, month))
    return HTMLResponse(page)


@router.get(ASSET_BASE + "/{path:path}", include_in_schema=False)
def asset(path: StorableStr, state: StateDep) -> FileResponse:
    """A script, stylesheet, image or font of the map pages (no token: nothing of the data)."""
    from geogrid.maps import assets, fonts

    folder = (state.settings.home / "map-assets").resolve()
    with _copy_lock:  # the font is made once (~20 s), the rest checked once per process
        # (a folder copied by an older release is brought up to date, not served stale)
        if folder not in _checked or path == fonts.FONT_FILE:
            assets.copy_assets(folder, cjk_font=path == fonts.FONT_FILE)
            _checked.add(folder)
    target = (folder / path).resolve()
    if not target.is_file() or not target.is_relative_to(folder):
        raise NotFoundError(f"no map asset {path}", field="path")
    return FileResponse(target, headers={"Cache-Control": "public, max-age=86400"})


def _options(state, date_from, date_to, group, month) -> dict:
    from geogrid.maps.reports import REPORT_GROUPS

    return {"date_from": date_from, "date_to": date_to, "month": month,
            "groups": tuple(group or REPORT_GROUPS), "asset_base": ASSET_BASE,
            "tile_url": state.settings.map_tile_url}  # fmt: skip
