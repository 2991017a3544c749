"""Rural communities around the town core, and the natural villages (自然村) inside them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely import Geometry

from geogrid.sample.partition import (
    apportion,
    points_in_polygon,
    relaxed_seeds,
    spaced_points,
    voronoi_partition,
)

VILLAGE_INSET_M = 150.0  # village centres keep this far inside their community where they can


@dataclass
class Villages:
    """Natural villages in projected metres: polygons, centres, and their community's index."""

    polygons: np.ndarray
    centres: np.ndarray
    community: np.ndarray  # index into the rural communities passed in


def rural_communities(rng: np.random.Generator, region: Geometry, count: int) -> np.ndarray:
    """`count` rural communities partitioning `region` (the county outside the town core)."""
    seeds = relaxed_seeds(points_in_polygon(rng, region, count), region, iterations=2)
    return voronoi_partition(seeds, region)


def build_villages(rng: np.random.Generator, communities: np.ndarray, count: int) -> Villages:
    """`count` villages partitioning the communities, at least one in each, more in big ones."""
    per_community = apportion(count, shapely.area(communities), minimum=1)
    polygons, centres, owners = [], [], []
    for index, (community, villages) in enumerate(zip(communities, per_community, strict=True)):
        spacing = 0.6 * np.sqrt(community.area / villages)
        centre_xy = spaced_points(rng, _inset(community, spacing), int(villages), spacing)
        polygons.extend(voronoi_partition(centre_xy, community))
        centres.append(centre_xy)
        owners.append(np.full(int(villages), index))
    return Villages(
        np.array(polygons, dtype=object), np.concatenate(centres), np.concatenate(owners)
    )


def _inset(community: Geometry, spacing: float) -> Geometry:
    """The community shrunk a little, so a village centre is not on its edge."""
    inner = shapely.buffer(community, -min(VILLAGE_INSET_M, 0.3 * spacing))
    return inner if inner.area > 0.2 * community.area else community
