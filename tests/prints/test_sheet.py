"""A grid's patrol sheet: Chinese text that extracts, a true scale bar, key places, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from geogrid.errors import InputError, VersionError
from geogrid.prints import data as print_data
from geogrid.prints import write_grid_sheet
from geogrid.prints.data import grid_sheets, read_base_map, read_print_data
from geogrid.prints.fonts import print_style
from geogrid.prints.layout import plan_page
from geogrid.prints.sheet import draw_sheet
from geogrid.storage.versions import known_version as resolve_version
from tests.prints import (
    level2_grids,
    pdf_fonts,
    pdf_images,
    pdf_info,
    pdf_text,
    people_on_duty,
)


def test_sheet_holds_the_chinese_names_people_and_scale(
    conn: Connection, tmp_path: Path, recwarn: pytest.WarningsRecorder
) -> None:
    # The grid with the fewest units: its unit table lists every officer on duty.
    code, name = min(level2_grids(conn), key=lambda grid: _unit_count(conn, grid[0]))
    summary = write_grid_sheet(conn, code, tmp_path / "sheet.pdf")
    words = pdf_text(summary.path)
    assert name in words and code in words
    units_sql = "select u.code from grids u join grids g on g.id = u.parent_id where g.code = :c"
    units = list(conn.execute(text(units_sql), {"c": code}).scalars())
    for person in people_on_duty(conn, [code], "grid_leader"):
        assert person in words
    for person in people_on_duty(conn, units, "information_officer"):
        assert person in words
    assert f"比例尺 1:{summary.scale:,}" in words
    assert "EPSG:4549" in words
    assert pdf_info(summary.path)["Pages"] == "1"
    assert all(row[-5] == "yes" for row in pdf_fonts(summary.path))  # every font embedded
    assert pdf_images(summary.path) == []  # vector only: nothing rasterised
    assert not [w for w in recwarn if "missing from" in str(w.message)]  # no tofu boxes


def _unit_count(conn: Connection, code: str) -> int:
    sql = "select count(*) from grids u join grids g on g.id = u.parent_id where g.code = :c"
    return conn.scalar(text(sql), {"c": code})


def test_scale_bar_measures_true_on_paper(conn: Connection) -> None:
    code, _ = level2_grids(conn)[0]
    with print_style():
        version = resolve_version(conn)
        data = read_print_data(conn, [code], version)
        sheet = grid_sheets(data)[0]
        layout = plan_page(sheet.geometry.bounds, "A4")
        figure = draw_sheet(sheet, read_base_map(conn, version, layout.extent, data.epsg), layout)
    width_mm, height_mm = figure.get_size_inches() * 25.4
    assert sorted([width_mm, height_mm]) == pytest.approx([210, 297])
    bar = next(a for a in figure.findobj() if a.get_gid() == "scalebar")
    start = (bar.get_x(), bar.get_y())
    (x0, _), (x1, _) = bar.axes.transData.transform([start, (start[0] + bar.get_width(), start[1])])
    on_paper_m = (x1 - x0) / figure.dpi * 0.0254
    assert on_paper_m == pytest.approx(bar.get_width() / layout.scale, rel=0.01)


_CATEGORIES = """
insert into report_categories (code, name_zh, name_en, kind, is_security, heat_group, sensitive,
                               sort_order)
values ('rental_housing', '出租房屋', 'rental housing', 'basic', true, null, true, 1),
       ('key_unit', '重点单位', 'key unit', 'basic', true, null, false, 2),
       ('dangerous_goods', '危险物品', 'dangerous goods', 'basic', true, null, false, 3)
on conflict (code) do nothing
"""
_REPORT = """
insert into reports (id, category_id, geom, reported_at, received_crs, reporter, text,
                     assignment_method, status)
select gen_random_uuid(), c.id, st_geomfromtext(:wkt, 4326), now() - :days * interval '1 day',
       'EPSG:4326', '', '', 'inside', :status
from report_categories c where c.code = :category
"""


def _key_places(conn: Connection, grid_code: str) -> None:
    """Five places in the grid, one reported twice, and a rejected report that is no place."""
    conn.execute(text(_CATEGORIES))
    points = (
        conn.execute(
            text("""
        select st_astext((st_dump(st_generatepoints(g.geom, 6, 7))).geom) from grids g
        join grid_versions v on v.id = g.version_id and v.status = 'active'
        where g.code = :code"""),
            {"code": grid_code},
        )
        .scalars()
        .all()
    )
    kinds = ["rental_housing", "key_unit", "dangerous_goods"]
    rows = [
        {"wkt": wkt, "days": n, "category": kinds[n % 3], "status": "closed"}
        for n, wkt in enumerate(points)
    ]
    rows[5]["status"] = "rejected"
    rows.append({**rows[0], "days": 0, "status": "received"})  # the same place again
    for row in rows:
        conn.execute(text(_REPORT), row)


def test_key_places_are_distinct_locations_capped_with_a_note(
    conn: Connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _ = level2_grids(conn)[0]
    _key_places(conn, code)
    version = resolve_version(conn)
    data = read_print_data(conn, [code], version)
    assert data.key_place_counts == {code: 5}
    assert set(data.key_places["category"]) == {"rental_housing", "key_unit", "dangerous_goods"}
    monkeypatch.setattr(print_data, "KEY_PLACES_PER_GRID", 3)
    assert len(read_print_data(conn, [code], version).key_places) == 3
    words = pdf_text(write_grid_sheet(conn, code, tmp_path / "capped.pdf").path)
    assert "重点场所 5 处" in words and "图上仅标最近上报的 3 处" in words


def test_unknown_grid_or_version_is_a_clear_error(conn: Connection, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="370782999999999"):
        write_grid_sheet(conn, "370782999999999", tmp_path / "x.pdf")
    with pytest.raises(VersionError, match="999"):
        write_grid_sheet(conn, level2_grids(conn)[0][0], tmp_path / "x.pdf", version=999)
    conn.execute(text("update grid_versions set status = 'retired'"))
    with pytest.raises(VersionError, match="no active grid version"):
        write_grid_sheet(conn, "370782001001001", tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()
