"""Building the three levels on the hand-drawn county: valid, nested, sized, stable codes."""

from __future__ import annotations

import numpy as np
import pytest

from geogrid.building.build import build_grids
from geogrid.building.codes import geometry_key
from geogrid.building.validate import validate_grids
from tests.building import handdrawn


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


def test_every_household_is_in_exactly_one_unit(built) -> None:
    assert (built.household_unit != "").all()
    units = built.level(3)
    total_by_unit = units.set_index("code")["households"]
    counted = {}
    for code, weight in zip(built.household_unit, built.household_weight, strict=True):
        counted[code] = counted.get(code, 0) + int(weight)
    assert counted == total_by_unit[total_by_unit > 0].to_dict()
    assert units["households"].sum() == built.household_weight.sum()


def test_codes_nest_and_follow_the_convention(built) -> None:
    level1, level2, level3 = built.level(1), built.level(2), built.level(3)
    assert set(level1["code"]) == {"370782001001", "370782101001"}
    assert all(len(c) == 15 for c in level2["code"]) and all(len(c) == 18 for c in level3["code"])
    assert all(c[:12] in set(level1["code"]) for c in level2["code"])
    assert all(c[:15] in set(level2["code"]) for c in level3["code"])
    assert set(level2[level2["kind"] == "rural_village"]["name"]) == {"王家庄", "李家村", "小河头"}


def test_small_village_is_one_unit_and_big_block_its_own(built) -> None:
    grids = built.level(2).set_index("name")
    small = grids.loc["小河头", "code"]
    assert (built.level(3)["parent_code"] == small).sum() == 1
    sizes = built.level(3)["households"].to_numpy()
    assert (sizes >= 1000).sum() == 1, "the apartment block cannot be split"
    normal = sizes[(sizes < 1000) & (sizes > 5)]
    assert np.mean((normal >= 20) & (normal <= 40)) >= 0.8


def test_slivers_and_overlaps_were_snapped_and_reported(built) -> None:
    quiet = [i for i in built.issues if i.severity == "info"]
    assert any("gap" in i.message for i in quiet) and any("overlap" in i.message for i in quiet)
    assert built.errors == []


def test_codes_are_stable_across_rebuilds(built) -> None:
    again = build_grids(handdrawn.source_data())
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
