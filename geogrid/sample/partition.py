"""Cutting a region into cells around seed points, and placing seed points, in metres.

A Voronoi diagram clipped to the region partitions it exactly; where a non-convex region
splits a cell in two, the piece away from the seed goes to the neighbour it borders most,
so that every cell is one piece holding its own seed.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely import Geometry

from geogrid.geo.polygons import polygonal


def points_in_polygon(rng: np.random.Generator, polygon: Geometry, count: int) -> np.ndarray:
    """`count` points drawn uniformly inside `polygon`, as an (n, 2) array."""
    shapely.prepare(polygon)
    xmin, ymin, xmax, ymax = polygon.bounds
    fill = max(polygon.area / ((xmax - xmin) * (ymax - ymin)), 0.05)
    found: list[np.ndarray] = []
    have = 0
    while have < count:
        batch = int((count - have) / fill * 1.3) + 16
        xy = rng.uniform((xmin, ymin), (xmax, ymax), size=(batch, 2))
        xy = xy[shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])]
        found.append(xy)
        have += len(xy)
    return np.concatenate(found)[:count]


def spaced_points(
    rng: np.random.Generator, polygon: Geometry, count: int, min_distance: float
) -> np.ndarray:
    """`count` points inside `polygon`, no two closer than `min_distance` where room allows."""
    chosen = np.empty((0, 2))
    if count <= 0:
        return chosen
    spacing = min_distance
    while len(chosen) < count:
        candidates = points_in_polygon(rng, polygon, 25 * count)
        for xy in candidates:
            if len(chosen) == 0 or ((chosen - xy) ** 2).sum(axis=1).min() >= spacing**2:
                chosen = np.vstack([chosen, xy])
                if len(chosen) == count:
                    break
        spacing *= 0.7  # no room left at this spacing: accept closer neighbours
    return chosen


def relaxed_seeds(seeds: np.ndarray, region: Geometry, iterations: int) -> np.ndarray:
    """Lloyd relaxation: move each seed to its cell's centroid, for more even cells."""
    seeds = seeds.copy()
    shapely.prepare(region)
    for _ in range(iterations):
        centroids = shapely.get_coordinates(shapely.centroid(_raw_cells(seeds, region)))
        inside = shapely.contains_xy(region, centroids[:, 0], centroids[:, 1])
        seeds[inside] = centroids[inside]
    return seeds


def voronoi_partition(seeds: np.ndarray, region: Geometry) -> np.ndarray:
    """One polygon per seed (in seed order), together covering `region` without overlap."""
    if len(seeds) == 1:
        return np.array([region], dtype=object)
    return _attach_detached_parts(_raw_cells(seeds, region), seeds)


def apportion(total: int, weights: np.ndarray, minimum: int = 0) -> np.ndarray:
    """Split `total` into integers proportional to `weights`, each at least `minimum`."""
    weights = np.asarray(weights, dtype=float)
    spare = total - minimum * len(weights)
    if spare < 0:
        raise ValueError(f"total={total} cannot give {len(weights)} shares of {minimum}")
    exact = spare * weights / weights.sum()
    shares = np.floor(exact).astype(np.int64)
    leftover = int(spare - shares.sum())
    shares[np.argsort(-(exact - shares), kind="stable")[:leftover]] += 1
    return shares + minimum


def _raw_cells(seeds: np.ndarray, region: Geometry) -> np.ndarray:
    diagram = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=region, ordered=True)
    return shapely.intersection(shapely.get_parts(diagram), region)


def _attach_detached_parts(cells: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    cells = np.array([polygonal(cell) for cell in cells], dtype=object)
    tree = shapely.STRtree(cells)
    for i in np.flatnonzero(shapely.get_num_geometries(cells) > 1):
        parts = shapely.get_parts(cells[i])
        home = _part_holding(parts, seeds[i])
        cells[i] = parts[home]
        for piece in np.delete(parts, home):
            neighbour = _longest_border(piece, cells, tree.query(piece), i)
            target = i if neighbour is None else neighbour
            cells[target] = polygonal(shapely.union(cells[target], piece))
    return cells


def _part_holding(parts: np.ndarray, seed: np.ndarray) -> int:
    holding = np.flatnonzero(shapely.contains_xy(parts, seed[0], seed[1]))
    return int(holding[0]) if len(holding) else int(np.argmax(shapely.area(parts)))


def _longest_border(piece: Geometry, cells: np.ndarray, candidates, own: int) -> int | None:
    """The neighbour sharing most border with `piece` (measured as overlap of a thin halo)."""
    halo = shapely.buffer(piece, 0.5)
    best, best_overlap = None, 0.0
    for j in candidates:
        if j == own:
            continue
        overlap = shapely.area(shapely.intersection(halo, cells[j]))
        if overlap > best_overlap:
            best, best_overlap = int(j), float(overlap)
    return best
