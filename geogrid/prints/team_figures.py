"""The source case's result table as one printable A4 page (PDF, the prints' CJK font)."""

from __future__ import annotations

import os
from pathlib import Path

from geogrid.prints.draw import Column, draw_table, new_page
from geogrid.prints.fonts import print_style
from geogrid.prints.layout import Box
from geogrid.team.figures import SourceFigures

A4 = (210.0, 297.0)
COLUMNS = (Column("项目 item", 95), Column("数值 figure", 45, "right"))


def figure_rows(f: SourceFigures) -> list[tuple[str, str]]:
    """The table's rows: what, and its figure as the source case printed it."""
    coverage = "-" if f.coverage is None else f"{f.coverage:.1%}"
    age = "-" if f.average_age is None else f"{f.average_age:.1f}"
    return [
        ("采集基础信息 basic information collected", f"{f.basic_info:,}"),
        ("发现安全隐患 safety hazards found", f"{f.hazards:,}"),
        ("协助破案 cases assisted", f"{f.cases_assisted:,}"),
        ("服务群众 people served", f"{f.people_served:,}"),
        ("调解矛盾纠纷 disputes mediated", f"{f.disputes_mediated:,}"),
        ("无刑事案件村 villages with no criminal case",
         f"{f.villages_without_crime:,} / {f.villages:,}"),
        ("警务助理覆盖村 villages with an assistant",
         f"{f.villages_with_assistant:,} / {f.villages:,} ({coverage})"),
        ("警务助理平均年龄 assistants' average age", f"{age} ({f.assistants:,} 人)"),
        ("考核调整 people adjusted after review", f"{f.adjusted:,}"),
    ]  # fmt: skip


def write_figures_pdf(figures: SourceFigures, title: str, path: Path) -> Path:
    """Write the page to `path` (atomically: a reader never sees half a file)."""
    from matplotlib.backends.backend_pdf import PdfPages

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    with print_style():
        page = new_page(*A4)
        page.text(20, 270, title, 16, weight="bold")
        where = "全县 county" if figures.area is None else "、".join(figures.area)
        page.text(20, 260, f"{figures.first} 至 {figures.last}    {where}", 9)
        draw_table(page, Box(20, 120, 170, 130), COLUMNS, figure_rows(figures), size=9.0)
        page.text(20, 20, "geogrid: reports by when made (China time); see team/figures.py", 6)
        try:
            with PdfPages(partial, metadata={"Title": title, "Creator": "geogrid"}) as pdf:
                pdf.savefig(page.fig)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    return path
