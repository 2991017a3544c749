"""Where people live: building points in town blocks, one point per household in villages."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely import Geometry

from geogrid.sample.partition import apportion

STREET_SETBACK_M = 6.0  # town buildings stand at least this far from any street line
VILLAGE_SPREAD_M = (15.0, 6.0)  # spread of a village's houses: a + b * sqrt(households)
HOUSE_MARGIN_M = 2.0  # houses stay this far inside their village's edge
VILLAGE_REACH = 2.5  # no house further out than this many spreads from the village centre


@dataclass
class Households:
    """Household points in projected metres with their 户数, 人口 and 地址."""

    xy: np.ndarray
    households: np.ndarray
    residents: np.ndarray
    addresses: np.ndarray


def village_sizes(rng: np.random.Generator, land: np.ndarray, total: int) -> np.ndarray:
    """Households per village: log-normal, bigger on more land, summing exactly to `total`."""
    count = len(land)
    raw = np.sort(np.maximum(rng.lognormal(0.0, 0.55, count), 0.15))[::-1]
    by_land = np.argsort(-land * rng.lognormal(0.0, 0.5, count), kind="stable")
    weights = np.empty(count)
    weights[by_land] = raw
    return apportion(total, weights, minimum=min(10, total // count))


def building_sizes(rng: np.random.Generator, total: int) -> np.ndarray:
    """户数 per town building: houses (1-11), apartment units (12-60), big blocks (150-320)."""
    count = int(total / 8) + 32
    draw = rng.random(count)
    houses = np.minimum(rng.geometric(0.3, count), 11)
    units = rng.integers(12, 61, count)
    blocks = rng.integers(150, 321, count)
    sizes = np.where(draw < 0.68, houses, np.where(draw < 0.97, units, blocks))
    sizes[0] = blocks[0]  # every town has at least one big block
    cumulative = np.cumsum(sizes)
    last = int(np.searchsorted(cumulative, total))
    if last >= count:
        raise RuntimeError(f"{count} buildings cannot hold {total} households")
    sizes = sizes[: last + 1].copy()
    sizes[-1] = total - (cumulative[last - 1] if last else 0)
    return sizes


def points_off_streets(
    rng: np.random.Generator,
    area: Geometry,
    streets: np.ndarray,
    count: int,
    centre: np.ndarray | None = None,
) -> np.ndarray:
    """`count` points in `area`, each at least STREET_SETBACK_M from every street line.

    With a `centre`, points thin out away from it (the old town is the densest part).
    """
    shapely.prepare(area)
    tree = shapely.STRtree(streets)
    xmin, ymin, xmax, ymax = area.bounds
    reach = 0.5 * np.hypot(xmax - xmin, ymax - ymin)
    found, have = [], 0
    while have < count:
        xy = rng.uniform((xmin, ymin), (xmax, ymax), size=(2 * (count - have) + 64, 2))
        keep = shapely.contains_xy(area, xy[:, 0], xy[:, 1])
        if centre is not None:
            distance = np.hypot(*(xy - centre).T) / reach
            keep &= rng.random(len(xy)) < 0.3 + 0.7 * np.exp(-4.0 * distance**2)
        near = tree.query(shapely.points(xy), predicate="dwithin", distance=STREET_SETBACK_M)[0]
        keep[near] = False
        found.append(xy[keep])
        have += int(keep.sum())
    return np.concatenate(found)[:count]


def town_households(
    rng: np.random.Generator,
    core: Geometry,
    streets: np.ndarray,
    street_names: list[str],
    total: int,
    centre: np.ndarray,
) -> Households:
    """Buildings in the town core's blocks holding `total` households in all."""
    sizes = building_sizes(rng, total)
    xy = points_off_streets(rng, core, streets, len(sizes), centre)
    residents = np.maximum(sizes, np.rint(sizes * rng.uniform(2.5, 3.5, len(sizes))))
    return Households(
        xy,
        sizes,
        residents.astype(np.int64),
        _town_addresses(rng, xy, sizes, streets, street_names),
    )


def _town_addresses(
    rng: np.random.Generator,
    xy: np.ndarray,
    sizes: np.ndarray,
    streets: np.ndarray,
    street_names: list[str],
) -> np.ndarray:
    """'人民路35号' for a house, '人民路35号3单元' for an apartment unit: the nearest street."""
    points = shapely.points(xy)
    nearest = shapely.STRtree(streets).query_nearest(points, all_matches=False)[1]
    doors = 1 + (shapely.line_locate_point(streets[nearest], points) // 10).astype(np.int64)
    units = rng.integers(1, 7, len(sizes))
    names = np.asarray(street_names, dtype=object)[nearest]
    return np.array(
        [
            f"{name}{door}号{unit}单元" if 12 <= size < 100 else f"{name}{door}号"
            for name, door, unit, size in zip(names, doors, units, sizes, strict=True)
        ],
        dtype=object,
    )


def village_households(
    rng: np.random.Generator,
    polygons: np.ndarray,
    centres: np.ndarray,
    sizes: np.ndarray,
    names: list[str],
) -> Households:
    """One point per household, clustered around each village centre, inside its village."""
    village = np.repeat(np.arange(len(sizes)), sizes)
    spread = VILLAGE_SPREAD_M[0] + VILLAGE_SPREAD_M[1] * np.sqrt(sizes)
    stretch = rng.uniform(1.0, 1.8, len(sizes))
    angle = rng.uniform(0.0, np.pi, len(sizes))
    offsets = _cluster_offsets(rng, spread[village], stretch[village], angle[village])
    inner = shapely.buffer(polygons, -HOUSE_MARGIN_M)  # clear of the village's traced edge
    inner = np.where(shapely.contains_xy(inner, centres[:, 0], centres[:, 1]), inner, polygons)
    shapely.prepare(inner)
    xy = _keep_inside(inner[village], centres[village], offsets)
    residents = 1 + rng.binomial(5, 0.36, len(village))
    axis = np.column_stack([np.cos(angle), np.sin(angle)])[village]
    along = ((xy - centres[village]) * axis).sum(axis=1)
    doors = _rank_within(village, along) + 1
    addresses = np.asarray(names, dtype=object)[village] + doors.astype(str).astype(object) + "号"
    ones = np.ones(len(village), dtype=np.int64)
    return Households(xy, ones, residents.astype(np.int64), addresses)


def _cluster_offsets(
    rng: np.random.Generator, spread: np.ndarray, stretch: np.ndarray, angle: np.ndarray
) -> np.ndarray:
    """Gaussian offsets cut off at VILLAGE_REACH spreads, stretched along each village's axis."""
    count = len(spread)
    tail = 1.0 - np.exp(-(VILLAGE_REACH**2) / 2.0)
    radius = spread * np.sqrt(-2.0 * np.log1p(-rng.random(count) * tail))
    theta = rng.uniform(0.0, 2.0 * np.pi, count)
    du, dv = radius * np.cos(theta) * stretch, radius * np.sin(theta) / stretch
    cos, sin = np.cos(angle), np.sin(angle)
    return np.column_stack([du * cos - dv * sin, du * sin + dv * cos])


def _keep_inside(polygons: np.ndarray, centres: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Pull houses that fell outside their village towards its centre until they are inside."""
    xy = centres + offsets
    outside = ~shapely.contains_xy(polygons, xy[:, 0], xy[:, 1])
    for _ in range(12):
        if not outside.any():
            break
        offsets[outside] *= 0.6
        xy[outside] = centres[outside] + offsets[outside]
        outside[outside] = ~shapely.contains_xy(polygons[outside], xy[outside, 0], xy[outside, 1])
    xy[outside] = centres[outside]
    return xy


def _rank_within(group: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Rank (0-based) of each item by `key` inside its group; groups are consecutive runs."""
    order = np.lexsort((key, group))
    starts = np.searchsorted(group[order], group[order], side="left")
    rank = np.empty(len(group), dtype=np.int64)
    rank[order] = np.arange(len(group)) - starts
    return rank
