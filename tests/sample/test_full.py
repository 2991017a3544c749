"""The full-scale county: Zhucheng's counts, within the time budget."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import shapely

from geogrid.sample import generate_sample_county
from tests.sample.conftest import read_sample

UNITS, HOUSEHOLDS_PER_UNIT = 7_236, 30


@pytest.mark.slow
def test_full_scale_has_zhuchengs_counts(tmp_path: Path, outline) -> None:
    started = time.perf_counter()
    summary = generate_sample_county(outline, "full", 2026, tmp_path / "full.gpkg")
    assert time.perf_counter() - started < 60.0
    layers = read_sample(tmp_path / "full.gpkg")
    communities, villages = layers["communities"], layers["villages"]
    households, people = layers["households"], layers["people"]
    assert len(communities) == 235 and len(villages) == 1_338
    assert 15 <= (communities["类型"] == "城市").sum() <= 20
    assert communities["镇街"].nunique() == 13 and len(layers["stations"]) == 15
    total = households["户数"].sum()
    assert abs(total - UNITS * HOUSEHOLDS_PER_UNIT) <= 0.02 * UNITS * HOUSEHOLDS_PER_UNIT
    town = shapely.union_all(communities.geometry[communities["类型"] == "城市"].values)
    in_villages = households["户数"][~shapely.within(households.geometry.values, town)].sum()
    assert 0.6 <= in_villages / total <= 0.7
    roles = people["角色"].value_counts()
    assert roles["网格长"] == 1_377 and roles["网格信息员"] == UNITS
    assert 235 / 3 <= roles["社区民警"] <= 235 / 2
    assert 45 <= people["年龄"].mean() <= 49
    assert 6 <= people["年龄"].std() <= 10
    mean_age = people.groupby("角色")["年龄"].mean()
    assert mean_age["网格长"] > mean_age["网格信息员"]
    county = layers["county"].geometry.iloc[0]
    union = shapely.union_all(communities.geometry.values)
    assert abs(union.area - county.area) / county.area < 1e-6
    assert summary.counts["villages"] == 1_338 and 2_000 < summary.area_km2 < 2_300
