"""Building the three levels on the hand-drawn county: valid, nested, sized, stable codes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

from geogrid.building.build import SourceData, build_grids
from geogrid.building.codes import geometry_key
from geogrid.building.counting import counting_points, grid_streets, unit_of_points
from geogrid.building.validate import validate_grids
from geogrid.inputs.load import LoadOptions, prepare_boundaries
from tests.building import handdrawn

SAMPLE_TINY = Path(__file__).parents[2] / "boundaries" / "sample" / "zhucheng_tiny.gpkg"


@pytest.fixture(scope="module")
def built():
    return build_grids(handdrawn.source_data())


def test_build_passes_validation(built) -> None:
    report = validate_grids(built)
    assert report["errors"] == []
    assert report["passed"]
    for level in ("1", "2", "3"):
        coverage = report["levels"][level]["coverage"]
        assert coverage["gap_m2"] <= 1.0 and coverage["overlap_m2"] <= 1.0, (level, coverage)
    assert report["nesting"]["outside_parent_count"] == 0


def _units_of_counting_points(built):
    """The counting points (big buildings as entrances) and the unit each lies in."""
    level2, units = built.level(2), built.level(3)
    grids = list(level2.geometry)
    counted = counting_points(
        grids, list(level2["code"]), grid_streets(grids, list(level2["kind"]), built.streets),
        built.household_xy, built.household_weight, target=30, high=40,
    )  # fmt: skip
    grid_of = {code: i for i, code in enumerate(level2["code"])}
    unit_grid = np.array([grid_of[c] for c in units["parent_code"]])
    expected = units["households"].to_numpy()
    return counted, unit_of_points(counted, list(units.geometry), unit_grid, expected)


def test_every_household_is_in_exactly_one_unit(built) -> None:
    counted, unit_of = _units_of_counting_points(built)
    assert (unit_of >= 0).all()
    units = built.level(3)
    inside = shapely.covers(units.geometry.to_numpy()[unit_of], shapely.points(counted.xy))
    assert inside.all(), "each counting point lies in the unit it is counted in"
    recount = np.bincount(unit_of, counted.households, minlength=len(units))
    assert recount.tolist() == units["households"].tolist()
    per_row = np.bincount(counted.row, counted.households, minlength=len(built.household_weight))
    assert per_row.tolist() == built.household_weight.tolist(), "no household lost or doubled"
    assert units["households"].sum() == built.household_weight.sum()


def test_codes_nest_and_follow_the_convention(built) -> None:
    level1, level2, level3 = built.level(1), built.level(2), built.level(3)
    assert set(level1["code"]) == {"370782001001", "370782101001"}
    assert all(len(c) == 15 for c in level2["code"]) and all(len(c) == 18 for c in level3["code"])
    assert all(c[:12] in set(level1["code"]) for c in level2["code"])
    assert all(c[:15] in set(level2["code"]) for c in level3["code"])
    assert set(level2[level2["kind"] == "rural_village"]["name"]) == {"王家庄", "李家村", "小河头"}


def test_small_village_is_one_unit(built) -> None:
    grids = built.level(2).set_index("name")
    small = grids.loc["小河头", "code"]
    assert (built.level(3)["parent_code"] == small).sum() == 1


def test_apartment_block_of_1000_households_at_one_point_is_cut_at_its_entrances(built) -> None:
    # The town's block (1,000 households at one point) becomes 33 entrances of 30 or 31.
    counted, unit_of = _units_of_counting_points(built)
    block = np.flatnonzero(counted.row == np.flatnonzero(built.household_weight == 1000)[0])
    assert len(block) == 33 and counted.households[block].sum() == 1000
    assert set(counted.households[block].tolist()) == {30, 31}
    town = built.level(2).iloc[counted.grid[block[0]]].geometry
    clear = shapely.union(
        town.boundary, shapely.union_all(handdrawn.streets().to_crs(4549).geometry)
    )
    assert (shapely.distance(clear, shapely.points(counted.xy[block])) >= 1.0).all()
    sizes = built.level(3)["households"].to_numpy()[np.unique(unit_of[block])]
    assert len(sizes) >= 30, "the block is spread over many units, not one"
    assert ((sizes >= 20) & (sizes <= 40)).sum() >= 30
    in_town = (built.level(3)["parent_code"].str[:12] == "370782001001").to_numpy()
    town_sizes = built.level(3)["households"].to_numpy()[in_town]
    assert np.mean((town_sizes >= 20) & (town_sizes <= 40)) >= 0.9
    assert not [i for i in built.issues if "no room" in i.message]


def test_slivers_and_overlaps_were_snapped_and_reported(built) -> None:
    quiet = [i for i in built.issues if i.severity == "info"]
    assert any("gap" in i.message for i in quiet) and any("overlap" in i.message for i in quiet)
    assert built.errors == []


def test_codes_are_stable_across_rebuilds(built) -> None:
    again = build_grids(handdrawn.source_data())
    assert list(again.grids["code"]) == list(built.grids["code"])
    # With the stored codes as the previous version (小河头 and its one unit share a key).
    again = build_grids(handdrawn.source_data(), previous=_stored_codes(built))
    assert list(again.grids["code"]) == list(built.grids["code"])
    previous = {geometry_key(g): c for g, c in zip(built.grids.to_crs(4326).geometry,
                                                    built.grids["code"], strict=True)}  # fmt: skip
    moved = build_grids(handdrawn.source_data(shift=0.001), previous=previous)
    old = built.level(2).set_index("name")["code"]
    new = moved.level(2).set_index("name")["code"]
    assert new["王家庄"] == old["王家庄"], "an unchanged village keeps its code"
    town_old = set(built.level(2)[built.level(2)["kind"] == "urban_block"]["code"])
    town_new = set(moved.level(2)[moved.level(2)["kind"] == "urban_block"]["code"])
    assert town_old == town_new


def test_large_gap_between_communities_fails_the_build() -> None:
    from shapely.geometry import box

    sources = handdrawn.source_data()
    x0, y0 = handdrawn.X0, handdrawn.Y0
    sources.communities.loc[0, "geometry"] = box(x0, y0, x0 + 0.019, y0 + 0.02)  # 90 m short
    broken = build_grids(sources)
    assert broken.errors and "gap of" in broken.errors[0].message
    assert not validate_grids(broken)["passed"]


def _tiny_sample() -> SourceData:
    """The committed tiny sample county, read through the intake as a user's file is."""
    report = prepare_boundaries([SAMPLE_TINY], LoadOptions())
    layer = {r.role: r.accepted for r in report.layers}
    return SourceData(layer["county"].geometry.union_all(), layer["communities"],
                      layer["villages"], layer["streets"], layer["households"])  # fmt: skip


def _stored_codes(built) -> dict[str, str]:
    """geometry key -> code as the store gives them back: WGS-84, through WKB."""
    wgs84 = shapely.from_wkb(shapely.to_wkb(built.grids.to_crs(4326).geometry.to_numpy()))
    return {geometry_key(g): code for g, code in zip(wgs84, built.grids["code"], strict=True)}


def test_tiny_sample_county_builds_within_bounds_and_keeps_every_code_on_a_rebuild() -> None:
    sources = _tiny_sample()
    first = build_grids(sources)
    report = validate_grids(first)
    assert report["passed"], report["errors"]
    assert report["households"]["share_in_bounds"] >= 0.95
    assert report["households"]["units_miscounted"] == 0
    again = build_grids(sources, previous=_stored_codes(first))
    assert list(again.grids["code"]) == list(first.grids["code"])
    geoms = [shapely.to_wkb(g.geometry.to_numpy()) for g in (first.grids, again.grids)]
    assert (geoms[0] == geoms[1]).all(), "same input, same grids"
