"""Closing near misses in a street network: a dangling end joined to the line just ahead.

Real street data is drawn by hand: a lane stops a few metres short of the road it meets.
`dangle_connectors` draws the short line that closes such a block, looking only ahead of the
end so a stub past a crossing never joins back to the road behind it. Projected metres.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely import LineString, Polygon, STRtree

# A connector is drawn this far past the line it joins: the nearest point is computed in
# floating point and may sit a hair short of the line, which would leave the block open.
# The overshoot is a dangle of its own, which polygonize ignores.
_CONNECTOR_OVERSHOOT_M = 0.01
# The search area ahead of a dangling end is a half disc drawn with this many chords.
_HALF_DISC_CHORDS = 16


def dangle_connectors(edges: np.ndarray, community, snap_m: float) -> list[LineString]:
    """Short lines joining dangling ends inside the community to the line they just miss."""
    if snap_m <= 0 or not len(edges):
        return []
    ends, outward, owner = _dangling_ends(edges)
    keep = shapely.intersects_xy(community, ends[:, 0], ends[:, 1])
    tree = STRtree(edges)
    connectors = []
    for end, direction, own in zip(ends[keep], outward[keep], owner[keep], strict=True):
        target = _nearest_ahead(end, direction, own, edges, tree, snap_m)
        if target is not None:
            step = (target - end) / np.hypot(*(target - end))
            connectors.append(LineString([end, target + step * _CONNECTOR_OVERSHOOT_M]))
    return connectors


def _dangling_ends(edges: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """End points met by no other edge, the unit direction out of the line there, the edge.

    The noded edges share exact coordinates at every node, so equality finds the degree.
    """
    first, second = shapely.get_point(edges, 0), shapely.get_point(edges, 1)
    last, before = shapely.get_point(edges, -1), shapely.get_point(edges, -2)
    ends = shapely.get_coordinates(np.concatenate([first, last]))
    inner = shapely.get_coordinates(np.concatenate([second, before]))
    owner = np.tile(np.arange(len(edges)), 2)
    _, inverse, counts = np.unique(ends, axis=0, return_inverse=True, return_counts=True)
    dangling = counts[inverse.reshape(-1)] == 1
    outward = ends[dangling] - inner[dangling]
    outward /= np.hypot(outward[:, 0], outward[:, 1])[:, None]
    return ends[dangling], outward, owner[dangling]


def _nearest_ahead(end, direction, own: int, edges, tree: STRtree, snap_m: float):
    """The nearest point within `snap_m` on another edge, not behind the end, else None.

    Looking only ahead (a half disc) keeps a stub that overshoots a crossing, or an alley
    that crosses a road just before it ends, from joining back to the road behind it.
    """
    near = tree.query(shapely.Point(end), predicate="dwithin", distance=snap_m)
    near = near[near != own]
    if not len(near):
        return None
    ahead = shapely.intersection(edges[near], _half_disc(end, direction, snap_m))
    distance = shapely.distance(shapely.Point(end), ahead)  # nan where nothing is ahead
    if np.all(np.isnan(distance)) or np.nanmin(distance) > snap_m:
        return None
    best = ahead[int(np.nanargmin(distance))]
    return shapely.get_coordinates(shapely.shortest_line(shapely.Point(end), best))[1]


def _half_disc(centre: np.ndarray, direction: np.ndarray, radius: float) -> Polygon:
    """The half disc ahead of `centre`, drawn around the circle so it holds all of it."""
    half_step = np.pi / _HALF_DISC_CHORDS / 2
    heading = np.arctan2(direction[1], direction[0])
    angles = heading + np.linspace(-np.pi / 2, np.pi / 2, _HALF_DISC_CHORDS + 1)
    rim = centre + radius / np.cos(half_step) * np.column_stack([np.cos(angles), np.sin(angles)])
    return Polygon(np.vstack([centre, rim]))
