"""Drawing primitives shared by grid sheets and station overviews (matplotlib, vector only).

Page furniture is placed in millimetres from the page's bottom-left corner; map content is
drawn in projected metres inside a map axes whose extent matches its box at the printed
scale, so the scale bar, drawn in metres too, is true by construction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import matplotlib.patheffects as path_effects
import numpy as np
import pyproj
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Polygon, Rectangle
from matplotlib.path import Path
from matplotlib.text import Text
from matplotlib.transforms import Affine2D, Transform

from geogrid.prints.layout import Box, PageLayout, nice_length

PT_MM = 25.4 / 72  # one typographic point in millimetres
HALO = [path_effects.withStroke(linewidth=2.0, foreground="white")]
ROW_MM = 3.6


@dataclass
class Page:
    """A figure with a transform that takes millimetres from the bottom-left corner."""

    fig: Figure
    mm: Transform

    def text(self, x: float, y: float, s: str, size: float = 8.0, **kw) -> Text:
        """Text at (x, y) mm."""
        return self.fig.text(x, y, s, transform=self.mm, fontsize=size, **kw)

    def line(self, xs: Sequence[float], ys: Sequence[float], **kw) -> Line2D:
        """A line through points in mm."""
        line = Line2D(xs, ys, transform=self.mm, **kw)
        self.fig.add_artist(line)
        return line


def new_page(width_mm: float, height_mm: float) -> Page:
    """A blank page of this size (no pyplot: no global figure state, any backend)."""
    fig = Figure(figsize=(width_mm / 25.4, height_mm / 25.4))
    return Page(fig, Affine2D().scale(1 / 25.4) + fig.dpi_scale_trans)


def map_axes(page: Page, layout: PageLayout) -> Axes:
    """An axes filling the map box whose limits are the extent: 1 mm on paper = N/1000 m."""
    box, (w, h) = layout.map_box, (layout.width_mm, layout.height_mm)
    ax = page.fig.add_axes((box.x / w, box.y / h, box.w / w, box.h / h))
    minx, miny, maxx, maxy = layout.extent
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_linewidth(0.8)
    return ax


def polygon_rings(geoms: Sequence) -> list[np.ndarray]:
    """Every exterior and interior ring of (multi)polygons, as coordinate arrays."""
    if len(geoms) == 0:
        return []
    rings = shapely.get_rings(shapely.get_parts(np.asarray(geoms, dtype=object)))
    return _split_coords(rings)


def line_parts(geoms: Sequence) -> list[np.ndarray]:
    """Every part of (multi)linestrings, as coordinate arrays."""
    if len(geoms) == 0:
        return []
    return _split_coords(shapely.get_parts(np.asarray(geoms, dtype=object)))


def _split_coords(parts: np.ndarray) -> list[np.ndarray]:
    coords, index = shapely.get_coordinates(parts, return_index=True)
    return np.split(coords, np.flatnonzero(np.diff(index)) + 1)


def outlines(ax: Axes, geoms: Sequence, **kw) -> LineCollection:
    """The rings of polygons as one line collection."""
    collection = LineCollection(polygon_rings(geoms), **kw)
    ax.add_collection(collection, autolim=False)
    return collection


def mask_outside(ax: Axes, extent: tuple[float, ...], keep, color: str = "#ececec") -> None:
    """Shade the map outside `keep`, so the patrol area stands out."""
    shade = shapely.orient_polygons(shapely.box(*extent).difference(keep))
    rings = [] if shade.is_empty else polygon_rings([shade])  # an inset may lie all inside
    if rings:
        codes = [
            np.r_[Path.MOVETO, np.full(len(r) - 2, Path.LINETO), Path.CLOSEPOLY] for r in rings
        ]
        path = Path(np.concatenate(rings), np.concatenate(codes))
        ax.add_patch(PathPatch(path, facecolor=color, edgecolor="none", zorder=0.5))


def label(ax: Axes, xy: tuple[float, float], s: str, size: float, **kw) -> Text:
    """A map label with a white halo, clipped to the map frame."""
    kw = {"ha": "center", "va": "center", "clip_on": True, "path_effects": HALO, **kw}
    return ax.text(xy[0], xy[1], s, fontsize=size, **kw)


def scale_bar(ax: Axes, layout: PageLayout) -> Rectangle:
    """A bar in the lower-left corner, four segments; its outline has gid 'scalebar'."""
    minx, miny, maxx, _ = layout.extent
    per_mm = layout.scale / 1000  # metres of ground per millimetre of paper
    length = nice_length(0.3 * (maxx - minx))
    x0, y0, height = minx + 6 * per_mm, miny + 7 * per_mm, 1.5 * per_mm
    backdrop = (x0 - 3 * per_mm, y0 - 4.5 * per_mm)
    white = {"facecolor": "white", "edgecolor": "none"}
    ax.add_patch(
        Rectangle(
            backdrop,
            length + 12 * per_mm,
            11 * per_mm,
            alpha=0.85,
            zorder=8,
            gid="furniture",
            **white,
        )
    )
    for i in range(4):
        fill = "black" if i % 2 == 0 else "white"
        segment = (x0 + i * length / 4, y0)
        ax.add_patch(Rectangle(segment, length / 4, height, lw=0, facecolor=fill, zorder=9))
    bar = Rectangle((x0, y0), length, height, fill=False, linewidth=0.5, zorder=10, gid="scalebar")
    ax.add_patch(bar)
    unit, divisor = ("千米", 1000) if length >= 1000 else ("米", 1)
    for fraction in (0, 0.5, 1):
        value = f"{fraction * length / divisor:g}" + (unit if fraction == 1 else "")
        at = (x0 + fraction * length, y0 - per_mm)
        ax.text(*at, value, fontsize=5.5, ha="center", va="top", zorder=10, gid="furniture")
    return bar


def furniture_areas(layout: PageLayout) -> list:
    """The map areas the scale bar and north arrow take (metres): no label goes there."""
    minx, miny, maxx, maxy = layout.extent
    per_mm = layout.scale / 1000
    length = nice_length(0.3 * (maxx - minx))
    x0, y0 = minx + 3 * per_mm, miny + 2.5 * per_mm
    bar = shapely.box(x0, y0, x0 + length + 12 * per_mm, y0 + 11 * per_mm)
    x, top = maxx - 9 * per_mm, maxy - 6 * per_mm
    arrow = shapely.box(x - 5 * per_mm, top - 13.5 * per_mm, x + 5 * per_mm, top + 0.5 * per_mm)
    return [bar, arrow]


def north_arrow(ax: Axes, layout: PageLayout) -> None:
    """A north arrow in the upper-right corner (grid north; the zone's convergence is < 1°)."""
    _, _, maxx, maxy = layout.extent
    per_mm = layout.scale / 1000
    x, top = maxx - 9 * per_mm, maxy - 6 * per_mm
    half, tall = 2.6 * per_mm, 9 * per_mm
    left = [(x - half, top - tall), (x, top - tall * 0.72), (x, top)]
    right = [(x + half, top - tall), (x, top - tall * 0.72), (x, top)]
    arrow = {"edgecolor": "black", "linewidth": 0.5, "zorder": 9, "gid": "furniture"}
    ax.add_patch(Polygon(left, facecolor="white", **arrow))
    ax.add_patch(Polygon(right, facecolor="black", **arrow))
    ax.text(
        x,
        top - tall - 1 * per_mm,
        "北 N",
        fontsize=6.5,
        ha="center",
        va="top",
        zorder=9,
        path_effects=HALO,
        gid="furniture",
    )


@lru_cache(maxsize=8)
def crs_name(epsg: int) -> str:
    """The name of a CRS, such as 'CGCS2000 / 3-degree Gauss-Kruger CM 120E' for 4549."""
    return pyproj.CRS.from_epsg(epsg).name


@dataclass(frozen=True)
class Column:
    """A table column: heading, width in mm, alignment."""

    title: str
    width: float
    align: str = "left"


def table_capacity(box: Box, columns: Sequence[Column]) -> int:
    """How many rows fit a box, column groups side by side when the box is wide enough."""
    groups, per_group, _ = _table_shape(box, columns)
    return groups * per_group


def _table_shape(box: Box, columns: Sequence[Column]) -> tuple[int, int, float]:
    """Column groups side by side, rows per group and the width of a group."""
    group_w = sum(c.width for c in columns) + 3
    rows = max(0, int((box.h - ROW_MM * 1.4) // ROW_MM))
    return max(1, int(box.w // group_w)), rows, group_w


def draw_table(
    page: Page, box: Box, columns: Sequence[Column], rows: Sequence[Sequence[str]], size=6.0
) -> int:
    """Rows in as many column groups as fit the box; returns how many rows were drawn."""
    groups, per_group, group_w = _table_shape(box, columns)
    drawn = 0
    for g in range(groups):
        chunk = rows[g * per_group : (g + 1) * per_group]
        if not chunk and g > 0:
            break
        _table_block(page, box.x + g * group_w, box.top, columns, chunk, size)
        drawn += len(chunk)
    return drawn


def _table_block(page: Page, x0: float, top: float, columns, rows, size: float) -> None:
    y = top - ROW_MM * 0.8
    rule_y = top - ROW_MM * 1.3
    width = sum(c.width for c in columns)
    page.line([x0, x0 + width], [rule_y, rule_y], linewidth=0.4, color="black")
    for row_no, values in enumerate([[c.title for c in columns], *rows]):
        x = x0
        row_y = y - row_no * ROW_MM - (0.5 * ROW_MM if row_no else 0)
        for column, value in zip(columns, values, strict=False):
            at = x + column.width - 1 if column.align == "right" else x
            page.text(at, row_y, str(value), size, ha=column.align, va="center")
            x += column.width
