"""Grid versions as the builder sees them: building one, its inputs, stable codes, saving
and re-reading.

Storage holds rows and frames in WGS-84; this is where they become the builder's
SourceData and BuiltGrids, in the county's projected CRS.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely
from sqlalchemy import Engine

from geogrid.building.build import BuildOptions, BuiltGrids, SourceData, build_grids, densified
from geogrid.building.codes import geometry_key
from geogrid.building.validate import validate_grids
from geogrid.errors import InputError
from geogrid.geo.crs import projected_crs_for
from geogrid.geo.polygons import valid_polygons
from geogrid.storage import grids as stored_grids
from geogrid.storage import sources
from geogrid.storage import versions as stored_versions
from geogrid.storage.models import SRID


@dataclass(frozen=True)
class BuildResult:
    """A build, its validation and, if it passed, the draft version it was stored as."""

    built: BuiltGrids
    validation: dict
    version: int | None  # None: it failed validation and nothing was stored
    activated: bool
    seconds: float  # reading, building, validating and storing

    @property
    def passed(self) -> bool:
        """Whether the build had no error and passed validation."""
        return not self.built.errors and bool(self.validation["passed"])


def build_version(
    engine: Engine,
    options: BuildOptions,
    *,
    note: str = "",
    activate: bool = False,
    source: str = "geogrid build",
    progress: Callable[[str, int, int], None] | None = None,
) -> BuildResult:
    """Read the stored inputs, build the three levels, validate; store a draft if it passed.

    The draft is kept with the inputs' fingerprint (taken before reading, so a load meanwhile
    shows); with `activate` it becomes the active version. A failed build stores nothing.
    """
    started = time.perf_counter()
    inputs_md5 = stored_grids.inputs_fingerprint(engine)
    report = progress or (lambda step, done, total: None)
    built = build_grids(read_sources(engine), options, previous_codes(engine), report)
    report("validating", 1, 1)
    validation = validate_grids(built, options)
    if built.errors or not validation["passed"]:
        return BuildResult(built, validation, None, False, time.perf_counter() - started)
    version = save_version(engine, built, validation=validation, source=source, note=note,
                           inputs_md5=inputs_md5)  # fmt: skip
    seconds = time.perf_counter() - started
    if activate:
        activate_version(engine, version)
    return BuildResult(built, validation, version, activate, seconds)


def activate_version(engine: Engine, version: int) -> int:
    """Make a version the active one, then place the registry's standard addresses in its
    grids (reports move only when asked: `geogrid reassign`); how many addresses moved."""
    from geogrid.registry.addresses import reassign_addresses

    stored_grids.activate(engine, version)
    return reassign_addresses(engine, version)


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
    engine: Engine,
    built: BuiltGrids,
    *,
    validation: dict,
    source: str,
    note: str = "",
    inputs_md5: str | None = None,
) -> int:
    """Store a build as a new draft version, all or nothing; returns its number.

    `inputs_md5` is the fingerprint of the inputs it was built from, taken before they were
    read (default: as they are now); it is kept with the validation report.
    """
    wgs84 = built.grids.to_crs(f"EPSG:{SRID}")
    # Reprojection can turn a zero-width spike into a self-touch: repair those few.
    wgs84["geometry"] = valid_polygons(wgs84.geometry.to_numpy())
    areas = built.grids.geometry.area.to_numpy()
    if inputs_md5:
        validation = {**validation, stored_grids.INPUTS_KEY: inputs_md5}
    return stored_grids.insert_version(
        engine, wgs84, areas, validation=validation, source=source, note=note
    )


def load_built(engine: Engine, version_id: int) -> BuiltGrids:
    """A stored version as a BuiltGrids (projected), checkable against its own inputs.

    While the loaded inputs are the ones it was built from (same fingerprint), they come
    with it: the stored outline, households and streets. Once other inputs are loaded (or
    for a version stored without a fingerprint) the version stands on its own: its level 1
    is the outline and `inputs_as_built` is False, so households are not recounted.
    """
    frames = stored_grids.read_version_frames(engine, version_id)
    grids = frames["grids"]
    # The zone of the version's own centre: the loaded outline may be another county's.
    x0, y0, x1, y1 = grids.total_bounds
    epsg = projected_crs_for((x0 + x1) / 2, (y0 + y1) / 2)
    grids = grids.to_crs(epsg)
    grids["geometry"] = valid_polygons(grids.geometry.to_numpy())
    if not frames["as_built"]:
        outline = shapely.union_all(grids[grids["level"] == 1].geometry.to_numpy())
        empty = np.zeros((0, 2)), np.zeros(0, dtype=int), np.array([], dtype=object)
        return BuiltGrids(grids, *empty, outline, inputs_as_built=False)
    return BuiltGrids(grids, *_stored_inputs(engine, frames, epsg))


def _stored_inputs(engine: Engine, frames: dict, epsg: int) -> tuple:
    """Household points and weights, street lines and the outline, projected to epsg."""
    import geopandas as gpd

    households = frames["households"]
    county = sources.stored_outline(engine)
    located = gpd.GeoSeries(households.geometry.to_numpy(), crs=SRID).to_crs(epsg)
    points = shapely.get_coordinates(located.to_numpy()).reshape(-1, 2)
    county_projected = gpd.GeoSeries([densified(county)], crs=SRID).to_crs(epsg).iloc[0]
    weights = households["households"].fillna(1).astype(int).to_numpy()  # as the build counts
    # An empty table comes back without a CRS: state it, so it projects all the same.
    lines = gpd.GeoSeries(frames["streets"].geometry.to_numpy(), crs=SRID).to_crs(epsg)
    return points, weights, lines.to_numpy(), county_projected
