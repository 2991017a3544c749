"""County and station pages: local assets only, layers and notes present, nothing unescaped."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from shapely.geometry import LineString, box
from sqlalchemy import Connection, Engine, text

from geogrid.errors import InputError
from geogrid.maps import assets
from geogrid.maps.data import DutyPerson, GridShape, MapData, StreetLine
from geogrid.maps.reports import ReportFilter
from geogrid.maps.web import (
    build_map,
    choropleth_breaks,
    county_map_html,
    render_map,
    station_map_html,
    write_map,
)
from tests.maps import NEWEST_TEXT, county_with_reports

LAYER_NAMES = ("一级网格（社区）", "二级网格", "三级网格（单元）", "隐患热力图", "治安热力图",
               "各二级网格上报量", "街路巷与社区界线")  # fmt: skip


@pytest.fixture(scope="module")
def conn(county_engine: Engine) -> Iterator[Connection]:
    """The tiny county with reports, for this module."""
    with county_with_reports(county_engine) as connection:
        yield connection


@pytest.fixture(scope="module")
def county_page(conn: Connection) -> str:
    """The county map of 2025 with ten markers and June's choropleth."""
    return county_map_html(conn, marker_limit=10, month=date(2025, 6, 1), day=date(2025, 6, 1))


def test_county_page_loads_nothing_from_outside(county_page: str) -> None:
    assert "http://" not in county_page and "https://" not in county_page
    assert assets.external_urls(county_page) == []
    sources = re.findall(r'(?:src|href)="([^"]+)"', county_page)
    assert sources and all(s.startswith("assets/") or s == "data:," for s in sources)


def test_county_page_has_every_layer_and_the_marker_note(county_page: str) -> None:
    for name in (*LAYER_NAMES, "上报（最新 10 条）"):
        # folium writes the layer control's names as ASCII JSON (\\uXXXX)
        assert name in county_page or json.dumps(name)[1:-1] in county_page, name
    assert re.search(r"上报点只显示最新 10 条，共 [\d,]+ 条", county_page)
    assert "2025年06月" in county_page
    assert "maxZoom" in county_page  # MarkerCluster throws without it


def test_report_text_is_data_not_markup(county_page: str) -> None:
    assert NEWEST_TEXT not in county_page and "<script>alert" not in county_page
    assert "\\u003cscript\\u003ealert('x')\\u003c/script\\u003e 邻里纠纷" in county_page


def test_server_prefix_and_intranet_tiles(conn: Connection) -> None:
    tiles = "http://tiles.police.local/{z}/{x}/{y}.png"
    page = county_map_html(conn, asset_base="/static/maps/", tile_url=tiles, marker_limit=0)
    assert '<script src="/static/maps/leaflet/leaflet.js"></script>' in page
    assert assets.external_urls(page, allowed=("http://tiles.police.local/",)) == []
    assert assets.external_urls(page) == [tiles]
    assert json.dumps("内网瓦片底图")[1:-1] in page and "reportMarkers" not in page
    assert "未显示上报点（共" in page


def test_a_tile_url_must_be_a_url_and_assets_local(conn: Connection) -> None:
    with pytest.raises(InputError, match="tile_url"):
        county_map_html(conn, tile_url="javascript:alert(1)")
    for base in ("https://cdn.example.com/maps", '"><script>', "//cdn.example.com"):
        with pytest.raises(InputError, match="asset_base"):
            county_map_html(conn, asset_base=base)


_ACTIVE_UNITS = """select count(*) from grids g
join grid_versions v on v.id = g.version_id and v.status = 'active' where g.level = 3"""


def test_station_page_shows_its_own_communities_only(conn: Connection) -> None:
    county = county_map_html(conn, groups=("hazard", "incident"), marker_limit=0)
    station = station_map_html(conn, 1, groups=("hazard", "incident"), marker_limit=0,
                               date_from=date(2025, 1, 1), date_to=date(2025, 12, 31))  # fmt: skip
    assert "派出所 辖区网格与上报" in station and "日期：2025-01-01 至 2025-12-31" in station
    county_codes = set(re.findall(r'"(3707\d{14})"', county))
    station_codes = set(re.findall(r'"(3707\d{14})"', station))
    units = conn.scalar(text(_ACTIVE_UNITS))
    assert 0 < len(station_codes) < len(county_codes) == units
    assert "类别：隐患、治安" in station


def test_write_map_puts_the_assets_beside_the_page(conn: Connection, tmp_path: Path) -> None:
    page = county_map_html(conn, marker_limit=5)
    path = write_map(page, tmp_path / "maps" / "county.html", cjk_font=False)
    assert path.read_text(encoding="utf-8") == page
    for source in re.findall(r'(?:src|href)="(assets/[^"]+)"', page):
        assert (path.parent / source).is_file(), source
    assert (path.parent / "assets/leaflet/images/layers.png").is_file()


def test_build_map_takes_plain_data() -> None:
    leader = DutyPerson("王建国", "10012345678")
    community = GridShape(1, "370782001001", "和平社区", 60, box(119.40, 36.00, 119.42, 36.02))
    grid = GridShape(2, "370782001001001", "和平社区第1网格", 60, box(119.40, 36.00, 119.42, 36.02),
                     leaders=[leader])  # fmt: skip
    units = [GridShape(3, f"370782001001001{i:03d}", f"和平社区第1网格第{i}单元", 30,
                       box(119.40 + 0.01 * (i - 1), 36.00, 119.41 + 0.01 * (i - 1), 36.02),
                       leaders=[leader]) for i in (1, 2)]  # fmt: skip
    streets = [StreetLine("和平街", LineString([(119.40, 36.01), (119.42, 36.01)]))]
    data = MapData("测试地图", {1: [community], 2: [grid], 3: units}, streets, ReportFilter())
    page = render_map(build_map(data, asset_base="assets"))
    assert "和平社区第1网格第2单元" in page and "王建国" in page and "和平街" in page
    assert "上报点显示全部 0 条" in page and assets.external_urls(page) == []


def test_choropleth_classes() -> None:
    assert choropleth_breaks([0, 0]) == [0]
    assert choropleth_breaks([0, 1, 1, 2]) == [0, 1, 2]
    breaks = choropleth_breaks(list(range(100)))
    assert breaks[:2] == [0, 1] and breaks == sorted(set(breaks)) and len(breaks) <= 7
