"""The patrol sheet's second page: rentals to inspect and key persons to visit in the grid.

Only printed for callers who see personal details (the route passes the list it may show);
the page says it holds personal data, so that it is kept and destroyed as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from matplotlib.figure import Figure

from geogrid.prints.draw import Column, draw_table, new_page, table_capacity
from geogrid.prints.layout import Box
from geogrid.registry.due import DueItem

A4_MM = (210.0, 297.0)
MARGIN_MM = 12.0
DUE_COLUMNS = (
    Column("任务", 9),
    Column("对象", 52),
    Column("地址", 70),
    Column("三级网格", 25),
    Column("到期日", 20),
)


def draw_due_page(grid_code: str, grid_name: str, due: Sequence[DueItem], day: date) -> Figure:
    """An A4 page listing the checks due in a grid, overdue ones marked, in due order."""
    width, height = A4_MM
    page = new_page(width, height)
    top = height - MARGIN_MM
    page.text(MARGIN_MM, top - 4, f"{grid_name} 到期待查（出租房屋检查、重点人员走访）", 13,
              va="center")  # fmt: skip
    overdue = sum(item.overdue for item in due)
    page.text(MARGIN_MM, top - 11, f"网格编码 {grid_code}    截至 {day:%Y-%m-%d}"
              f"    共 {len(due)} 项，其中已超期 {overdue} 项（标 *）", 8, va="center")  # fmt: skip
    page.text(MARGIN_MM, MARGIN_MM - 4, "本页含个人信息，仅供巡逻使用，用后交回或销毁。", 7,
              va="center")  # fmt: skip
    box = Box(MARGIN_MM, MARGIN_MM, width - 2 * MARGIN_MM, height - 2 * MARGIN_MM - 16)
    rows = [_row(item) for item in due]
    capacity = table_capacity(box, DUE_COLUMNS)
    if len(rows) > capacity:
        rows = [*rows[: capacity - 1], ("…", f"另有 {len(rows) - capacity + 1} 项未列出",
                                        "", "", "")]  # fmt: skip
    draw_table(page, box, DUE_COLUMNS, rows, size=7.0)
    return page.fig


def _row(item: DueItem) -> tuple[str, ...]:
    mark = "*" if item.overdue else ""
    unit = (item.unit_code or "")[-3:]
    return (item.task, item.label[:26], item.address[:36], unit, f"{item.due_on:%m-%d}{mark}")
