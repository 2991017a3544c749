"""The API's vector tiles as QGIS layers: the grid levels, and report density.

A tile request needs the API token: the layer's source names a QGIS authentication
configuration (`authcfg`, made once in QGIS's settings), never the token itself.
"""

from __future__ import annotations

from urllib.parse import quote

from geogrid.maps.styles import HEAT_LAYERS, LEVELS
from geogrid.qgis.styles import ID_PREFIX, MM_PER_PX, rgba
from geogrid.storage.tiles import DENSITY_LAYER, LAYER_LEVELS, MIN_ZOOM

TMS = "WebMercatorQuad"
DENSITY_CLASSES = ((1, 3), (3, 10), (10, None))  # [from, to) reports in a bin


def grid_tiles(api_url: str, authcfg: str | None) -> dict:
    """The three levels from /v1/tiles, outlined in the levels' colours."""
    styles = []
    for name, level in LAYER_LEVELS.items():
        title, style, _ = LEVELS[level]
        styles.append(_style(title, name, _fill(style["color"], 0, style["weight"]),
                             MIN_ZOOM[name] or -1))  # fmt: skip
    source = _source(f"{api_url}/v1/tiles/{TMS}", authcfg)
    return _layer("api_tiles", "网格矢量瓦片（API）", source, styles)


def density_tiles(api_url: str, authcfg: str | None) -> dict:
    """Report density from the reports collection's tiles: bins shaded by their count."""
    colors = sorted(HEAT_LAYERS["hazard"][1].items())
    styles = []
    for (low, high), (_, color) in zip(DENSITY_CLASSES, colors, strict=True):
        label = f"{low}–{high - 1} 条" if high else f"≥{low} 条"
        rule = f'"count" >= {low}' + (f' AND "count" < {high}' if high else "")
        styles.append(_style(label, DENSITY_LAYER, _fill(color, 0.6, 0), -1, rule))
    source = _source(f"{api_url}/v1/collections/reports/tiles/{TMS}", authcfg)
    return _layer("api_density", "上报密度（API 瓦片）", source, styles)


def _source(base: str, authcfg: str | None) -> str:
    """QGIS's XYZ source: the template's braces escaped as QGIS writes them."""
    source = f"type=xyz&url={quote(base + '/{z}/{y}/{x}', safe=':/')}&zmin=0&zmax=18"
    return source + (f"&authcfg={authcfg}" if authcfg else "")


def _layer(layer_id: str, name: str, source: str, styles: list[dict]) -> dict:
    return {"id": f"{ID_PREFIX}{layer_id}", "name": name, "provider": "vectortile",
            "source": source, "styles": styles, "visible": False, "count": None}  # fmt: skip


def _style(name: str, layer: str, symbol: dict, min_zoom: int, rule: str = "") -> dict:
    return {"name": name, "layer": layer, "symbol": symbol, "min_zoom": min_zoom, "rule": rule}


def _fill(color: str, opacity: float, weight: float) -> dict:
    return {"type": "fill", "class": "SimpleFill", "props": {
        "color": rgba(color, opacity), "outline_color": rgba(color),
        "outline_style": "solid" if weight else "no",
        "outline_width": f"{weight * MM_PER_PX:.2f}", "outline_width_unit": "MM"}}  # fmt: skip
