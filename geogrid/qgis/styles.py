"""The QGIS project's layers styled as the web maps are (colours from geogrid.maps.styles).

Each layer is a plain dict the project template draws: its source, geometry, renderer
(a single symbol, rules per category group, or a heatmap) and labels in a Chinese font.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from geogrid.maps.styles import (
    CJK_FONTS,
    GROUP_COLORS,
    GROUP_NAMES,
    HEAT_LAYERS,
    LEVELS,
    STATION_COLOR,
    STREET_STYLE,
)
from geogrid.qgis.layers import LEVEL_FILES, REPORTS, STATIONS, STREETS, DataFile

MM_PER_PX = 25.4 / 96  # a Leaflet pixel in QGIS millimetres
ZOOM0_SCALE = 559_082_264.028  # the Web Mercator scale denominator at zoom 0 (96 dpi, equator)
PIXELS = 2  # QGIS's render unit "pixels" (QgsUnitTypes.RenderPixels)
UNITS_FROM_SCALE = 100_000  # units are a smear further out, as on the web maps
# QGIS 3.22 replaces a layer id shorter than 10 characters with a new one on reading, and
# the layer tree then loses its layer: every id is long enough with the prefix.
ID_PREFIX = "geogrid_"


def rgba(color: str, opacity: float = 1.0) -> str:
    """'#1971c2' as QGIS writes a colour: '25,113,194,255'."""
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"{red},{green},{blue},{round(opacity * 255)}"


def label_scale(zoom: float, lat: float) -> int:
    """The scale denominator of a web map zoom at a latitude (labels show from there in)."""
    return round(ZOOM0_SCALE / 2**zoom * math.cos(math.radians(lat)), -2)


def level_layer(level: int, data: DataFile, lat: float) -> dict:
    """A grid level: outlines in the web map's colour, the Chinese name as label."""
    name, style, zoom = LEVELS[level]
    symbol = {"type": "fill", "class": "SimpleFill", "props": {
        "color": rgba(style["color"], style["fillOpacity"]), "style": "solid",
        "outline_color": rgba(style["color"]), "outline_style": "dash" if "dashArray" in style
        else "solid", "outline_width": f"{style['weight'] * MM_PER_PX:.2f}",
        "outline_width_unit": "MM",
    }}  # fmt: skip
    layer = _vector(data, name, {"type": "single", "symbol": symbol})
    layer["label"] = _label("name", style["color"], 10 - level, label_scale(zoom, lat))
    if level == 3:
        layer["max_scale_visible"] = UNITS_FROM_SCALE
    return layer


def street_layer(data: DataFile, lat: float) -> dict:
    """Named streets in the web map's street colour, named along the line."""
    symbol = {"type": "line", "class": "SimpleLine", "props": {
        "line_color": rgba(STREET_STYLE["color"], STREET_STYLE["opacity"]),
        "line_width": f"{STREET_STYLE['weight'] * MM_PER_PX:.2f}", "line_width_unit": "MM",
    }}  # fmt: skip
    layer = _vector(data, "街路巷", {"type": "single", "symbol": symbol})
    layer["label"] = _label("name", "#5c4d3c", 8, label_scale(15, lat), placement=2)
    return layer


def station_layer(data: DataFile) -> dict:
    """Police stations: a red star with the station's name."""
    symbol = _marker(STATION_COLOR, "star", 4.0)
    layer = _vector(data, "派出所", {"type": "single", "symbol": symbol})
    layer["label"] = _label("name", STATION_COLOR, 9, 0)
    return layer


def report_layer(data: DataFile, groups: dict[str, list[str]]) -> dict:
    """Reports as points coloured by category group (rules on the category code)."""
    rules = [(f"{GROUP_NAMES[group]}（{len(codes)} 类）", _in("category", codes),
              _marker(GROUP_COLORS[group], "circle", 1.8))
             for group, codes in groups.items() if group != "other"]  # fmt: skip
    rules.append((GROUP_NAMES["other"], "ELSE", _marker(GROUP_COLORS["other"], "circle", 1.8)))
    return _vector(data, "上报", {"type": "rules", "rules": rules})


def heat_layers(data: DataFile, groups: dict[str, list[str]]) -> list[dict]:
    """The two heat layers of the web maps: the reports of a group as a heatmap."""
    layers = []
    for group, (name, gradient) in HEAT_LAYERS.items():
        stops = sorted(gradient.items())
        ramp = {"color1": rgba(stops[0][1], 0), "color2": rgba(stops[-1][1]),
                "stops": ":".join(f"{at};{rgba(color)}" for at, color in stops[:-1])}  # fmt: skip
        renderer = {"type": "heatmap", "radius": 18, "ramp": ramp}
        layer = _vector(data, name, renderer, layer_id=f"{ID_PREFIX}heat_{group}")
        # The OGR provider takes its filter as part of the source, as QGIS writes it.
        layer["source"] += f"|subset={_in('category', groups.get(group, []))}"
        layer["visible"] = group == "hazard"  # as on the web map: one heat layer at a time
        layer["count"] = None  # the reports layer's data, filtered
        layers.append(layer)
    return layers


def project_layers(
    data: dict[str, DataFile], groups: dict[str, list[str]], lat: float
) -> list[dict]:
    """Every layer, top of the legend first: stations, reports, heat, streets, levels."""
    levels = [level_layer(level, data[name], lat) for level, name in LEVEL_FILES.items()]
    return [
        station_layer(data[STATIONS]), report_layer(data[REPORTS], groups),
        *heat_layers(data[REPORTS], groups), street_layer(data[STREETS], lat), *levels[::-1],
    ]  # fmt: skip


def _vector(data: DataFile, name: str, renderer: dict, layer_id: str | None = None) -> dict:
    return {
        "id": layer_id or f"{ID_PREFIX}{data.name}", "name": name, "provider": "ogr",
        "source": f"./{data.file}|layername={data.name}", "geometry": data.geometry,
        "renderer": renderer, "label": None, "visible": True,
        "max_scale_visible": None, "count": data.count,
    }  # fmt: skip


def _marker(color: str, shape: str, size: float) -> dict:
    return {"type": "marker", "class": "SimpleMarker", "props": {
        "color": rgba(color), "name": shape, "size": f"{size}", "size_unit": "MM",
        "outline_color": "255,255,255,255", "outline_width": "0.2",
    }}  # fmt: skip


def _label(field: str, color: str, size: int, max_scale: int, placement: int = 0) -> dict:
    """A label in the first Chinese font, haloed in white; shown from max_scale in (0: any)."""
    return {"field": field, "color": rgba(color), "size": size, "max_scale": max_scale,
            "font": CJK_FONTS[0], "fallbacks": CJK_FONTS[1:], "placement": placement}  # fmt: skip


def _in(column: str, values: Iterable[str]) -> str:
    """A QGIS filter expression: column IN (values); never true for no values."""
    quoted = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    return f'"{column}" IN ({quoted})' if quoted else "0 = 1"
