"""From projected metres to the delivered file: WGS-84, 7 decimals, one GeoPackage."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import Transformer

PROJECTED_CRS = "EPSG:4549"  # CGCS2000 / 3-degree Gauss-Kruger CM 120E: metres, for Zhucheng
OUTPUT_CRS = "EPSG:4326"
DECIMALS = 7  # about 1 cm, as delivered files are rounded
GRID_DEGREES = 10.0**-DECIMALS
NOISE_STEP_M = 50.0  # a digitised village edge has a vertex at least this often
NOISE_SD_M = 0.25  # each village's edge is traced on its own, this far off


def to_projected(geometry: shapely.Geometry) -> shapely.Geometry:
    """A WGS-84 lon/lat geometry in EPSG:4549 metres."""
    return shapely.transform(geometry, _transformer(OUTPUT_CRS, PROJECTED_CRS))


def to_wgs84(geometries: np.ndarray) -> np.ndarray:
    """Projected geometries in WGS-84, rounded to 7 decimals (polygons stay valid)."""
    lonlat = shapely.transform(geometries, _transformer(PROJECTED_CRS, OUTPUT_CRS))
    polygonal = np.isin(shapely.get_type_id(lonlat), (3, 6))
    rounded = shapely.transform(lonlat, lambda xy: np.round(xy, DECIMALS))
    if polygonal.any():
        rounded[polygonal] = shapely.set_precision(lonlat[polygonal], GRID_DEGREES)
    return rounded


def with_digitising_noise(rng: np.random.Generator, polygons: np.ndarray) -> np.ndarray:
    """Polygons whose vertices are each moved a few decimetres, as if traced one by one.

    Neighbours then have micro gaps and overlaps along shared edges, as real village files
    do. A polygon the noise would make invalid is kept as it was.
    """
    dense = shapely.segmentize(polygons, NOISE_STEP_M)
    coords = shapely.get_coordinates(dense)
    noise = rng.normal(0.0, NOISE_SD_M, size=coords.shape)
    ring_sizes = shapely.get_num_coordinates(shapely.get_rings(shapely.get_parts(dense)))
    ring_ends = np.cumsum(ring_sizes)
    noise[ring_ends - 1] = noise[ring_ends - ring_sizes]  # each ring ends where it starts
    noisy = shapely.set_coordinates(dense.copy(), coords + noise)
    return np.where(shapely.is_valid(noisy), noisy, polygons)


def write_geopackage(
    layers: dict[str, pd.DataFrame], path: Path, on_layer: Callable[[str], None] | None = None
) -> None:
    """Write each frame as a layer (GeoDataFrames as WGS-84 features, the rest as tables).

    The file is written next to `path` and moved into place, so a failed run leaves no
    half-written GeoPackage behind.
    """
    path = Path(path)
    partial = path.with_name(f"{path.stem}.partial.gpkg")
    partial.unlink(missing_ok=True)
    try:
        for name, frame in layers.items():
            if on_layer is not None:
                on_layer(name)
            polygons = "geometry" in frame and frame.geom_type.str.contains("Polygon").any()
            pyogrio.write_dataframe(
                frame, partial, layer=name, driver="GPKG", promote_to_multi=bool(polygons)
            )
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _transformer(source: str, target: str) -> Callable[[np.ndarray], np.ndarray]:
    transformer = Transformer.from_crs(source, target, always_xy=True)

    def transform(xy: np.ndarray) -> np.ndarray:
        """(n, 2) coordinates from `source` to `target`."""
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return transform
