"""Administrative attributes: towns/streets (镇街), community codes and names, police stations.

Codes follow the national pattern: '370782' (county) + 3-digit town/street + 3-digit
community (+ 3-digit village). Station codes are '370782P' + 2 digits, numbered in town order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from geogrid.sample.names import urban_community_bases
from geogrid.sample.scales import COUNTY_CODE, TOWN_CODES, ScaleSpec

BAND_M = 2_000.0  # communities are numbered north to south in bands this tall, west to east


@dataclass
class Station:
    """A police station (派出所) and the communities in its jurisdiction (indices)."""

    code: str
    name: str
    town: str
    communities: list[int]


def assign_towns(spec: ScaleSpec, polygons: np.ndarray, urban: np.ndarray) -> np.ndarray:
    """The town/street of every community: core columns by street, the rest by nearest seat."""
    xy = shapely.get_coordinates(shapely.point_on_surface(polygons))
    towns = np.empty(len(polygons), dtype=object)
    columns = np.arange(int(urban.sum())) % spec.core_cols
    towns[urban] = [spec.urban_towns[c * len(spec.urban_towns) // spec.core_cols] for c in columns]
    seats = [xy[urban][towns[urban] == town].mean(axis=0) for town in spec.urban_towns]
    others = [town for town in spec.towns if town not in spec.urban_towns]
    rural_xy = xy[~urban]
    for _ in others:  # farthest-point seats: towns spread over the county
        seats.append(rural_xy[int(np.argmax(_distances(rural_xy, seats).min(axis=0)))])
    seats = _balanced_seats(rural_xy, np.array(seats), fixed=len(spec.urban_towns))
    seat_towns = np.array(list(spec.urban_towns) + others, dtype=object)
    towns[~urban] = seat_towns[np.argmin(_distances(rural_xy, seats), axis=0)]
    return towns


def _distances(xy: np.ndarray, seats) -> np.ndarray:
    """Distance from every seat (rows) to every point (columns)."""
    return np.hypot(*(xy[None, :, :] - np.asarray(seats)[:, None, :]).transpose(2, 0, 1))


def _balanced_seats(xy: np.ndarray, seats: np.ndarray, fixed: int) -> np.ndarray:
    """A few k-means rounds on the seats after the first `fixed`, so towns even out in size."""
    for _ in range(8):
        nearest = np.argmin(_distances(xy, seats), axis=0)
        moved = seats.copy()
        for k in range(fixed, len(seats)):
            if not (nearest == k).any():
                return seats  # a town would lose every community: stop here
            moved[k] = xy[nearest == k].mean(axis=0)
        seats = moved
    return seats


def community_order_and_codes(
    polygons: np.ndarray, urban: np.ndarray, towns: np.ndarray
) -> tuple[np.ndarray, list[str]]:
    """An order of the communities by code, and their codes in that order."""
    xy = shapely.get_coordinates(shapely.point_on_surface(polygons))
    town_codes = np.array([TOWN_CODES[t] for t in towns])
    band = -np.floor(xy[:, 1] / BAND_M)
    order = np.lexsort((xy[:, 0], band, ~urban, town_codes))
    codes, seen = [], {}
    for i in order:
        seen[towns[i]] = seen.get(towns[i], 0) + 1
        codes.append(f"{COUNTY_CODE}{TOWN_CODES[towns[i]]}{seen[towns[i]]:03d}")
    return order, codes


def community_names(
    rng: np.random.Generator,
    towns: np.ndarray,
    urban: np.ndarray,
    seat_villages: dict[int, str],
) -> list[str]:
    """'密州街道和平社区' in town; '龙都街道王家庄社区' (its biggest village) in the country."""
    bases = iter(urban_community_bases(rng, int(urban.sum())))
    return [
        f"{town}{next(bases) if is_urban else seat_villages[i]}社区"
        for i, (town, is_urban) in enumerate(zip(towns, urban, strict=True))
    ]


def police_stations(spec: ScaleSpec, polygons: np.ndarray, towns: np.ndarray) -> list[Station]:
    """One station per town; a town with a second station splits west/east between them."""
    x = shapely.get_coordinates(shapely.point_on_surface(polygons))[:, 0]
    extra = dict(spec.extra_stations)
    stations: list[Station] = []
    for town in sorted(set(towns.tolist()), key=TOWN_CODES.__getitem__):
        members = np.flatnonzero(towns == town)
        groups = [members]
        if town in extra and len(members) > 1:
            by_x = members[np.argsort(x[members], kind="stable")]
            groups = [np.sort(by_x[: len(by_x) // 2]), np.sort(by_x[len(by_x) // 2 :])]
        names = [_station_name(town), extra.get(town, "")]
        for group, name in zip(groups, names, strict=False):
            code = f"{COUNTY_CODE}P{len(stations) + 1:02d}"
            stations.append(Station(code, name, town, group.tolist()))
    return stations


def station_of_community(stations: list[Station], count: int) -> list[str]:
    """The station code responsible for each community."""
    codes = [""] * count
    for station in stations:
        for i in station.communities:
            codes[i] = station.code
    return codes


def station_phone(index: int) -> str:
    """A fake landline: Weifang's area code and a local number starting with 1 (never issued)."""
    return f"0536-100{index:05d}"


def _station_name(town: str) -> str:
    return town.removesuffix("街道").removesuffix("镇") + "派出所"
