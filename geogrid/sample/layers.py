"""The layers of the delivered file, with the Chinese field names a county office uses.

| layer       | fields                                                           |
| ----------- | ---------------------------------------------------------------- |
| county      | 行政区划代码, 名称                                                 |
| communities | 社区代码, 社区名称, 类型 (城市/农村), 镇街, 派出所代码               |
| villages    | 村代码, 村名, 社区代码                                             |
| streets     | 街路巷名, 类型 (路/街/巷)                                          |
| households  | 户数, 人口, 地址                                                   |
| stations    | 派出所代码, 派出所名称, 电话                                        |
| people      | 人员编号, 姓名, 性别, 年龄, 电话, 角色, 社区代码, 派出所代码, 政审状态 |
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import Geometry

from geogrid.sample.admin import Station, station_of_community, station_phone
from geogrid.sample.households import Households
from geogrid.sample.output import OUTPUT_CRS, to_wgs84, with_digitising_noise
from geogrid.sample.scales import COUNTY_CODE, ScaleSpec
from geogrid.sample.town import TownCore

LAYER_NAMES = ("county", "communities", "villages", "streets", "households", "stations", "people")


@dataclass
class Communities:
    """Communities in code order (projected metres) with their attributes."""

    polygons: np.ndarray
    urban: np.ndarray
    towns: np.ndarray
    codes: list[str]
    names: list[str]
    stations: list[Station]


@dataclass
class VillageSet:
    """Natural villages in code order: shapes, centres, community index, codes, names, sizes."""

    polygons: np.ndarray
    centres: np.ndarray
    community: np.ndarray
    codes: list[str]
    names: list[str]
    sizes: np.ndarray  # households


def sample_layers(
    rng: np.random.Generator,
    spec: ScaleSpec,
    county: Geometry,
    communities: Communities,
    villages: VillageSet,
    core: TownCore,
    homes: Households,
    stations_xy: np.ndarray,
    people: pd.DataFrame,
) -> dict[str, pd.DataFrame]:
    """Every layer in WGS-84, by layer name, in the order they are written."""
    return {
        "county": _features({"行政区划代码": [COUNTY_CODE], "名称": [spec.label]}, [county]),
        "communities": _community_layer(communities),
        "villages": _features(
            {
                "村代码": villages.codes,
                "村名": villages.names,
                "社区代码": [communities.codes[c] for c in villages.community],
            },
            with_digitising_noise(rng, villages.polygons),
        ),
        "streets": _street_layer(core, county),
        "households": _features(
            {
                "户数": homes.households.astype(np.int32),
                "人口": homes.residents.astype(np.int32),
                "地址": homes.addresses,
            },
            shapely.points(homes.xy),
        ),
        "stations": _features(
            {
                "派出所代码": [s.code for s in communities.stations],
                "派出所名称": [s.name for s in communities.stations],
                "电话": [station_phone(i + 1) for i in range(len(communities.stations))],
            },
            shapely.points(stations_xy),
        ),
        "people": people,
    }


def _community_layer(communities: Communities) -> gpd.GeoDataFrame:
    return _features(
        {
            "社区代码": communities.codes,
            "社区名称": communities.names,
            "类型": np.where(communities.urban, "城市", "农村").astype(object),
            "镇街": communities.towns,
            "派出所代码": station_of_community(communities.stations, len(communities.codes)),
        },
        communities.polygons,
    )


def _street_layer(core: TownCore, county: Geometry) -> gpd.GeoDataFrame:
    """Streets inside the county (a road reaching past the outline is cut at it)."""
    lines = core.streets.copy()
    outside = ~shapely.within(lines, county)
    lines[outside] = shapely.intersection(lines[outside], county)
    parts, index = shapely.get_parts(lines, return_index=True)
    keep = (shapely.get_type_id(parts) == 1) & (shapely.length(parts) > 1.0)
    names = np.asarray(core.street_names, dtype=object)[index[keep]]
    kinds = np.asarray(core.street_kinds, dtype=object)[index[keep]]
    return _features({"街路巷名": names, "类型": kinds}, parts[keep])


def _features(columns: dict, geometries) -> gpd.GeoDataFrame:
    """A frame of the columns, with the projected geometries in WGS-84 at 7 decimals."""
    lonlat = to_wgs84(np.asarray(geometries, dtype=object))
    return gpd.GeoDataFrame(pd.DataFrame(columns), geometry=lonlat, crs=OUTPUT_CRS)
