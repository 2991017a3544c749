"""Writing patrol maps as PDF: one grid's sheet, or a station's atlas of all its grids.

An atlas is the overview page (the station's grids and communities with the start of the
index), any index continuation pages, then one sheet per level-2 grid in code order. The
database is read once per job; the PDF is written next to its target and renamed into
place, so a failed job never leaves half a file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from matplotlib.backends.backend_pdf import PdfPages
from sqlalchemy import Connection

from geogrid.prints.data import (
    BaseMap,
    GridSheet,
    PrintData,
    grid_sheets,
    read_base_map,
    read_print_data,
    station_grid_codes,
    station_info,
)
from geogrid.prints.due_page import draw_due_page
from geogrid.prints.fonts import print_style
from geogrid.prints.layout import PageLayout, paper_size, plan_page
from geogrid.prints.overview import AtlasHeading, draw_index_page, draw_overview, index_layout
from geogrid.prints.sheet import draw_sheet
from geogrid.registry.due import DueItem
from geogrid.storage.versions import known_version

Progress = Callable[[int, int], None]  # (pages written, pages in all)


@dataclass(frozen=True)
class AtlasSummary:
    """What a station atlas holds: its file, pages, grid sheets and index pages."""

    path: Path
    pages: int
    grids: int
    index_pages: int  # continuation pages of the index after the overview


@dataclass(frozen=True)
class SheetSummary:
    """What a single grid sheet became: its file, paper, orientation and scale 1:N."""

    path: Path
    paper: str
    orientation: str
    scale: int


def write_grid_sheet(
    conn: Connection,
    grid_code: str,
    out_path: Path,
    *,
    version: int | None = None,
    paper: str = "A4",
    day: date | None = None,
    due: Sequence[DueItem] | None = None,
) -> SheetSummary:
    """Write the patrol sheet of one level-2 grid (people on duty on `day`, default today);
    with `due` (for callers who may see it), a second page of the checks due there."""
    paper_size(paper, "portrait")  # an unknown paper fails before any work
    with print_style():
        version_id = known_version(conn, version)
        data = read_print_data(conn, [grid_code], version_id, day)
        sheet = grid_sheets(data, day)[0]
        layout = plan_page(sheet.geometry.bounds, paper)
        base = read_base_map(conn, version_id, layout.extent, data.epsg)
        with _pdf(Path(out_path), f"{sheet.code} {sheet.name}") as pdf:
            pdf.savefig(draw_sheet(sheet, base, layout))
            if due is not None:
                pdf.savefig(draw_due_page(sheet.code, sheet.name, due, sheet.printed_on))
    return SheetSummary(Path(out_path), layout.paper, layout.orientation, layout.scale)


def write_station_atlas(
    conn: Connection,
    station_code: str,
    out_path: Path,
    *,
    version: int | None = None,
    paper: str = "A4",
    day: date | None = None,
    progress: Progress | None = None,
) -> AtlasSummary:
    """Write a station's atlas: overview and index, then a sheet per level-2 grid."""
    paper_size(paper, "portrait")
    with print_style():
        version_id = known_version(conn, version)
        codes = station_grid_codes(conn, station_code, version_id)
        data = read_print_data(conn, codes, version_id, day)
        station = station_info(conn, station_code, data.epsg)
        sheets = grid_sheets(data, day)
        layouts = [plan_page(sheet.geometry.bounds, paper) for sheet in sheets]
        overview = plan_page(tuple(data.grids.total_bounds), paper, overview=True)
        base = read_base_map(conn, version_id, _union([overview, *layouts]), data.epsg)
        _, extra_pages = index_layout(len(sheets), overview)
        pages = 1 + extra_pages + len(sheets)
        heading = AtlasHeading(station, version_id, sheets[0].printed_on, pages)
        rows = _index_rows(sheets, first_page=2 + extra_pages)
        with _pdf(Path(out_path), f"{station.name} 网格巡逻图集") as pdf:
            done = _write_front(pdf, heading, data, base, overview, rows, progress)
            for sheet, layout in zip(sheets, layouts, strict=True):
                done += 1
                pdf.savefig(
                    draw_sheet(sheet, base, layout, page_label=f"第 {done} 页 / 共 {pages} 页")
                )
                _tell(progress, done, pages)
    return AtlasSummary(Path(out_path), pages, len(sheets), extra_pages)


def _write_front(
    pdf: PdfPages,
    heading: AtlasHeading,
    data: PrintData,
    base: BaseMap,
    layout: PageLayout,
    rows: list[tuple],
    progress: Progress | None,
) -> int:
    """The overview and the index continuation pages; returns the pages written."""
    figure, drawn = draw_overview(heading, data, base, layout, rows)
    pdf.savefig(figure)
    done = 1
    _tell(progress, done, heading.pages)
    while drawn < len(rows):
        figure, more = draw_index_page(heading, rows[drawn:], layout.paper)
        if not more:  # a page that holds no row would loop for ever
            raise RuntimeError("an index page holds no rows: the table rows are too tall")
        pdf.savefig(figure)
        drawn, done = drawn + more, done + 1
        _tell(progress, done, heading.pages)
    return done


def _index_rows(sheets: list[GridSheet], first_page: int) -> list[tuple]:
    rows = []
    for page, sheet in enumerate(sheets, start=first_page):
        leader = sheet.leaders[0] if sheet.leaders else None
        rows.append(
            (
                page,
                sheet.code,
                sheet.name,
                leader.name if leader else "（未配备）",
                leader.phone if leader else "",
            )
        )
    return rows


def _union(layouts: list[PageLayout]) -> tuple[float, float, float, float]:
    extents = [layout.extent for layout in layouts]
    return (
        min(e[0] for e in extents),
        min(e[1] for e in extents),
        max(e[2] for e in extents),
        max(e[3] for e in extents),
    )


def _tell(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


@contextmanager
def _pdf(path: Path, title: str) -> Iterator[PdfPages]:
    """A PdfPages written beside `path` and renamed onto it only when complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    try:
        with PdfPages(partial, metadata={"Title": title, "Creator": "geogrid"}) as pdf:
            yield pdf
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
