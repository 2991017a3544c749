"""One patrol sheet of a level-2 grid: map, title block, legend, unit table, scale and notes."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from geogrid.prints.data import BaseMap, Contact, GridSheet
from geogrid.prints.draw import (
    Column,
    Page,
    draw_table,
    furniture_areas,
    map_axes,
    new_page,
    north_arrow,
    scale_bar,
    table_capacity,
)
from geogrid.prints.furniture import SHEET_LINES, draw_legend, draw_notes
from geogrid.prints.inset import add_inset
from geogrid.prints.labels import LabelBoard
from geogrid.prints.layout import Box, PageLayout
from geogrid.prints.sheetmap import (
    block_symbols,
    draw_layers,
    draw_unit_codes,
    label_neighbours,
    label_stations,
    leader_label,
    unit_places,
)
from geogrid.prints.streets import label_streets

KEY_TITLE = "图上未标编号的三级网格（见表）："
KEY_PER_LINE, KEY_LINES = 9, 2
UNIT_COLUMNS = (
    Column("编号", 7),
    Column("三级网格编码", 24),
    Column("户数", 7, "right"),
    Column("信息员", 10),
    Column("电话", 17),
)


def draw_sheet(
    sheet: GridSheet, base: BaseMap, layout: PageLayout, *, page_label: str = ""
) -> Figure:
    """The sheet of one grid on the page `layout` plans; base is clipped to its extent."""
    page = new_page(layout.width_mm, layout.height_mm)
    ax = map_axes(page, layout)
    unlabelled = _draw_map(ax, sheet, base.within(layout.extent), layout)
    _draw_title(page, layout.header, sheet, layout, page_label)
    _draw_panel(page, layout, sheet, unlabelled)
    return page.fig


def _draw_map(ax: Axes, sheet: GridSheet, base: BaseMap, layout: PageLayout) -> list[str]:
    """Draw the map of a sheet (see sheetmap); returns the codes labelled nowhere on it."""
    draw_layers(ax, sheet, base, layout.extent)
    scale_bar(ax, layout)
    north_arrow(ax, layout)
    board = LabelBoard(ax, layout.scale)
    for area in furniture_areas(layout):
        board.block(area)
    block_symbols(board, sheet, base.stations)
    label_stations(board, base.stations)
    trial = board.copy()
    placed, missing = unit_places(trial, sheet.units)
    if missing:
        missing = add_inset(ax, board, sheet, base, layout, missing)
        missing = [code for code in missing if not leader_label(board, sheet.units, code)]
    else:  # the trial is the placement: keep it
        board = trial
        draw_unit_codes(ax, placed)
    label_streets(board, base.streets, layout)
    label_neighbours(board, base, sheet.code)
    return missing


def _people(contacts: list[Contact], limit: int = 3) -> str:
    """'王小明 10012345678、李四 100...' for up to `limit` people, then 'N 人'."""
    if not contacts:
        return "（未配备）"
    shown = "、".join(f"{c.name} {c.phone}".strip() for c in contacts[:limit])
    more = len(contacts) - limit
    return shown + (f" 等 {len(contacts)} 人" if more > 0 else "")


def _draw_title(page: Page, box: Box, sheet: GridSheet, layout: PageLayout, page_label: str):
    top, right = box.top, box.x + box.w
    page.text(box.x, top - 6, sheet.name, 15, va="center")
    page.text(right, top - 4, "二级网格巡逻图", 10, ha="right", va="center")
    page.text(
        right,
        top - 9,
        f"打印日期 {sheet.printed_on:%Y-%m-%d}  网格版本 {sheet.version_id}"
        f"  比例尺 1:{layout.scale:,}",
        6.5,
        ha="right",
        va="center",
    )
    if page_label:
        page.text(right, top - 13, page_label, 6.5, ha="right", va="center")
    station = sheet.station
    station_text = f"{station.name} {station.phone}" if station else "（未设）"
    lines = (
        f"网格编码 {sheet.code}    所属社区 {sheet.community_name}（{sheet.community_code}）"
        f"    户数 {sheet.households}    三级网格 {len(sheet.units)} 个",
        f"网格长 {_people(sheet.leaders)}    社区民警 {_people(sheet.police, 2)}"
        f"    派出所 {station_text}",
        f"信息员 {_people(sheet.officers)}（各三级网格的信息员见表）",
    )
    for i, line in enumerate(lines):
        page.text(box.x, top - 13.5 - 5 * i, line, 8, va="center")
    page.line([box.x, right], [box.y, box.y], linewidth=0.8, color="black")


def _draw_panel(page: Page, layout: PageLayout, sheet: GridSheet, unlabelled: list[str]) -> None:
    legend, table, notes = _panel_boxes(layout)
    draw_legend(page, legend, SHEET_LINES, key_places=True)
    rows = [
        (code[-3:], code, str(hh), officer, phone)
        for code, hh, officer, phone in sheet.units[
            ["code", "households", "officer", "phone"]
        ].itertuples(index=False)
    ]
    capacity = table_capacity(table, UNIT_COLUMNS)
    if len(rows) > capacity:
        rows = [
            *rows[: capacity - 1],
            ("…", f"另有 {len(rows) - capacity + 1} 个未列出", "", "", ""),
        ]
    draw_table(page, table, UNIT_COLUMNS, rows)
    places = [f"重点场所 {sheet.key_place_total} 处（按上报位置计）"]
    if len(sheet.key_places) < sheet.key_place_total:
        places.append(f"图上仅标最近上报的 {len(sheet.key_places)} 处")
    places += _unlabelled_key(unlabelled)
    draw_notes(page, notes, layout, sheet.epsg, extra=places)


def _unlabelled_key(codes: list[str]) -> list[str]:
    """Notes lines naming the codes neither the map nor an inset could hold (last resort)."""
    if not codes:
        return []
    short = [code[-3:] for code in codes]
    shown = short[: KEY_PER_LINE * KEY_LINES]
    lines = ["、".join(shown[i : i + KEY_PER_LINE]) for i in range(0, len(shown), KEY_PER_LINE)]
    if len(short) > len(shown):  # the notes box has room for so many lines only
        lines[-1] += f" 等 {len(short)} 个"
    return [KEY_TITLE, *lines]


def _panel_boxes(layout: PageLayout) -> tuple[Box, Box, Box]:
    """Legend, unit table and notes: stacked in a landscape panel, side by side in portrait."""
    p = layout.panel
    if layout.orientation == "landscape":
        legend = Box(p.x, p.top - 44, p.w, 44)
        notes = Box(p.x, p.y, p.w, 36)
        return legend, Box(p.x, notes.top + 3, p.w, legend.y - notes.top - 6), notes
    legend = Box(p.x, p.y, 44, p.h)
    notes = Box(p.x + p.w - 62, p.y, 62, p.h)
    return legend, Box(legend.x + legend.w + 3, p.y, notes.x - legend.x - legend.w - 6, p.h), notes
