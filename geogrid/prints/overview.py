"""The first pages of a station atlas: an overview map of its grids and the index of sheets."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import shapely
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from geogrid.prints.data import BaseMap, PrintData, StationInfo
from geogrid.prints.draw import (
    Column,
    Page,
    draw_table,
    label,
    map_axes,
    mask_outside,
    new_page,
    north_arrow,
    outlines,
    scale_bar,
    table_capacity,
)
from geogrid.prints.furniture import (
    COMMUNITY_DARK,
    GRID_RED,
    NEIGHBOUR_GREY,
    OVERVIEW_LINES,
    draw_legend,
    draw_notes,
    station_marker,
)
from geogrid.prints.layout import Box, PageLayout, table_page
from geogrid.prints.streets import draw_streets

INDEX_COLUMNS = (
    Column("页码", 8, "right"),
    Column("网格编码", 25),
    Column("网格名称", 33),
    Column("网格长", 11),
    Column("电话", 17),
)


@dataclass(frozen=True)
class AtlasHeading:
    """What the first pages say about the atlas as a whole."""

    station: StationInfo
    version_id: int
    printed_on: date
    pages: int


def _overview_boxes(layout: PageLayout) -> tuple[Box, Box, Box]:
    """Legend, notes and index boxes of the overview's panel."""
    p = layout.panel
    if layout.orientation == "landscape":
        legend = Box(p.x, p.top - 32, p.w, 32)
        notes = Box(p.x, p.y, p.w, 34)
        return legend, notes, Box(p.x, notes.top + 3, p.w, legend.y - notes.top - 6)
    legend = Box(p.x, p.top - 40, 62, 40)
    notes = Box(p.x, p.y, 62, p.h - 42)
    return legend, notes, Box(p.x + 65, p.y, p.w - 65, p.h)


def index_layout(rows: int, layout: PageLayout) -> tuple[int, int]:
    """Index rows on the overview page, and the continuation pages the rest needs."""
    first = table_capacity(_overview_boxes(layout)[2], INDEX_COLUMNS)
    per_page = table_capacity(table_page(layout.paper)[1], INDEX_COLUMNS)
    return first, max(0, math.ceil((rows - first) / per_page))


def draw_overview(
    heading: AtlasHeading, data: PrintData, base: BaseMap, layout: PageLayout, rows: list
) -> tuple[Figure, int]:
    """The overview page of a station; returns it and how many index rows it holds."""
    page = new_page(layout.width_mm, layout.height_mm)
    ax = map_axes(page, layout)
    _overview_map(ax, data, base.within(layout.extent), layout, [r[0] for r in rows])
    station, grids = heading.station, data.grids
    facts = (
        f"派出所编码 {station.code}    电话 {station.phone}    二级网格 {len(grids)} 个"
        f"    三级网格 {len(data.units)} 个    户数 {grids['households'].sum()}"
    )
    _heading(page, layout.header, heading, f"{heading.station.name} 网格巡逻图集", facts)
    legend, notes, index = _overview_boxes(layout)
    draw_legend(page, legend, OVERVIEW_LINES, key_places=False)
    draw_notes(page, notes, layout, data.epsg, extra=[f"网格版本 {heading.version_id}"])
    return page.fig, draw_table(page, index, INDEX_COLUMNS, rows)


def _overview_map(ax: Axes, data: PrintData, base: BaseMap, layout: PageLayout, pages) -> None:
    mask_outside(ax, layout.extent, data.grids.geometry.union_all())
    draw_streets(ax, base.streets, detailed=False)
    outlines(ax, base.grids.geometry.values, colors=NEIGHBOUR_GREY, linewidths=0.4, zorder=1)
    outlines(ax, data.grids.geometry.values, colors=GRID_RED, linewidths=1.0, zorder=5)
    outlines(
        ax,
        base.communities.geometry.values,
        colors=COMMUNITY_DARK,
        linewidths=1.4,
        linestyles="dashdot",
        zorder=5.5,
    )
    at = shapely.point_on_surface(data.grids.geometry.values)
    for code, point, page_no in zip(data.grids["code"], at, pages, strict=True):
        label(ax, (point.x, point.y), str(page_no), 7, va="bottom", zorder=6)
        label(ax, (point.x, point.y), code[-6:], 4.5, va="top", color="#555555", zorder=6)
    for station in base.stations:
        station_marker(ax, station)
    scale_bar(ax, layout)
    north_arrow(ax, layout)


def draw_index_page(heading: AtlasHeading, rows: list, paper: str) -> tuple[Figure, int]:
    """A continuation page of the index; returns it and how many rows it holds."""
    header, body, (width, height) = table_page(paper)
    page = new_page(width, height)
    _heading(page, header, heading, f"{heading.station.name} 网格索引（续）", "")
    return page.fig, draw_table(page, body, INDEX_COLUMNS, rows)


def _heading(page: Page, box: Box, heading: AtlasHeading, title: str, facts: str) -> None:
    top, right = box.top, box.x + box.w
    page.text(box.x, top - 6, title, 15, va="center")
    page.text(right, top - 4, "派出所辖区总图及网格索引", 10, ha="right", va="center")
    page.text(
        right,
        top - 9,
        f"打印日期 {heading.printed_on:%Y-%m-%d}  网格版本 "
        f"{heading.version_id}  共 {heading.pages} 页",
        6.5,
        ha="right",
        va="center",
    )
    if facts:
        page.text(box.x, top - 14, facts, 8, va="center")
    page.text(
        box.x, top - 19, "索引按网格编码排序；总图上每个网格标注其页码和编码末6位。", 8, va="center"
    )
    page.line([box.x, right], [box.y, box.y], linewidth=0.8, color="black")
