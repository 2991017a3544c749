"""Boundary files shaped like real ones, written fresh into each test's tmp folder."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon, box

COUNTY = box(119.30, 35.90, 119.50, 36.10)
WEST, EAST = box(119.30, 35.90, 119.40, 36.10), box(119.40, 35.90, 119.50, 36.10)


def communities_frame() -> gpd.GeoDataFrame:
    """Two communities with Chinese fields, as an office would name them."""
    return gpd.GeoDataFrame(
        {
            "社区代码": ["370782001001", "370782101001"],
            "社区名称": ["密州街道和平社区", "枳沟镇王家庄社区"],
            "类型": ["城市", "农村"],
            "镇街": ["密州街道", "枳沟镇"],
            "派出所代码": ["370782P01", "370782P02"],
        },
        geometry=[WEST, EAST],
        crs="EPSG:4326",
    )


@pytest.fixture
def sample_gpkg(tmp_path: Path) -> Path:
    """A GeoPackage with every layer role, in WGS-84."""
    path = tmp_path / "county.gpkg"
    county = gpd.GeoDataFrame(
        {"行政区划代码": ["370782"], "名称": ["诸城市"]}, geometry=[COUNTY], crs="EPSG:4326"
    )
    stations = gpd.GeoDataFrame(
        {"派出所代码": ["370782P01", "370782P02"], "派出所名称": ["密州派出所", "枳沟派出所"]},
        geometry=[Point(119.35, 36.0), Point(119.45, 36.0)],
        crs="EPSG:4326",
    )
    villages = gpd.GeoDataFrame(
        {
            "村代码": ["370782101001001", "370782101001002"],
            "村名": ["王家庄", "李家村"],
            "社区代码": ["370782101001", "370782101001"],
        },
        geometry=[box(119.40, 35.90, 119.45, 36.10), box(119.45, 35.90, 119.50, 36.10)],
        crs="EPSG:4326",
    )
    streets = gpd.GeoDataFrame(
        {"街路巷名": ["人民路", "和平街"], "类型": ["路", "街"]},
        geometry=[LineString([(119.31, 36.0), (119.39, 36.0)]),
                  LineString([(119.35, 35.91), (119.35, 36.09)])],
        crs="EPSG:4326",
    )  # fmt: skip
    households = gpd.GeoDataFrame(
        {"户数": [24, 1, 1], "人口": [70, 3, 4], "地址": ["人民路3号", "王家庄1号", "李家村9号"]},
        geometry=[Point(119.36, 36.01), Point(119.42, 36.0), Point(119.47, 36.0)],
        crs="EPSG:4326",
    )
    people = gpd.pd.DataFrame(
        {
            "人员编号": ["P0001", "P0002"],
            "姓名": ["王建国", "李秀英"],
            "角色": ["网格长", "网格信息员"],
            "年龄": [52, 44],
            "电话": ["10012345678", "10012345679"],
            "政审状态": ["通过", "待审"],
            "社区代码": ["370782101001", "370782101001"],
        }
    )
    for name, frame in [("county", county), ("stations", stations), ("communities",
                        communities_frame()), ("villages", villages), ("streets", streets),
                        ("households", households)]:  # fmt: skip
        pyogrio.write_dataframe(frame, path, layer=name)
    pyogrio.write_dataframe(people, path, layer="people")
    return path


@pytest.fixture
def gbk_shapefile(tmp_path: Path) -> Path:
    """Villages as a GBK shapefile with Chinese field names and no .cpg, in CGCS2000."""
    frame = gpd.GeoDataFrame(
        {"村代码": ["370782101001001"], "村名": ["王家庄"], "社区代码": ["370782101001"]},
        geometry=[box(119.41, 35.95, 119.44, 35.99)],
        crs="EPSG:4490",
    )
    path = tmp_path / "村界.shp"
    pyogrio.write_dataframe(frame, path, encoding="GBK")
    path.with_suffix(".cpg").unlink()
    return path


def broken_villages() -> gpd.GeoDataFrame:
    """Villages with the geometry problems real files have."""
    bowtie = Polygon([(119.41, 35.91), (119.43, 35.93), (119.43, 35.91), (119.41, 35.93)])
    repeated = Polygon([(119.44, 35.91), (119.44, 35.91), (119.46, 35.91), (119.46, 35.93),
                        (119.44, 35.93)])  # fmt: skip
    swapped = shapely.transform(box(119.46, 35.95, 119.48, 35.97), lambda c: c[:, ::-1])
    rows = [
        ("370782101001001", "弓形村", bowtie),
        ("370782101001002", "重点村", repeated),
        ("370782101001003", "空村", Polygon()),
        ("370782101001004", "颠倒村", swapped),
        ("370782101001005", "远村", box(117.0, 30.0, 117.1, 30.1)),
        ("370782101001001", "重号村", box(119.45, 36.0, 119.46, 36.01)),
        ("370782101001007", "线村", LineString([(119.41, 36.05), (119.42, 36.06)])),
    ]
    return gpd.GeoDataFrame(
        {"村代码": [r[0] for r in rows], "村名": [r[1] for r in rows],
         "社区代码": ["370782101001"] * len(rows)},
        geometry=[r[2] for r in rows],
        crs="EPSG:4326",
    )  # fmt: skip
