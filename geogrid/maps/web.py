"""County and station web maps (Folium/Leaflet) that work on a network with no internet.

The page draws grids, streets and aggregated reports from data embedded in it, and loads its
scripts and styles only from `asset_base`: a folder beside the saved file ("assets", filled by
`write_map`) or geogrid's own server ("/static/maps", serving a folder that
`assets.copy_assets` filled). Tiles come only from an intranet tile server, when `tile_url`
names one.
"""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import folium
import numpy as np
from branca.element import Element, Figure
from sqlalchemy import Connection

from geogrid.errors import InputError
from geogrid.maps import assets
from geogrid.maps.data import MapData, read_map_data
from geogrid.maps.elements import (
    BaseMap,
    CellHeatMap,
    ChoroplethLayer,
    GridLayer,
    MapNote,
    PageData,
    ReportCluster,
)
from geogrid.maps.encode import PeopleIndex, grid_rows, heat_cells, street_rows
from geogrid.maps.reports import REPORT_GROUPS, ReportFilter
from geogrid.maps.styles import (
    GROUP_COLORS,
    GROUP_NAMES,
    HEAT_LAYERS,
    HEAT_OPTIONS,
    LEVELS,
    STATUS_NAMES,
)
from geogrid.vocabulary import CHINA_TZ

ASSET_BASE = re.compile(r"[A-Za-z0-9_./~-]*")  # a folder or a path on geogrid's own server
MAX_ZOOM = 19  # Leaflet needs a maxZoom without tiles, or MarkerCluster throws
CHOROPLETH_COLORS = ["#f8f9fa", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"]


def map_html(
    conn: Connection,
    station: int | str | None = None,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    groups: tuple[str, ...] = REPORT_GROUPS,
    month: date | None = None,
    marker_limit: int = 500,
    tile_url: str | None = None,
    asset_base: str = "assets",
    day: date | None = None,
) -> str:
    """A map as an HTML page: the county's (station None), or a station's (by id or code)
    with its communities' grids and reports only, drawn in finer detail."""
    filters = ReportFilter(date_from, date_to, tuple(groups), month, marker_limit)
    detail = {} if station is None else {"station": station, "simplify_m": 1.0}
    data = read_map_data(conn, filters=filters, day=day, **detail)
    return render_map(build_map(data, tile_url=tile_url, asset_base=asset_base), tile_url)


def county_map_html(conn: Connection, **options) -> str:
    """The county map as an HTML page: every grid, the county's reports (see map_html)."""
    return map_html(conn, None, **options)


def station_map_html(conn: Connection, station: int | str, **options) -> str:
    """A station's map (by station id or code) as an HTML page (see map_html)."""
    return map_html(conn, station, **options)


def build_map(
    data: MapData,
    *,
    tile_url: str | None = None,
    tile_attribution: str = "内网瓦片",
    asset_base: str = "assets",
) -> folium.Map:
    """The folium map of `data`, its scripts and styles pointed at `asset_base`."""
    if tile_url is not None and not tile_url.startswith(("http://", "https://", "/")):
        raise InputError(f"tile_url {tile_url!r} is not an http(s) URL or a path", field="tile_url")
    if not ASSET_BASE.fullmatch(asset_base) or "//" in asset_base:
        raise InputError(f"asset_base {asset_base!r} is not a local path", field="asset_base")
    fmap = _new_map(data, tile_url is not None)
    if tile_url:
        folium.TileLayer(tile_url, attr=tile_attribution, name="内网瓦片底图",
                         max_zoom=MAX_ZOOM, overlay=False).add_to(fmap)  # fmt: skip
    index = PeopleIndex()
    levels = {level: PageData(grid_rows(level, data.grids[level], index), "grids")
              for level in (1, 2, 3)}  # fmt: skip
    # People are written after the grids that refer to them, but must be defined first.
    people = PageData(index.rows, "people")
    for element in (people, *levels.values()):
        fmap.add_child(element)
    streets = PageData(street_rows(data.streets), "streets")
    fmap.add_child(streets)
    # With tiles the drawn base map becomes an overlay that can sit on them.
    BaseMap(levels[1], streets, "街路巷与社区界线", overlay=tile_url is not None).add_to(fmap)
    _add_grid_layers(fmap, levels, people, whole_county=data.station is None)
    _add_report_layers(fmap, data, levels[2])
    _add_notes(fmap, data)
    folium.LayerControl(collapsed=False, position="topright").add_to(fmap)
    assets.localize(fmap.get_root(), asset_base)
    return fmap


def _new_map(data: MapData, attribution: bool) -> folium.Map:
    minx, miny, maxx, maxy = data.bounds()
    figure = Figure(title=data.title)
    fmap = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=11,
        tiles=None,
        prefer_canvas=True,  # thousands of polygons: one canvas instead of SVG paths
        control_scale=True,
        attribution_control=attribution,
        maxZoom=MAX_ZOOM,
        minZoom=7,
        zoomSnap=0.5,
    )
    # No favicon request (a 404 would be a console error); the icon is an empty data URL.
    figure.header.add_child(Element('<link rel="icon" href="data:,">'), name="favicon")
    figure.add_child(fmap)
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    return fmap


def _add_grid_layers(
    fmap: folium.Map, levels: dict[int, PageData], people: PageData, *, whole_county: bool
) -> None:
    for level, (name, style, label_zoom) in LEVELS.items():
        options = {"title": name, "style": style, "labelZoom": label_zoom}
        # Thousands of county units at once help nobody; a station's few hundred do.
        show = level < 3 or not whole_county
        fmap.add_child(GridLayer(levels[level], people, name, options, show=show))


def _add_report_layers(fmap: folium.Map, data: MapData, level2: PageData) -> None:
    for group, cells in data.heat.items():
        name, gradient = HEAT_LAYERS[group]
        fmap.add_child(CellHeatMap(
            heat_cells(cells), name=name, show=group == "hazard", radius=HEAT_OPTIONS["radius"],
            blur=HEAT_OPTIONS["blur"], min_opacity=HEAT_OPTIONS["minOpacity"],
            max_zoom=HEAT_OPTIONS["maxZoom"], gradient=gradient,
        ))  # fmt: skip
    if data.filters.marker_limit:
        fmap.add_child(ReportCluster(report_rows(data), f"上报（最新 {len(data.reports):,} 条）"))
    counts = [data.month_counts.get(grid.code, 0) for grid in data.grids[2]]
    breaks = choropleth_breaks(counts)
    month = data.filters.month_start().strftime("%Y年%m月")
    style = {"color": "#495057", "weight": 0.7, "fillOpacity": 0.75}
    colors = CHOROPLETH_COLORS[: len(breaks)]
    options = {"style": style, "breaks": breaks, "colors": colors, "month": month}
    fmap.add_child(ChoroplethLayer(
        level2, counts, f"{month}各二级网格上报量", options, legend_html(month, breaks),
    ))  # fmt: skip


def report_rows(data: MapData) -> dict:
    """The newest reports for geogrid.reportMarkers, categories listed once."""
    categories: dict[tuple[str, str], int] = {}
    rows = []
    for report in data.reports:
        key = (report.category, report.group)
        position = categories.setdefault(key, len(categories))
        when = report.reported_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
        rows.append([round(report.lat, 5), round(report.lon, 5), position, when,
                     STATUS_NAMES.get(report.status, report.status), report.grid,
                     report.text[:80]])  # fmt: skip
    return {"categories": [list(key) for key in categories], "colors": GROUP_COLORS, "rows": rows}


def choropleth_breaks(counts: list[int]) -> list[int]:
    """Class limits for the counts: 0, 1, then quantiles of the grids that have reports."""
    positive = np.array([c for c in counts if c > 0])
    if len(positive) == 0:
        return [0]
    quantiles = np.percentile(positive, [25, 50, 75, 90, 97]).round().astype(int).tolist()
    return sorted({0, 1, *(q for q in quantiles if q > 1)})


def legend_html(month: str, breaks: list[int]) -> str:
    """The choropleth's legend: a colour per class of counts."""
    lines = [f"<b>{html.escape(month)}上报量</b>"]
    for i, low in enumerate(breaks):
        high = breaks[i + 1] - 1 if i + 1 < len(breaks) else None
        label = f"{low}" if high == low else (f"{low}–{high}" if high is not None else f"≥{low}")
        lines.append(f'<i style="background:{CHOROPLETH_COLORS[i]}"></i>{label} 条')
    return "<br>".join(lines)


def _add_notes(fmap: folium.Map, data: MapData) -> None:
    """Title, filters and the plain statement of how many reports the markers show."""
    f = data.filters
    span = f"{f.date_from or '最早'} 至 {f.date_to or '今'}"
    groups = "、".join(GROUP_NAMES[g] for g in f.groups)
    totals = "，".join(f"{GROUP_NAMES[g]} {data.totals.get(g, 0):,}" for g in f.groups)
    shown, total = len(data.reports), data.report_total
    if f.marker_limit == 0:
        markers = f"未显示上报点（共 {total:,} 条）。"
    elif shown < total:
        markers = f"上报点只显示最新 {shown:,} 条，共 {total:,} 条；热力图含全部隐患、治安上报。"
    else:
        markers = f"上报点显示全部 {shown:,} 条。"
    lines = [f"<b>{html.escape(data.title)}</b>", f"日期：{span}　类别：{groups}",
             f"上报 {data.report_total:,} 条（{totals}）", markers]  # fmt: skip
    fmap.add_child(MapNote("<br>".join(lines), "bottomleft", "gg-title"))


def render_map(fmap: folium.Map, tile_url: str | None = None) -> str:
    """The page's HTML; refuses a page that would fetch anything but the intranet tiles."""
    page = fmap.get_root().render()
    allowed = (tile_url.split("{")[0],) if tile_url else ()
    outside = assets.external_urls(page, allowed)
    if outside:
        raise assets.MapAssetError(f"the map page would load from outside: {outside[:3]}")
    return page


def write_map(
    page: str, path: Path, asset_folder: str = "assets", *, cjk_font: bool = True
) -> Path:
    """Write a page rendered with asset_base=`asset_folder` and copy its assets beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    assets.copy_assets(path.parent / asset_folder, cjk_font=cjk_font)
    path.write_text(page, encoding="utf-8")
    return path
