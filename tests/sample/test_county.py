"""The tiny sample county, read back from its GeoPackage: layers, fields, geometry, people."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from geogrid.sample import generate_sample_county
from geogrid.sample.scales import TOWN_CODES
from tests.sample.conftest import read_sample

FIELDS = {
    "county": ["行政区划代码", "名称"],
    "communities": ["社区代码", "社区名称", "类型", "镇街", "派出所代码"],
    "villages": ["村代码", "村名", "社区代码"],
    "streets": ["街路巷名", "类型"],
    "households": ["户数", "人口", "地址"],
    "stations": ["派出所代码", "派出所名称", "电话"],
    "people": ["人员编号", "姓名", "性别", "年龄", "电话", "角色", "社区代码", "派出所代码",
               "政审状态"],
}  # fmt: skip
HAN = re.compile(r"^[\u4e00-\u9fff]+$")


def test_every_layer_is_written_with_its_chinese_fields(tiny_gpkg: Path) -> None:
    layers = dict(pyogrio.list_layers(tiny_gpkg).tolist())
    assert layers == {
        "county": "MultiPolygon",
        "communities": "MultiPolygon",
        "villages": "MultiPolygon",
        "streets": "LineString",
        "households": "Point",
        "stations": "Point",
        "people": None,
    }
    for name, fields in FIELDS.items():
        info = pyogrio.read_info(tiny_gpkg, layer=name)
        assert list(info["fields"]) == fields, name
        if name != "people":
            assert info["crs"] == "EPSG:4326", name


def test_county_is_the_outline_around_the_town_centre(tiny: dict, outline) -> None:
    county = tiny["county"]
    assert county[["行政区划代码", "名称"]].values.tolist() == [["370782", "诸城市(样例-小)"]]
    assert 15e6 < county.area.iloc[0] < 25e6  # a circle of 2.5 km
    assert outline.contains(shapely.Point(119.41, 35.99))
    lonlat = county.to_crs("EPSG:4326").geometry.iloc[0]
    assert lonlat.contains(shapely.Point(119.41, 35.99))


def test_communities_partition_the_county(tiny: dict) -> None:
    county = tiny["county"].geometry.iloc[0]
    communities = tiny["communities"]
    union = shapely.union_all(communities.geometry.values)
    assert abs(union.area - county.area) / county.area < 1e-6
    assert (communities.area.sum() - union.area) / county.area < 1e-6
    assert sorted(communities["类型"]) == ["农村", "农村", "城市", "城市"]
    assert communities["社区代码"].str.fullmatch(r"370782\d{6}").all()
    assert communities["社区代码"].is_unique and communities["社区名称"].is_unique
    for code, town in zip(communities["社区代码"], communities["镇街"], strict=True):
        assert code[6:9] == TOWN_CODES[town]


def test_villages_partition_the_rural_communities(tiny: dict) -> None:
    communities = tiny["communities"].set_index("社区代码")
    villages = tiny["villages"]
    assert 20 <= len(villages) <= 40
    assert villages["村名"].is_unique and villages["村代码"].is_unique
    assert (communities.loc[villages["社区代码"], "类型"] == "农村").all()
    rural = communities.index[communities["类型"] == "农村"]
    assert set(villages["社区代码"]) == set(rural)
    for code, village, community in zip(
        villages["村代码"], villages.geometry, villages["社区代码"], strict=True
    ):
        assert code.startswith(community) and len(code) == 15
        assert village.difference(communities.geometry[community]).area < 1e-3 * village.area
    union = shapely.union_all(villages.geometry.values)
    rural_area = communities.loc[rural].area.sum()
    assert abs(union.area - rural_area) / rural_area < 1e-3  # micro gaps only


def test_neighbouring_villages_have_micro_gaps_and_overlaps(tiny: dict) -> None:
    villages = tiny["villages"].geometry.values
    union = shapely.union_all(villages)
    overlap = shapely.area(villages).sum() - union.area
    assert 0 < overlap < 1e-3 * union.area


def test_households_sit_inside_communities_and_off_streets(tiny: dict) -> None:
    households, communities = tiny["households"], tiny["communities"]
    county = tiny["county"].geometry.iloc[0]
    points = households.geometry.values
    assert shapely.contains(county, points).all()
    hits = shapely.STRtree(communities.geometry.values).query(points, predicate="within")
    assert np.array_equal(np.unique(hits[0]), np.arange(len(points)))
    urban = shapely.union_all(communities.geometry[communities["类型"] == "城市"].values)
    town = points[shapely.contains(urban, points)]
    streets = tiny["streets"].geometry.values
    distance = shapely.STRtree(streets).query_nearest(town, return_distance=True)[1]
    assert len(town) > 20 and distance.min() > 2.0
    assert 1_000 <= households["户数"].sum() <= 9_999
    assert (households["人口"] >= households["户数"]).all()


def test_village_households_cluster_around_their_village(tiny: dict) -> None:
    households, villages = tiny["households"], tiny["villages"]
    joined = gpd.sjoin(households, villages[["村代码", "村名", "geometry"]], predicate="within")
    assert joined.index.is_unique and (joined["户数"] == 1).all()
    communities = tiny["communities"]
    urban = shapely.union_all(communities.geometry[communities["类型"] == "城市"].values)
    assert shapely.within(households.drop(index=joined.index).geometry.values, urban).all()
    assert joined.apply(lambda row: row["地址"].startswith(row["村名"]), axis=1).all()
    covered = []
    for code, houses in joined.groupby("村代码"):
        village = villages.geometry[villages["村代码"] == code].iloc[0]
        xy = shapely.get_coordinates(houses.geometry.values)
        assert np.hypot(*(xy - np.median(xy, axis=0)).T).max() < 700.0
        covered.append(shapely.convex_hull(shapely.multipoints(xy)).area / village.area)
    assert np.median(covered) < 0.25  # most of a village's land is fields
    sizes = joined.groupby("村代码").size()
    assert sizes.std() > 10 and 60 < sizes.mean() < 200


def test_town_households_are_buildings_with_addresses(tiny: dict) -> None:
    households, communities = tiny["households"], tiny["communities"]
    urban = shapely.union_all(communities.geometry[communities["类型"] == "城市"].values)
    town = households[shapely.contains(urban, households.geometry.values)]
    assert town["户数"].max() > 100 and (town["户数"] == 1).any()
    street_names = set(tiny["streets"]["街路巷名"])
    prefix = town["地址"].str.extract(r"^(.+?)\d+号", expand=False)
    assert prefix.isin(street_names).all()


def test_streets_are_delivered_unsplit_and_with_dangles(tiny: dict) -> None:
    streets = tiny["streets"]
    assert set(streets["类型"]) == {"路", "街", "巷"}
    assert all(
        name.endswith(kind) for name, kind in zip(streets["街路巷名"], streets["类型"], strict=True)
    )
    lines = streets.geometry.values
    assert _has_crossing_without_vertex(lines)
    assert _dangling_ends(lines) > 0


def test_streets_divide_town_communities_into_blocks(tiny: dict) -> None:
    communities = tiny["communities"]
    lines = tiny["streets"].geometry.values
    noded = shapely.node(shapely.multilinestrings(lines))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    faces = faces[shapely.area(faces) > 100.0]
    for community in communities.geometry[communities["类型"] == "城市"]:
        blocks = faces[shapely.contains(community, shapely.point_on_surface(faces))]
        assert len(blocks) >= 4
        assert shapely.area(blocks).sum() == pytest.approx(community.area, rel=1e-3)
        assert 100.0 < np.median(np.sqrt(shapely.area(blocks))) < 300.0


def test_stations_lie_in_their_jurisdiction(tiny: dict) -> None:
    stations, communities = tiny["stations"], tiny["communities"]
    assert set(stations["派出所代码"]) == set(communities["派出所代码"])
    assert stations["派出所代码"].str.fullmatch(r"370782P\d{2}").all()
    for code, point in zip(stations["派出所代码"], stations.geometry, strict=True):
        jurisdiction = communities.geometry[communities["派出所代码"] == code]
        assert shapely.union_all(jurisdiction.values).contains(point)
    assert stations["派出所名称"].str.endswith("派出所").all()


def test_people_register(tiny: dict) -> None:
    people, communities = tiny["people"], tiny["communities"]
    assert not isinstance(people, gpd.GeoDataFrame) and list(people.columns) == FIELDS["people"]
    roles = people["角色"].value_counts()
    assert roles["网格长"] == len(tiny["villages"]) + 3
    assert roles["网格信息员"] == round(tiny["households"]["户数"].sum() / 30)
    assert roles["社区民警"] >= 2
    assert people["人员编号"].is_unique and people["电话"].is_unique
    assert people["电话"].str.fullmatch(r"100\d{8}").all()
    assert people["年龄"].between(22, 65).all() and 42 <= people["年龄"].mean() <= 52
    assert set(people["性别"]) == {"男", "女"}
    assert set(people["政审状态"]) <= {"通过", "待审", "未通过"}
    assert (people["政审状态"] == "通过").mean() > 0.8
    assert people["社区代码"].isin(communities["社区代码"]).all()
    police = people[people["角色"] == "社区民警"]
    assert police["派出所代码"].isin(tiny["stations"]["派出所代码"]).all()
    assert people.loc[people["角色"] != "社区民警", "派出所代码"].isna().all()


def test_chinese_text_reads_back_intact(tiny_gpkg: Path) -> None:
    communities = pyogrio.read_dataframe(tiny_gpkg, layer="communities")
    assert communities["社区名称"].str.endswith("社区").all()
    assert communities["社区名称"].str.fullmatch(r"[\u4e00-\u9fff]+").all()
    assert set(communities["镇街"]) <= set(TOWN_CODES)
    assert "诸城市(样例-小)" in pyogrio.read_dataframe(tiny_gpkg, layer="county")["名称"].tolist()
    people = pyogrio.read_dataframe(tiny_gpkg, layer="people")
    assert all(HAN.match(name) and 2 <= len(name) <= 3 for name in people["姓名"])
    villages = pyogrio.read_dataframe(tiny_gpkg, layer="villages")
    assert all(HAN.match(name) for name in villages["村名"])


def test_same_seed_same_county_other_seed_another(tmp_path: Path, outline) -> None:
    paths = [tmp_path / f"{name}.gpkg" for name in ("a", "b", "c")]
    for path, seed in zip(paths, (5, 5, 6), strict=True):
        generate_sample_county(outline, "tiny", seed, path)
    first, again, other = (read_sample(path) for path in paths)
    for name in first:
        if name == "people":
            pd.testing.assert_frame_equal(first[name], again[name])
        else:
            assert_geodataframe_equal(first[name], again[name])
            exact = shapely.equals_exact(first[name].geometry.values, again[name].geometry.values)
            assert exact.all(), name
    assert not first["households"].equals(other["households"])
    assert first["villages"]["村名"].tolist() != other["villages"]["村名"].tolist()


def test_summary_and_progress(tmp_path: Path, outline) -> None:
    calls: list[tuple[str, int, int]] = []
    path = tmp_path / "tiny.gpkg"
    summary = generate_sample_county(outline, "tiny", 1, path, lambda *c: calls.append(c))
    assert calls[0][0] == "county" and calls[-1][1] == calls[-1][2]
    assert [done for _, done, _ in calls] == sorted(done for _, done, _ in calls)
    written = {name: len(pyogrio.read_dataframe(path, layer=name)) for name in FIELDS}
    assert summary.counts == written
    assert summary.households == pyogrio.read_dataframe(path, layer="households")["户数"].sum()
    assert 15 < summary.area_km2 < 25
    assert not list(tmp_path.glob("*.partial*"))


@pytest.mark.parametrize("scale", ["huge", "", None])
def test_unknown_scale_is_named(tmp_path: Path, outline, scale) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(scale))):
        generate_sample_county(outline, scale, 1, tmp_path / "x.gpkg")
    assert not (tmp_path / "x.gpkg").exists()


def test_outline_must_be_a_lonlat_polygon(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="outline_wgs84"):
        generate_sample_county(shapely.Point(119.4, 36.0), "tiny", 1, tmp_path / "x.gpkg")
    metres = shapely.box(440_000, 3_980_000, 450_000, 3_990_000)
    with pytest.raises(ValueError, match="lon/lat"):
        generate_sample_county(metres, "tiny", 1, tmp_path / "x.gpkg")


def _has_crossing_without_vertex(lines: np.ndarray) -> bool:
    """Some pair of lines crosses away from every vertex of both (not split at crossings)."""
    pairs = shapely.STRtree(lines).query(lines, predicate="crosses")
    for i, j in pairs.T[pairs[0] < pairs[1]]:
        vertices = np.concatenate(
            [shapely.get_coordinates(lines[i]), shapely.get_coordinates(lines[j])]
        )
        for xy in shapely.get_coordinates(shapely.intersection(lines[i], lines[j])):
            if np.hypot(*(vertices - xy).T).min() > 0.5:
                return True
    return False


def _dangling_ends(lines: np.ndarray) -> int:
    """Line ends that touch no other line (dead ends and ends stopping short)."""
    ends = np.concatenate([shapely.get_point(lines, 0), shapely.get_point(lines, -1)])
    owner = np.concatenate([np.arange(len(lines))] * 2)
    near = shapely.STRtree(lines).query(ends, predicate="dwithin", distance=0.05)
    touching = np.unique(near[0][near[1] != owner[near[0]]])
    return len(ends) - len(touching)
