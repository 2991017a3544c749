"""The sample county as the report generator needs it: outline, households and reporters.

Everything geometric is in the CGCS2000 3-degree Gauss-Krüger zone of the county (EPSG:4549
for Zhucheng), so jitter, hotspot spread and distances outside the edge are in metres.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geogrid.errors import InputError, UnreadableFileError
from geogrid.geo.crs import projected_crs_for

REQUIRED_LAYERS = ("county", "households", "people")
REPORTER_ROLES = ("网格信息员", "网格长")  # information officers and grid leaders report
NO_ADDRESS = "本网格"  # what a text says where a household has no 地址


@dataclass(frozen=True)
class ReportCounty:
    """Outline, households and the reporter pool of a sample county, in projected metres."""

    epsg: int
    outline: shapely.Geometry
    homes_xy: np.ndarray  # (n, 2) household points
    homes_weight: np.ndarray  # 户数, at least 1
    addresses: np.ndarray  # 地址 (object), NO_ADDRESS where missing
    home_community: np.ndarray  # index into pool_start / pool_size per household
    reporters: np.ndarray  # 人员编号 (object), grouped by community
    pool_start: np.ndarray  # first reporter of each community in `reporters`
    pool_size: np.ndarray  # how many; a community without one draws from everybody

    @property
    def area_km2(self) -> float:
        """The county's area in square kilometres."""
        return float(self.outline.area) / 1e6


def read_report_county(path: Path) -> ReportCounty:
    """Read a sample county GeoPackage (county, households, people; communities if present)."""
    layers = _layer_names(path)
    county = pyogrio.read_dataframe(path, layer="county")
    if county.crs is None or county.empty:
        raise InputError(f"{path}: layer 'county' is empty or has no coordinate system")
    lonlat = county.to_crs("EPSG:4326").geometry.union_all()
    epsg = projected_crs_for(lonlat.centroid.x)
    outline = county.to_crs(epsg).geometry.union_all()
    homes = pyogrio.read_dataframe(path, layer="households").to_crs(epsg)
    if homes.empty:
        raise InputError(f"{path}: layer 'households' has no features")
    homes_xy = shapely.get_coordinates(homes.geometry.values)
    communities = (
        pyogrio.read_dataframe(path, layer="communities") if "communities" in layers else None
    )
    codes, home_community = _home_communities(homes_xy, communities, epsg)
    people = pyogrio.read_dataframe(path, layer="people", read_geometry=False)
    reporters, pool_start, pool_size = _reporter_pool(people, codes, path)
    return ReportCounty(
        epsg=epsg,
        outline=outline,
        homes_xy=homes_xy,
        homes_weight=_household_weights(homes),
        addresses=_addresses(homes),
        home_community=home_community,
        reporters=reporters,
        pool_start=pool_start,
        pool_size=pool_size,
    )


def pick_reporters(rng: np.random.Generator, county: ReportCounty, home: np.ndarray) -> np.ndarray:
    """A reporter (人员编号) for each report, from the community of its household."""
    community = county.home_community[home]
    pick = (rng.random(len(home)) * county.pool_size[community]).astype(np.int64)
    return county.reporters[county.pool_start[community] + pick]


def _layer_names(path: Path) -> set[str]:
    """The file's layer names; every required one must be there."""
    try:
        names = {str(name) for name in pyogrio.list_layers(path)[:, 0]}
    except Exception as error:  # pyogrio raises several DataSource errors, all mean "unreadable"
        raise UnreadableFileError(f"{path}: cannot be opened as a GeoPackage ({error})") from None
    missing = [name for name in REQUIRED_LAYERS if name not in names]
    if missing:
        raise UnreadableFileError(f"{path}: layers {', '.join(missing)} are missing")
    return names


def _household_weights(homes: pd.DataFrame) -> np.ndarray:
    """户数 per point (a building of flats counts once per household), at least 1."""
    if "户数" not in homes.columns:
        return np.ones(len(homes))
    counts = pd.to_numeric(homes["户数"], errors="coerce").fillna(1).to_numpy(dtype=np.float64)
    return np.maximum(counts, 1.0)


def _addresses(homes: pd.DataFrame) -> np.ndarray:
    """地址 per household as Python strings, NO_ADDRESS where there is none."""
    if "地址" not in homes.columns:
        return np.full(len(homes), NO_ADDRESS, dtype=object)
    text = homes["地址"].astype(object).where(homes["地址"].notna(), "")
    values = np.asarray([str(value).strip() for value in text], dtype=object)
    values[values == ""] = NO_ADDRESS
    return values


def _home_communities(
    homes_xy: np.ndarray, communities: gpd.GeoDataFrame | None, epsg: int
) -> tuple[list[str], np.ndarray]:
    """Community codes and each household's community index (the one it lies in, or nearest)."""
    if communities is None or communities.empty or "社区代码" not in communities.columns:
        return [], np.zeros(len(homes_xy), dtype=np.int64)
    polygons = communities.to_crs(epsg).geometry.values
    tree = shapely.STRtree(polygons)
    points = shapely.points(homes_xy)
    home, polygon = tree.query(points, predicate="within")
    found = np.full(len(homes_xy), -1, dtype=np.int64)
    first = np.unique(home, return_index=True)[1]  # on a shared edge the first community wins
    found[home[first]] = polygon[first]
    # Digitising noise leaves hairline gaps between communities: take the nearest there.
    lost = np.flatnonzero(found < 0)
    if len(lost):
        where, nearest = tree.query_nearest(points[lost], all_matches=False)
        found[lost[where]] = nearest
    return [str(code) for code in communities["社区代码"]], found


def _reporter_pool(
    people: pd.DataFrame, codes: list[str], path: Path
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reporters grouped by community, with each community's slice of them."""
    if "人员编号" not in people.columns or "角色" not in people.columns:
        raise InputError(f"{path}: layer 'people' needs the fields 人员编号 and 角色")
    staff = people[people["角色"].isin(REPORTER_ROLES)]
    if staff.empty:
        raise InputError(f"{path}: no person has the role {' or '.join(REPORTER_ROLES)}")
    index = {code: i for i, code in enumerate(codes)}
    home_codes = (
        staff["社区代码"] if "社区代码" in staff.columns else pd.Series("", index=staff.index)
    )
    community = np.asarray([index.get(str(code), len(codes)) for code in home_codes])
    order = np.argsort(community, kind="stable")
    reporters = staff["人员编号"].astype(str).to_numpy(dtype=object)[order]
    size = np.bincount(community, minlength=len(codes) + 1)[: max(len(codes), 1)]
    start = np.concatenate([[0], np.cumsum(size)[:-1]])
    if not codes:
        size = np.array([len(reporters)])
    # A community nobody reports for still gets reports: anyone in the county files them.
    start = np.where(size > 0, start, 0)
    size = np.where(size > 0, size, len(reporters))
    return reporters, start.astype(np.int64), size.astype(np.int64)
