"""The import core without a database: reading, field mapping, CRS, and every check."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from shapely.geometry import box

from geogrid.errors import InputError, UnreadableFileError
from geogrid.geo.crs import wgs84_to_gcj02
from geogrid.inputs.fieldmap import load_field_mapping
from geogrid.inputs.load import LoadOptions, prepare_boundaries
from tests.boundary_files import COUNTY, broken_villages, communities_frame


def _problems(report, severity=None):
    return [p for p in report.problems if severity is None or p.severity == severity]


def test_geopackage_layers_take_their_roles_and_fields(sample_gpkg: Path) -> None:
    report = prepare_boundaries([sample_gpkg], LoadOptions())
    assert report.errors == []
    roles = {r.role: len(r.accepted) for r in report.layers}
    assert roles == {"county": 1, "stations": 2, "communities": 2, "villages": 2,
                     "streets": 2, "households": 3, "people": 2}  # fmt: skip
    communities = report.layer("communities").accepted
    assert list(communities["name"]) == ["密州街道和平社区", "枳沟镇王家庄社区"]
    assert list(communities["kind"]) == ["urban", "rural"]
    people = report.layer("people").accepted
    assert list(people["role"]) == ["grid_leader", "information_officer"]
    assert list(people["vetting"]) == ["passed", "pending"]
    assert report.layer("households").accepted["households"].sum() == 26


def test_gbk_shapefile_without_cpg_reads_chinese(gbk_shapefile: Path) -> None:
    report = prepare_boundaries([gbk_shapefile], LoadOptions())
    villages = report.layer("villages")
    assert villages is not None, report.problems
    assert villages.crs == "EPSG:4490"
    assert list(villages.accepted["name"]) == ["王家庄"]


def test_encoding_option_overrides_detection(gbk_shapefile: Path) -> None:
    report = prepare_boundaries([gbk_shapefile], LoadOptions(encoding="GBK"))
    assert list(report.layer("villages").accepted["name"]) == ["王家庄"]


def test_gcj02_geojson_is_converted_to_wgs84(tmp_path: Path) -> None:
    true_point = (119.41, 35.99)
    gx, gy = wgs84_to_gcj02(*true_point)
    path = tmp_path / "amap_households.geojson"
    frame = gpd.GeoDataFrame({"户数": [3]}, geometry=[shapely.Point(gx, gy)], crs="EPSG:4326")
    pyogrio.write_dataframe(frame, path)
    report = prepare_boundaries([path], LoadOptions(crs="gcj02", role="households"))
    point = report.layer("households").accepted.geometry.iloc[0]
    assert point.distance(shapely.Point(true_point)) < 1e-6  # ~0.1 m
    assert report.layer("households").crs == "gcj02"


def test_projected_geopackage_epsg4549(tmp_path: Path) -> None:
    frame = communities_frame().to_crs("EPSG:4549")
    path = tmp_path / "communities_4549.gpkg"
    pyogrio.write_dataframe(frame, path, layer="communities")
    report = prepare_boundaries([path], LoadOptions())
    accepted = report.layer("communities").accepted
    assert report.layer("communities").crs == "EPSG:4549"
    assert (
        accepted.geometry.iloc[0].symmetric_difference(communities_frame().geometry[0]).area < 1e-9
    )


def test_csv_with_lon_lat_and_a_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "households.csv"
    path.write_text("lon,lat,户数,地址\n119.41,35.99,2,甲\nabc,35.99,1,乙\n119.42,35.98,x,丙\n",
                    encoding="utf-8")  # fmt: skip
    report = prepare_boundaries([path], LoadOptions(role="households"))
    assert len(report.layer("households").accepted) == 1
    errors = {(p.feature, p.field) for p in report.errors}
    assert ("line 3", "geometry") in errors  # lon 'abc'
    assert ("line 4", "户数") in errors


def test_gbk_csv_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "stations.csv"
    path.write_bytes("经度,纬度,派出所代码,派出所名称\n119.4,36.0,P1,密州派出所\n".encode("gbk"))
    report = prepare_boundaries([path], LoadOptions(role="stations"))
    assert list(report.layer("stations").accepted["name"]) == ["密州派出所"]


def test_broken_geometries_each_named(tmp_path: Path) -> None:
    path = tmp_path / "villages.geojson"
    pyogrio.write_dataframe(broken_villages(), path)
    report = prepare_boundaries([path], LoadOptions(), outline=COUNTY)
    by_feature = {p.feature: p.message for p in report.errors}
    assert "invalid geometry: Self-intersection" in by_feature["fid 0"]
    assert "empty" in by_feature["fid 2"] or "null" in by_feature["fid 2"]
    assert "swapped" in by_feature["fid 3"]
    assert "outside the county outline" in by_feature["fid 4"]
    assert "duplicate code '370782101001001'" in by_feature["fid 5"]
    assert "LineString where villages need" in by_feature["fid 6"]
    fixed = [p for p in report.problems if p.severity == "fixed"]
    assert [p.feature for p in fixed] == ["fid 1"] and "repeated" in fixed[0].message
    assert all(p.file == str(path) and p.layer for p in report.problems)
    assert list(report.layer("villages").accepted["name"]) == ["重点村"]


def test_fix_repairs_bowtie_and_swapped(tmp_path: Path) -> None:
    path = tmp_path / "villages.geojson"
    pyogrio.write_dataframe(broken_villages(), path)
    report = prepare_boundaries([path], LoadOptions(fix=True), outline=COUNTY)
    names = set(report.layer("villages").accepted["name"])
    assert {"弓形村", "颠倒村"} <= names
    fixed = {p.feature: p.message for p in _problems(report, "fixed")}
    assert "repaired (Self-intersection" in fixed["fid 0"] and "MultiPolygon of 2" in fixed["fid 0"]
    assert "swapped back" in fixed["fid 3"]
    bowtie = report.layer("villages").accepted.set_index("name").geometry["弓形村"]
    assert bowtie.is_valid and bowtie.area > 0


def test_unclosed_ring_is_an_error_naming_the_feature(tmp_path: Path) -> None:
    path = tmp_path / "villages.geojson"
    ring = [[119.41, 35.91], [119.43, 35.91], [119.43, 35.93], [119.41, 35.93]]
    feature = {"type": "Feature", "properties": {"村代码": "1", "村名": "开口村"},
               "geometry": {"type": "Polygon", "coordinates": [ring]}}  # fmt: skip
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    report = prepare_boundaries([path], LoadOptions())
    problems = report.errors + [p for p in report.problems if p.severity == "fixed"]
    assert problems, "an unclosed ring is either rejected or closed, never passed silently"
    assert problems[0].feature == "fid 0"


def test_file_without_crs_asks_for_one(tmp_path: Path) -> None:
    path = tmp_path / "villages.shp"
    frame = gpd.GeoDataFrame({"村代码": ["1"], "村名": ["甲"]}, geometry=[box(0, 0, 1, 1)])
    pyogrio.write_dataframe(frame, path)
    report = prepare_boundaries([path], LoadOptions())
    assert report.layers == []
    assert "declares no coordinate system: pass --crs" in report.errors[0].message


def test_unknown_crs_is_named(sample_gpkg: Path) -> None:
    report = prepare_boundaries([sample_gpkg], LoadOptions(crs="EPSG:999999"))
    assert [r.role for r in report.layers] == ["people"]  # the one layer without coordinates
    assert any("EPSG:999999" in p.message and p.field == "crs" for p in report.errors)


def test_unreadable_file_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.gpkg"
    path.write_bytes(b"this is not a geopackage")
    with pytest.raises(UnreadableFileError, match=r"broken\.gpkg: cannot be read"):
        prepare_boundaries([path], LoadOptions())
    with pytest.raises(UnreadableFileError, match="no such file"):
        prepare_boundaries([tmp_path / "missing.shp"], LoadOptions())


def test_field_mapping_file_maps_user_names(tmp_path: Path) -> None:
    frame = communities_frame().rename(columns={"社区代码": "SQDM", "社区名称": "SQMC"})
    path = tmp_path / "data.gpkg"
    pyogrio.write_dataframe(frame, path, layer="边界")
    mapping = tmp_path / "fields.toml"
    mapping.write_text('[layers]\n"边界" = "communities"\n[communities]\ncode = "SQDM"\n'
                       'name = "SQMC"\n', encoding="utf-8")  # fmt: skip
    report = prepare_boundaries([path], LoadOptions(mapping=load_field_mapping(mapping)))
    assert list(report.layer("communities").accepted["code"]) == ["370782001001", "370782101001"]


def test_bad_field_mapping_names_the_problem(tmp_path: Path) -> None:
    mapping = tmp_path / "fields.toml"
    mapping.write_text('[communities]\ncolour = "YS"\n', encoding="utf-8")
    with pytest.raises(InputError, match="no field 'colour'"):
        load_field_mapping(mapping)


def test_missing_required_column_names_the_field(tmp_path: Path) -> None:
    frame = communities_frame().drop(columns=["社区名称"])
    path = tmp_path / "communities.gpkg"
    pyogrio.write_dataframe(frame, path, layer="communities")
    report = prepare_boundaries([path], LoadOptions())
    assert len(report.layer("communities").accepted) == 0
    assert "required field 'name'" in report.errors[0].message


def test_geoparquet_is_read(tmp_path: Path) -> None:
    path = tmp_path / "communities.parquet"
    communities_frame().to_parquet(path)
    report = prepare_boundaries([path], LoadOptions(role="communities"))
    assert report.errors == []
    assert list(report.layer("communities").accepted["name"]) == [
        "密州街道和平社区",
        "枳沟镇王家庄社区",
    ]


def test_names_with_a_nul_are_refused_per_feature(tmp_path: Path) -> None:
    stations = tmp_path / "stations.csv"
    stations.write_text("经度,纬度,派出所代码,派出所名称\n119.4,36.0,P1,密州\x00派出所\n"
                        "119.5,36.1,P2,龙都派出所\n", encoding="utf-8")  # fmt: skip
    people = tmp_path / "people.csv"
    people.write_text("经度,纬度,人员编号,姓名,角色\n119.4,36,A1,张\x00三,网格长\n"
                      "119.4,36,A2,李四,网格长\n", encoding="utf-8")  # fmt: skip
    report = prepare_boundaries([stations], LoadOptions(role="stations"))
    assert list(report.layer("stations").accepted["code"]) == ["P2"]
    problem = next(p for p in report.errors if p.field == "派出所名称")
    assert problem.feature == "line 2" and "NUL" in problem.message
    report = prepare_boundaries([people], LoadOptions(role="people"))
    assert list(report.layer("people").accepted["person_no"]) == ["A2"]
    assert [p.field for p in report.errors] == ["姓名"]
