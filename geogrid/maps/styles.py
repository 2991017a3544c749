"""The colours and names the maps draw with, in one place: the web maps and the QGIS project.

Plain data, no drawing library: `geogrid.qgis` reads it without importing folium.
"""

from __future__ import annotations

GROUP_NAMES = {"hazard": "隐患", "incident": "治安", "other": "其他"}
GROUP_COLORS = {"hazard": "#e8590c", "incident": "#5f3dc4", "other": "#1c7ed6"}
HEAT_LAYERS = {
    "hazard": ("隐患热力图（安全隐患、危险物品…）", {0.3: "#fff3bf", 0.6: "#ffa94d", 1: "#c92a2a"}),
    "incident": ("治安热力图（治安、矛盾纠纷…）", {0.3: "#d0ebff", 0.6: "#9775fa", 1: "#5f3dc4"}),
}
# Level -> (layer name, Leaflet path style, the zoom from which labels show).
LEVELS = {
    1: ("一级网格（社区）", {"color": "#7048e8", "weight": 2.5, "fillOpacity": 0}, 11),
    2: ("二级网格", {"color": "#1971c2", "weight": 1.6, "fillOpacity": 0.03}, 14),
    3: ("三级网格（单元）", {"color": "#2b8a3e", "weight": 0.8, "fillOpacity": 0.02,
                        "dashArray": "4 3"}, 16),
}  # fmt: skip
STREET_STYLE = {"color": "#b09f8a", "weight": 2.5, "opacity": 0.9}
OUTLINE_STYLE = {"color": "#8c7b6b", "weight": 3, "opacity": 0.5}
STATION_COLOR = "#c92a2a"
# Chinese fonts a label asks for, the first one installed wins (geogrid.maps.fonts ships one).
CJK_FONTS = ("Noto Sans CJK SC", "WenQuanYi Micro Hei")
