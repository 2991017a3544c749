"""A station atlas: overview and index first, a sheet per grid, pages counted right."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Connection

from geogrid.errors import InputError
from geogrid.prints import draw, write_station_atlas
from geogrid.prints.layout import plan_page
from geogrid.prints.overview import index_layout
from tests.prints import level2_grids, pdf_info, pdf_text, people_on_duty

STATION = "370782P02"  # the tiny county's one-community station: a handful of grids


def test_atlas_has_an_overview_then_a_page_per_grid(conn: Connection, tmp_path: Path) -> None:
    grids = level2_grids(conn, STATION)
    calls: list[tuple[int, int]] = []
    summary = write_station_atlas(
        conn, STATION, tmp_path / "atlas.pdf", progress=lambda *call: calls.append(call)
    )
    info = pdf_info(summary.path)
    assert summary.grids == len(grids) >= 3
    assert summary.index_pages == 0
    assert int(info["Pages"]) == summary.pages == len(grids) + 1
    assert "A4" in info["Page size"]
    assert calls == [(page, summary.pages) for page in range(1, summary.pages + 1)]
    words = pdf_text(summary.path)
    assert "龙都派出所" in words and "网格巡逻图集" in words
    for code, name in grids:
        assert code in words and name in words
    for leader in people_on_duty(conn, [code for code, _ in grids], "grid_leader"):
        assert leader in words
    pages = words.split("\f")[: summary.pages]
    assert all("比例尺 1:" in page for page in pages)  # the overview's and each sheet's


def test_index_continues_on_extra_pages_when_it_does_not_fit(
    conn: Connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(draw, "ROW_MM", 40.0)  # rows so tall that one fits the overview page
    grids = level2_grids(conn, STATION)
    summary = write_station_atlas(conn, STATION, tmp_path / "long-index.pdf", paper="A3")
    assert summary.index_pages >= 1
    assert int(pdf_info(summary.path)["Pages"]) == summary.pages
    assert summary.pages == 1 + summary.index_pages + len(grids)
    pages = pdf_text(summary.path).split("\f")
    assert "网格索引（续）" in pages[1]
    assert "A3" in pdf_info(summary.path)["Page size"]
    index = "".join(pages[: 1 + summary.index_pages])
    for code, _ in grids:  # every grid is indexed, with the page its sheet is on
        assert code in index
    first_sheet = pages[1 + summary.index_pages]
    assert grids[0][0] in first_sheet and f"第 {2 + summary.index_pages} 页" in first_sheet


def test_index_pages_are_counted_from_the_table_capacity() -> None:
    layout = plan_page((0, 0, 8000, 8000), "A4", overview=True)
    first, extra = index_layout(0, layout)
    assert first > 10 and extra == 0
    assert index_layout(first, layout)[1] == 0
    assert index_layout(first + 1, layout)[1] == 1


def test_unknown_station_is_named_in_the_error(conn: Connection, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="370782P99"):
        write_station_atlas(conn, "370782P99", tmp_path / "none.pdf")
    assert not list(tmp_path.iterdir())
