"""Streets on printed maps: cased lines by kind and one Chinese name label per street."""

from __future__ import annotations

import math

import geopandas as gpd
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection

from geogrid.prints.draw import PT_MM, line_parts
from geogrid.prints.labels import LabelBoard
from geogrid.prints.layout import PageLayout

# Line width in points by kind (路 roads, 街 streets, 巷 alleys); other kinds as 街.
WIDTH_PT = {"路": 2.4, "街": 1.7, "巷": 1.0}
CASING = "#7a7a7a"
FILL = "#fff0a8"  # pale yellow: visible on white and on the grey shading
LABEL_PT = 6.0
INSET_MM = 5.0  # labels keep clear of the frame
ALONG = (0.5, 0.35, 0.65, 0.2, 0.8)  # where along its line a name is tried, in this order


def draw_streets(ax: Axes, streets: gpd.GeoDataFrame, detailed: bool = True) -> None:
    """Streets: cased by kind when `detailed` (names: label_streets), else thin grey lines."""
    if not detailed:
        lines = LineCollection(
            line_parts(streets.geometry.values), colors="#b0b0b0", linewidths=0.4, zorder=2.0
        )
        ax.add_collection(lines, autolim=False)
        return
    widths = streets["kind"].map(WIDTH_PT).fillna(WIDTH_PT["街"])
    for width, group in streets.groupby(widths):
        parts = line_parts(group.geometry.values)
        for color, extra, zorder in ((CASING, 0.9, 2.0), (FILL, 0.0, 2.1)):
            lines = LineCollection(
                parts, colors=color, linewidths=width + extra, capstyle="round", zorder=zorder
            )
            ax.add_collection(lines, autolim=False)


def label_streets(board: LabelBoard, streets: gpd.GeoDataFrame, layout: PageLayout) -> int:
    """Name each street once along its longest visible piece, where the name fits and is
    free of other labels and symbols (middle first, then further along); the count named."""
    per_mm = layout.scale / 1000
    minx, miny, maxx, maxy = layout.extent
    inset = INSET_MM * per_mm
    named = streets[streets["name"].fillna("").str.len() > 0]
    clipped = shapely.clip_by_rect(
        named.geometry.values, minx + inset, miny + inset, maxx - inset, maxy - inset
    )
    longest: dict[str, shapely.LineString] = {}
    for name, geom in zip(named["name"], clipped, strict=True):
        for part in shapely.get_parts(geom):
            if part.geom_type == "LineString" and part.length > _length(longest.get(name)):
                longest[name] = part
    placed = 0
    for name, part in longest.items():
        span = len(name) * LABEL_PT * PT_MM * 1.15 * per_mm
        if part.length < span:
            continue
        for at in ALONG:
            xy, angle = _anchor(part, span, at)
            drawn = board.place(
                name,
                [xy],
                LABEL_PT,
                rotation=angle,
                rotation_mode="anchor",
                color="#222222",
                zorder=4,
                gid="street",
            )
            if drawn is not None:
                placed += 1
                break
    return placed


def _length(line: shapely.LineString | None) -> float:
    return 0.0 if line is None else line.length


def _anchor(
    line: shapely.LineString, span: float, at: float = 0.5
) -> tuple[tuple[float, float], float]:
    """A point `at` along the line (kept a half label from its ends) and the direction of
    the chord the label covers there, kept upright."""
    middle = min(max(line.length * at, span / 2), line.length - span / 2)
    a, b = line.interpolate(middle - span / 2), line.interpolate(middle + span / 2)
    angle = math.degrees(math.atan2(b.y - a.y, b.x - a.x))
    if angle > 90:
        angle -= 180
    elif angle <= -90:
        angle += 180
    centre = line.interpolate(middle)
    return (centre.x, centre.y), angle
