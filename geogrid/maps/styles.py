"""How the maps draw: one table of layer names, colours and styles for every front.

The exported Folium pages (maps/web.py), the console's live map (console-map.js, which
gets these from its page) and the QGIS project (geogrid.qgis) draw the grid levels,
streets, heatmaps and report markers with the same styles; the two web maps also with the
same functions of geogrid-map.js. Plain data: no folium import here.
"""

from __future__ import annotations

from geogrid.vocabulary import STATUS_NAMES_ZH

GROUP_NAMES = {"hazard": "隐患", "incident": "治安", "other": "其他"}
GROUP_COLORS = {"hazard": "#e8590c", "incident": "#5f3dc4", "other": "#1c7ed6"}
HEAT_LAYERS = {
    "hazard": ("隐患热力图（安全隐患、危险物品…）", {0.3: "#fff3bf", 0.6: "#ffa94d", 1: "#c92a2a"}),
    "incident": ("治安热力图（治安、矛盾纠纷…）", {0.3: "#d0ebff", 0.6: "#9775fa", 1: "#5f3dc4"}),
}
HEAT_OPTIONS = {"radius": 18, "blur": 14, "minOpacity": 0.35, "maxZoom": 16}
STATUS_NAMES = STATUS_NAMES_ZH  # the loop's own words (上报, 已受理, 结案, ...)
# Markers by state on the console: waiting (warm), being worked (blue), done (grey-green).
STATUS_COLORS = {"received": "#f08c00", "assigned": "#f08c00", "accepted": "#1c7ed6",
                 "dispatched": "#1c7ed6", "in_progress": "#1c7ed6", "rework": "#ae3ec9",
                 "resolved": "#2f9e44", "verified": "#2b8a3e", "closed": "#868e96",
                 "rejected": "#adb5bd", "duplicate": "#adb5bd"}  # fmt: skip
OVERDUE_COLOR = "#e03131"
STATION_COLOR = "#c92a2a"
# Chinese fonts a label asks for, the first one installed wins (geogrid.maps.fonts ships one).
CJK_FONTS = ("Noto Sans CJK SC", "WenQuanYi Micro Hei")
# level -> (layer name, Leaflet path style, zoom from which labels are drawn)
LEVELS = {
    1: ("一级网格（社区）", {"color": "#7048e8", "weight": 2.5, "fillOpacity": 0}, 11),
    2: ("二级网格", {"color": "#1971c2", "weight": 1.6, "fillOpacity": 0.03}, 14),
    3: ("三级网格（单元）", {"color": "#2b8a3e", "weight": 0.8, "fillOpacity": 0.02,
                        "dashArray": "4 3"}, 16),
}  # fmt: skip
OUTLINE_STYLE = {"color": "#8c7b6b", "weight": 3, "opacity": 0.5, "fill": False,
                 "interactive": False}  # fmt: skip
STREET_STYLE = {"color": "#b09f8a", "weight": 2.5, "opacity": 0.9}
# Patrol coverage (巡查覆盖率) on the console's map: a share's bin is the last whose lower
# bound it reaches; an unpatrolled unit is grey, not red, as most units are on a given day.
COVERAGE_NAME = "巡查覆盖率（本月）"
COVERAGE_BINS = ((0.0, "#ced4da", "未巡查"), (0.0001, "#e8590c", "1-24%"),
                 (0.25, "#fab005", "25-49%"), (0.5, "#94d82d", "50-74%"),
                 (0.75, "#2b8a3e", "75-100%"))  # fmt: skip


def console_styles() -> dict:
    """Everything the console's map script needs to draw as the Folium pages do."""
    return {
        "levels": {level: {"name": name, "style": style, "labelZoom": zoom}
                   for level, (name, style, zoom) in LEVELS.items()},
        "heat": {group: {"name": name, "gradient": gradient, **HEAT_OPTIONS}
                 for group, (name, gradient) in HEAT_LAYERS.items()},
        "street": STREET_STYLE, "statusColors": STATUS_COLORS, "overdueColor": OVERDUE_COLOR,
        "statusNames": STATUS_NAMES,
        "coverage": {"name": COVERAGE_NAME, "bins": [list(b) for b in COVERAGE_BINS]},
    }  # fmt: skip
