"""Where sample reports lie: at households, around hotspots, just or far outside the county.

All in projected metres. Ordinary reports sit a few metres from a household drawn by its
户数; hazards and incidents mostly gather around a few hotspots, so a heatmap shows them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from geogrid.sample.reports_county import ReportCounty

JITTER_M = 5.0  # a phone's fix around a doorstep
HOTSPOT_SPREAD_M = 200.0  # one standard deviation around a hotspot
HOTSPOT_SHARE = 0.8  # of a clustered category's reports; the rest lie like ordinary ones
HOTSPOT_EDGE_M = 500.0  # hotspots lie this far inside the edge, so their spread stays inside
HOTSPOT_SEPARATION_M = 1_000.0  # between hotspots of one heatmap, so each shows on its own
# A hotspot must stand out from where everybody reports anyway: at most this share of the
# county's households live within HOTSPOT_LOCAL_M of it (a small county's town core holds
# a third of them; there, any category looks clustered).
HOTSPOT_LOCAL_M = 500.0
HOTSPOT_LOCAL_SHARE = 0.06
HOTSPOT_CANDIDATES = 5_000  # households tried before the rules are given up
# Hazards and incidents concentrate on few places: the k-th hotspot gets about 1/k of the
# hottest one's reports (Zipf-like), each weight jittered by this uniform factor.
HOTSPOT_JITTER = (0.8, 1.2)
# Distances outside the outline, kept 0.5 m (near) and 10 m (far) inside the promised
# 20-40 m and 2-10 km, so 7-decimal rounding and datum round trips cannot leave them.
NEAR_RANGE_M = (20.5, 39.5)
FAR_RANGE_M = (2_010.0, 9_990.0)
INSIDE_ROUNDS = 12  # redraws before a stubborn point falls back to its centre
OUTSIDE_ROUNDS = 50


@dataclass(frozen=True)
class Placement:
    """Each report's point (metres) and source household (for address and reporter)."""

    xy: np.ndarray
    home: np.ndarray
    hotspots: tuple[np.ndarray, ...]  # per clustered group: (k, 2) centres, hottest first


def hotspot_count(area_km2: float) -> int:
    """How many hotspots one heatmap gets: 3 for a small area, up to 8 for a whole county."""
    return int(np.clip(3 + round(np.sqrt(area_km2) / 8), 3, 8))


def place_reports(
    rng: np.random.Generator,
    county: ReportCounty,
    group: np.ndarray,
    groups: int,
    near: np.ndarray,
    far: np.ndarray,
) -> Placement:
    """Points for reports by `group` (0: ordinary, 1 .. groups-1: clustered), near/far outside."""
    home = _draw_homes(rng, county, len(group))
    centre = county.homes_xy[home]
    sigma = np.full(len(group), JITTER_M)
    hotspots = []
    for g in range(1, groups):
        rows = np.flatnonzero(group == g)
        spots, weights = _hotspots(rng, county)
        hot = rows[rng.random(len(rows)) < HOTSPOT_SHARE]
        which = np.searchsorted(np.cumsum(weights), rng.random(len(hot)) * weights.sum())
        home[hot] = spots[which]
        centre[hot] = county.homes_xy[spots[which]]
        sigma[hot] = HOTSPOT_SPREAD_M
        hotspots.append(county.homes_xy[spots])
    xy = _inside(rng, county.outline, centre, sigma)
    for rows, bounds in ((near, NEAR_RANGE_M), (far, FAR_RANGE_M)):
        xy[rows] = outside_points(rng, county.outline, len(rows), *bounds)
        home[rows] = _nearest_homes(county, xy[rows])
    return Placement(xy=xy, home=home, hotspots=tuple(hotspots))


def outside_points(
    rng: np.random.Generator, outline: shapely.Geometry, n: int, low: float, high: float
) -> np.ndarray:
    """n points whose distance to the outline lies in [low, high], spread along its edge."""
    boundary = shapely.boundary(outline)
    length = shapely.length(boundary)
    found = np.empty((0, 2))
    for _ in range(OUTSIDE_ROUNDS):
        if len(found) >= n:
            break
        along = rng.random(2 * (n - len(found)) + 16) * length
        edge = shapely.get_coordinates(shapely.line_interpolate_point(boundary, along))
        normal = _outward_normals(outline, boundary, along, edge)
        candidate = edge + normal * rng.uniform(low, high, len(along))[:, None]
        # Where the outline bends back, a step along the normal can come near another edge.
        distance = shapely.distance(outline, shapely.points(candidate))
        found = np.vstack([found, candidate[(distance >= low) & (distance <= high)]])
    if len(found) < n:
        raise RuntimeError(f"found only {len(found)} of {n} points {low}-{high} m outside")
    return found[:n]


def _draw_homes(rng: np.random.Generator, county: ReportCounty, n: int) -> np.ndarray:
    """Households drawn with probability proportional to 户数."""
    cumulative = np.cumsum(county.homes_weight)
    return np.searchsorted(cumulative, rng.random(n) * cumulative[-1], side="right")


def _hotspots(rng: np.random.Generator, county: ReportCounty) -> tuple[np.ndarray, np.ndarray]:
    """Households chosen as hotspots and their weights, hottest first."""
    n = hotspot_count(county.area_km2)
    core = shapely.buffer(county.outline, -HOTSPOT_EDGE_M)
    x, y = county.homes_xy[:, 0], county.homes_xy[:, 1]
    candidates = np.flatnonzero(shapely.contains_xy(core, x, y))
    if len(candidates) < n:
        candidates = np.arange(len(county.homes_xy))
    order = rng.permutation(candidates)
    chosen = _spread_apart(county, order[:HOTSPOT_CANDIDATES], n)
    # A county too small for n such hotspots gets the rest wherever they fall.
    chosen += [int(home) for home in order if home not in chosen][: n - len(chosen)]
    zipf = rng.uniform(*HOTSPOT_JITTER, len(chosen)) / np.arange(1, len(chosen) + 1)
    return np.asarray(chosen, dtype=np.int64), np.sort(zipf)[::-1]


def _spread_apart(county: ReportCounty, order: np.ndarray, n: int) -> list[int]:
    """Up to n of the households in order, apart from each other and not where most live."""
    homes = shapely.STRtree(shapely.points(county.homes_xy))
    most = HOTSPOT_LOCAL_SHARE * county.homes_weight.sum()
    chosen: list[int] = []
    for home in order.tolist():  # greedy: usually done after a few dozen candidates
        gaps = np.hypot(*(county.homes_xy[chosen] - county.homes_xy[home]).T)
        if (gaps < HOTSPOT_SEPARATION_M).any():
            continue
        spot = shapely.Point(county.homes_xy[home])
        around = homes.query(spot, predicate="dwithin", distance=HOTSPOT_LOCAL_M)
        if county.homes_weight[around].sum() <= most:
            chosen.append(home)
            if len(chosen) == n:
                break
    return chosen


def _inside(
    rng: np.random.Generator, outline: shapely.Geometry, centre: np.ndarray, sigma: np.ndarray
) -> np.ndarray:
    """centre plus gaussian noise of sigma, redrawn until inside the outline."""
    shapely.prepare(outline)
    xy = centre + rng.normal(0.0, 1.0, centre.shape) * sigma[:, None]
    outside = np.flatnonzero(~shapely.contains_xy(outline, xy[:, 0], xy[:, 1]))
    for _ in range(INSIDE_ROUNDS):
        if not len(outside):
            break
        redrawn = centre[outside] + rng.normal(0.0, 1.0, (len(outside), 2)) * sigma[outside, None]
        xy[outside] = redrawn
        outside = outside[~shapely.contains_xy(outline, redrawn[:, 0], redrawn[:, 1])]
    xy[outside] = centre[outside]  # households lie inside: the centre itself always is
    return xy


def _outward_normals(
    outline: shapely.Geometry, boundary: shapely.Geometry, along: np.ndarray, edge: np.ndarray
) -> np.ndarray:
    """Unit normals of the boundary at `along`, pointing away from the outline."""
    ahead = shapely.get_coordinates(shapely.line_interpolate_point(boundary, along + 1.0))
    behind = shapely.get_coordinates(shapely.line_interpolate_point(boundary, along - 1.0))
    tangent = ahead - behind
    normal = np.column_stack([tangent[:, 1], -tangent[:, 0]])
    normal /= np.maximum(np.hypot(normal[:, 0], normal[:, 1]), 1e-9)[:, None]
    probe = edge + normal * 0.5
    inward = shapely.contains_xy(outline, probe[:, 0], probe[:, 1])
    normal[inward] *= -1.0
    return normal


def _nearest_homes(county: ReportCounty, xy: np.ndarray) -> np.ndarray:
    """The household nearest to each point (whose address and community a report takes)."""
    if not len(xy):
        return np.empty(0, dtype=np.int64)
    tree = shapely.STRtree(shapely.points(county.homes_xy))
    _, nearest = tree.query_nearest(shapely.points(xy), all_matches=False)
    return nearest
