"""Counties unlike the sample (issue 15 part 5): all urban, outside China, split units."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import MultiPolygon, box

from geogrid.building.build import SourceData, build_grids
from geogrid.building.leftovers import hand_crumbs_to_neighbours, join_detached_parts
from geogrid.building.validate import SPLIT_SLIVER_M2, split_units, validate_grids
from geogrid.inputs.load import LoadOptions, prepare_boundaries
from tests.building import handdrawn

GEOD = pyproj.Geod(ellps="WGS84")
SAMPLE_TOWN = Path(__file__).parents[2] / "boundaries" / "sample" / "zhucheng_town.gpkg"


def _all_urban() -> SourceData:
    """The hand-drawn town on its own: streets and households, no village layer at all."""
    town = handdrawn.communities().iloc[[0]].set_geometry([handdrawn.TOWN], crs=4326)
    households = handdrawn.households()
    households = households[households.geometry.x < handdrawn.X0 + 0.02]
    # What PostGIS hands back for an empty source_villages table: no rows and no CRS.
    no_villages = gpd.GeoDataFrame(
        {"code": [], "name": [], "community_code": []}, geometry=gpd.GeoSeries([])
    )
    return SourceData(handdrawn.TOWN, town, no_villages, handdrawn.streets(), households)


def test_all_urban_county_without_villages_builds_along_its_streets() -> None:
    sources = _all_urban()
    built = build_grids(sources)
    report = validate_grids(built)
    assert report["passed"], report["errors"]
    assert list(built.level(1)["code"]) == ["370782001001"]
    assert set(built.level(2)["kind"]) == {"urban_block"} and len(built.level(2)) >= 2
    units = built.level(3)
    assert units["households"].sum() == sources.households["households"].sum()
    assert report["households"]["share_in_bounds"] >= 0.9


def _moved(sources: SourceData, dx: float, dy: float) -> SourceData:
    def move(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        return frame.set_geometry(frame.geometry.translate(dx, dy))

    return SourceData(
        shapely.affinity.translate(sources.county, dx, dy), move(sources.communities),
        move(sources.villages), move(sources.streets), move(sources.households),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("lon", "lat", "epsg", "label"),
    [(10.0, -35.0, 32732, "EPSG:32732 (WGS 84 / UTM zone 32S)"),
     (-70.0, 45.0, 32619, "EPSG:32619 (WGS 84 / UTM zone 19N)")],
)  # fmt: skip
def test_county_outside_china_builds_in_its_utm_zone_with_true_areas(
    lon: float, lat: float, epsg: int, label: str
) -> None:
    # Issue 15: outside 73.5-136.5E the build was refused; now it runs in the UTM zone.
    sources = _moved(handdrawn.source_data(), lon - handdrawn.X0, lat - handdrawn.Y0)
    built = build_grids(sources)
    report = validate_grids(built)
    assert report["passed"], report["errors"]
    assert built.grids.crs.to_epsg() == epsg and report["crs"] == label
    county_m2 = abs(GEOD.geometry_area_perimeter(sources.county)[0])
    for level in (1, 2, 3):
        assert built.level(level).area.sum() == pytest.approx(county_m2, rel=2e-3), level
    units = built.level(3).to_crs(4326)
    geodesic = np.array([abs(GEOD.geometry_area_perimeter(g)[0]) for g in units.geometry])
    np.testing.assert_allclose(built.level(3).area.to_numpy(), geodesic, rtol=2e-3)


def test_split_units_are_named_with_their_parts_and_slivers_are_let_through() -> None:
    far_apart = MultiPolygon([box(0, 0, 130, 140), box(1078, 0, 1170, 94)])  # 948 m apart
    crumb = MultiPolygon([box(0, 0, 100, 100), box(100, 0, 100.5, 0.5)])  # 0.25 m² sliver
    units = gpd.GeoDataFrame(
        {"code": ["U1", "U2", "U3"]}, geometry=[far_apart, crumb, box(0, 0, 10, 10)]
    )
    found = split_units(units)
    assert crumb.geoms[1].area < SPLIT_SLIVER_M2
    assert found["count"] == 1
    assert found["units"] == [{"code": "U1", "parts_m2": [18200.0, 8648.0]}]


def test_validation_fails_a_version_with_a_unit_in_two_parts() -> None:
    built = build_grids(handdrawn.source_data())
    units = built.level(3)
    # Give a unit's neighbour a part of it: the neighbour now has two parts, far apart.
    first, other = units.index[0], units.index[-1]
    piece = built.grids.loc[other, "geometry"]
    built.grids.loc[first, "geometry"] = shapely.union(built.grids.loc[first, "geometry"], piece)
    built.grids.loc[other, "geometry"] = box(*piece.centroid.buffer(0.5).bounds)
    report = validate_grids(built)
    code = built.grids.loc[first, "code"]
    assert not report["passed"]
    assert any(code in e and "more than one part" in e for e in report["errors"]), report["errors"]


def test_detached_parts_join_a_neighbour_or_stand_alone() -> None:
    # Unit 0 has a main part, a small part beside unit 1, and a big part beside unit 2.
    main, small, big = box(0, 0, 10, 10), box(20, 0, 30, 10), box(40, 0, 50, 10)
    geoms = [MultiPolygon([main, small, big]), box(10, 0, 20, 10), box(30, 0, 40, 10)]
    xy = np.array([[5, 5], [25, 5], [45, 5], [15, 5], [35, 5]], dtype=float)
    households = np.array([30, 5, 22, 25, 25])
    members = [np.array([0, 1, 2]), np.array([3]), np.array([4])]
    joined, held = join_detached_parts(geoms, members, xy, households, low=20)
    assert len(joined) == 4 and all(g.geom_type == "Polygon" for g in joined)
    assert shapely.equals(joined[0], main) and held[0].tolist() == [0]
    assert joined[1].area == pytest.approx(200.0) and sorted(held[1].tolist()) == [1, 3]
    assert shapely.equals(joined[3], big) and held[3].tolist() == [2], "20+ households: a unit"
    assert sum(households[h].sum() for h in held) == households.sum()


def test_an_empty_sliver_nothing_borders_stays_with_its_unit() -> None:
    sliver = box(50, 50, 50.5, 50.5)  # 0.25 m², an island of a grid in parts
    geoms = [MultiPolygon([box(0, 0, 10, 10), sliver]), box(10, 0, 20, 10)]
    xy, households = np.array([[5.0, 5.0], [15.0, 5.0]]), np.array([25, 25])
    joined, held = join_detached_parts(geoms, [np.array([0]), np.array([1])], xy, households, 20)
    assert len(joined) == 2 and shapely.get_num_geometries(joined[0]) == 2
    assert [h.tolist() for h in held] == [[0], [1]]


def test_village_crumbs_join_the_village_they_border() -> None:
    crumb = box(101, 0, 104, 4)  # 12 m², cut off where the neighbour was digitised apart
    exclave = box(300, 0, 400, 100)  # 10,000 m²: a real second part, kept
    villages = [MultiPolygon([box(0, 0, 100, 100), crumb, exclave]), box(104, 0, 200, 100)]
    tidy = hand_crumbs_to_neighbours(villages)
    assert shapely.get_num_geometries(tidy[0]) == 2 and tidy[0].area == pytest.approx(20_000)
    assert tidy[1].geom_type == "Polygon" and tidy[1].area == pytest.approx(9_612)


def test_sample_town_units_are_each_one_polygon() -> None:
    """The town sample county (~10 s): its build left 4 units in two parts, one 142 m apart."""
    report = prepare_boundaries([SAMPLE_TOWN], LoadOptions())
    layer = {r.role: r.accepted for r in report.layers}
    built = build_grids(
        SourceData(layer["county"].geometry.union_all(), layer["communities"],
                   layer["villages"], layer["streets"], layer["households"])
    )  # fmt: skip
    validation = validate_grids(built)
    assert validation["passed"], validation["errors"]
    assert validation["split_units"]["count"] == 0
    assert (shapely.get_num_geometries(built.level(3).geometry.to_numpy()) == 1).all()
    assert validation["households"]["share_in_bounds"] >= 0.95
