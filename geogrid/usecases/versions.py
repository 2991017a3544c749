"""Grid versions as the builder sees them: its inputs, stable codes, saving and re-reading.

Storage holds rows and frames in WGS-84; this is where they become the builder's
SourceData and BuiltGrids, in the county's projected CRS.
"""

from __future__ import annotations

import numpy as np
import shapely
from sqlalchemy import Engine

from geogrid.building.build import BuiltGrids, SourceData, densified
from geogrid.building.codes import geometry_key
from geogrid.building.partition import polygonal
from geogrid.errors import InputError
from geogrid.inputs.crs import projected_crs_for
from geogrid.storage import grids as stored_grids
from geogrid.storage import sources
from geogrid.storage import versions as stored_versions
from geogrid.storage.models import SRID


def read_sources(engine: Engine) -> SourceData:
    """The stored inputs as a SourceData for the grid builder (WGS-84)."""
    frames = sources.read_source_frames(engine)
    if frames["county"].empty:
        raise InputError("no county outline loaded: geogrid load FILE --commit (role county)")
    if frames["communities"].empty:
        raise InputError("no communities loaded: geogrid load FILE --commit (role communities)")
    return SourceData(
        county=frames["county"].geometry.union_all(),
        communities=frames["communities"],
        villages=frames["villages"],
        streets=frames["streets"],
        households=frames["households"],
    )


def previous_codes(engine: Engine) -> dict[str, str]:
    """geometry key -> code for every grid of the newest version (keeps codes stable)."""
    with engine.connect() as conn:
        version = stored_versions.latest_version(conn)
    if version is None:
        return {}
    shapes = stored_grids.grid_shapes(engine, version)
    return {geometry_key(_single(geom)): code for code, geom in shapes}


def _single(geom):
    """Stored as MultiPolygon; the builder's single polygons fingerprint as themselves."""
    return geom.geoms[0] if geom.geom_type == "MultiPolygon" and len(geom.geoms) == 1 else geom


def save_version(
    engine: Engine, built: BuiltGrids, *, validation: dict, source: str, note: str = ""
) -> int:
    """Store a build as a new draft version, all or nothing; returns its number."""
    wgs84 = built.grids.to_crs(f"EPSG:{SRID}")
    wgs84["geometry"] = _valid_polygons(wgs84.geometry.to_numpy())
    areas = built.grids.geometry.area.to_numpy()
    return stored_grids.insert_version(
        engine, wgs84, areas, validation=validation, source=source, note=note
    )


def _valid_polygons(geoms: np.ndarray) -> np.ndarray:
    """Reprojection can turn a zero-width spike into a self-touch: repair those few."""
    bad = ~shapely.is_valid(geoms)
    if bad.any():
        geoms = geoms.copy()
        geoms[bad] = [polygonal(g) for g in shapely.make_valid(geoms[bad])]
    return geoms


def load_built(engine: Engine, version_id: int) -> BuiltGrids:
    """A stored version as a BuiltGrids (projected), with the stored households and streets."""
    import geopandas as gpd

    frames = stored_grids.read_version_frames(engine, version_id)
    grids, households = frames["grids"], frames["households"]
    county = sources.stored_outline(engine)
    epsg = projected_crs_for(county.centroid.x)
    grids = grids.to_crs(epsg)
    grids["geometry"] = _valid_polygons(grids.geometry.to_numpy())
    points = shapely.get_coordinates(households.to_crs(epsg).geometry.to_numpy())
    county_projected = gpd.GeoSeries([densified(county)], crs=SRID).to_crs(epsg).iloc[0]
    weights = households["households"].fillna(1).astype(int).to_numpy()  # as the build counts
    # An empty table comes back without a CRS: state it, so it projects all the same.
    lines = gpd.GeoSeries(frames["streets"].geometry.to_numpy(), crs=SRID).to_crs(epsg)
    return BuiltGrids(grids, points, weights, lines.to_numpy(), county_projected)
