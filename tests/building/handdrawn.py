"""A hand-drawn county near Zhucheng: one town community cut by streets, one rural one.

Coordinates are WGS-84 lon/lat; 0.01° is about 900 m east-west and 1,110 m north-south here.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import LineString, box

from geogrid.building.build import SourceData

X0, Y0 = 119.40, 36.00
COUNTY = box(X0, Y0, X0 + 0.04, Y0 + 0.02)
TOWN = box(X0, Y0, X0 + 0.02, Y0 + 0.02)
RURAL = box(X0 + 0.02, Y0, X0 + 0.04, Y0 + 0.02)


def _frame(rows: list[dict], geometries: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry=geometries, crs="EPSG:4326")


def communities() -> gpd.GeoDataFrame:
    """The town community overlaps the rural one by ~0.3 m: digitising noise, snapped."""
    rows = [
        {"code": "370782001001", "name": "和平社区", "kind": "urban", "town": "密州街道",
         "station_code": "P1"},
        {"code": "370782101001", "name": "王家庄社区", "kind": "rural", "town": "枳沟镇",
         "station_code": "P2"},
    ]  # fmt: skip
    return _frame(rows, [box(X0, Y0, X0 + 0.020003, Y0 + 0.02), RURAL])


def villages(shift: float = 0.0) -> gpd.GeoDataFrame:
    """Three villages: a 0.5 m sliver gap between the first two, a small overlap after."""
    cut1, cut2 = X0 + 0.027, X0 + 0.034 + shift
    geoms = [box(X0 + 0.02, Y0, cut1 - 0.000005, Y0 + 0.02),  # ~0.5 m short of the next
             box(cut1, Y0, cut2 + 0.000004, Y0 + 0.02),  # overlaps the third by ~0.4 m
             box(cut2, Y0, X0 + 0.04, Y0 + 0.02)]  # fmt: skip
    rows = [{"code": f"370782101001{i:03d}", "name": n, "community_code": "370782101001"}
            for i, n in enumerate(["王家庄", "李家村", "小河头"], start=1)]  # fmt: skip
    return _frame(rows, geoms)


def streets() -> gpd.GeoDataFrame:
    """Long roads not split at crossings, and an alley that stops 5 m short of a road."""
    lines = [
        LineString([(X0 - 0.001, Y0 + 0.01), (X0 + 0.021, Y0 + 0.01)]),  # 人民路, crosses all
        LineString([(X0 + 0.007, Y0 - 0.001), (X0 + 0.007, Y0 + 0.021)]),
        LineString([(X0 + 0.014, Y0 - 0.001), (X0 + 0.014, Y0 + 0.021)]),
        LineString([(X0 + 0.007, Y0 + 0.015), (X0 + 0.01395, Y0 + 0.015)]),  # alley, dangle
    ]
    rows = [{"name": n, "kind": k} for n, k in
            [("人民路", "路"), ("和平街", "街"), ("兴华路", "路"), ("东关巷", "巷")]]  # fmt: skip
    return _frame(rows, lines)


def households(seed: int = 7) -> gpd.GeoDataFrame:
    """Town buildings of 1-40 households, one 1,000-household block; village houses."""
    rng = np.random.default_rng(seed)
    town_xy = np.column_stack([rng.uniform(X0 + 0.0005, X0 + 0.0195, 150),
                               rng.uniform(Y0 + 0.0005, Y0 + 0.0195, 150)])  # fmt: skip
    town_w = rng.integers(1, 41, 150)
    block = np.array([[X0 + 0.003, Y0 + 0.004]])
    parts = [(town_xy, town_w), (block, np.array([1000]))]
    for cx, n in ((X0 + 0.0235, 180), (X0 + 0.0305, 95), (X0 + 0.037, 5)):
        xy = np.column_stack([rng.normal(cx, 0.0008, n), rng.normal(Y0 + 0.01, 0.0015, n)])
        parts.append((xy, np.ones(n, dtype=int)))
    xy = np.vstack([p[0] for p in parts])
    weights = np.concatenate([p[1] for p in parts])
    rows = [{"households": int(w), "residents": int(w) * 3, "address": ""} for w in weights]
    return _frame(rows, list(shapely.points(xy)))


def source_data(**village_options) -> SourceData:
    """All inputs together, as the builder takes them."""
    return SourceData(COUNTY, communities(), villages(**village_options), streets(), households())
