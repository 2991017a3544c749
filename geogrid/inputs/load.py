"""The one import core: read boundary files, map fields, check, convert to WGS-84.

It writes nothing: `geogrid.usecases.boundaries` stores what this accepts, so a dry run and a
committed load report exactly the same problems.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geogrid.errors import GeogridError, InputError
from geogrid.geo.crs import CrsSpec, geometries_to_wgs84, parse_crs
from geogrid.inputs import checks
from geogrid.inputs.attributes import geogrid_fields
from geogrid.inputs.checks import WARNING, LayerCheck, Problem
from geogrid.inputs.fieldmap import ROLES, FieldMapping
from geogrid.inputs.readers import RawLayer, read_layers

# Roles in the order they are checked and stored: the outline first, stations before the
# communities that name them.
ROLE_ORDER = ("county", "stations", "communities", "villages", "streets", "households", "people")
ID_FIELDS = {"communities": "code", "villages": "code", "stations": "code", "people": "person_no"}
NAME_FIELDS = {"communities": "name", "villages": "name", "stations": "name"}
CSV_DEFAULT_CRS = "EPSG:4326"


@dataclass
class LayerResult:
    """What one layer gave: the accepted rows in WGS-84 with geogrid's fields, and counts."""

    file: str
    layer: str
    role: str
    crs: str
    read: int
    accepted: gpd.GeoDataFrame
    file_sha256: str = ""
    stored: bool = False  # replaced the stored layer of its role

    @property
    def rejected(self) -> int:
        """Features read but not accepted."""
        return self.read - len(self.accepted)


@dataclass
class LoadReport:
    """The result of a load: per layer, the problems, and whether anything was written."""

    layers: list[LayerResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    committed: bool = False

    @property
    def errors(self) -> list[Problem]:
        """Problems that rejected a feature or a layer."""
        return [p for p in self.problems if p.severity == checks.ERROR]

    def layer(self, role: str) -> LayerResult | None:
        """The layer that played `role`, if any."""
        return next((result for result in self.layers if result.role == role), None)


@dataclass(frozen=True)
class LoadOptions:
    """What the user said about the files: CRS, encoding, role, field mapping, --fix."""

    crs: str | None = None
    encoding: str | None = None
    role: str | None = None
    mapping: FieldMapping = field(default_factory=FieldMapping)
    fix: bool = False


def prepare_boundaries(
    paths: list[Path],
    options: LoadOptions,
    *,
    outline: shapely.Geometry | None = None,
    progress: Callable[[str], None] | None = None,
) -> LoadReport:
    """Read and check every layer of the files; nothing is written.

    `outline` (WGS-84) is the stored county outline; a county layer in the files wins.
    """
    if options.role is not None and options.role not in ROLES:
        raise InputError(f"--role {options.role!r} is not one of {', '.join(ROLES)}")
    report = LoadReport()
    layers = _layers_with_roles(paths, options, report)
    for role in ROLE_ORDER:
        for path, raw, _ in (item for item in layers if item[2] == role):
            if progress:
                progress(f"{path.name}:{raw.name} ({role})")
            result = _prepare_layer(path, raw, role, options, outline, report)
            if result is not None:
                report.layers.append(result)
                if role == "county" and len(result.accepted):
                    outline = shapely.union_all(result.accepted.geometry.to_numpy())
    _infer_community_kinds(report)
    return report


def _layers_with_roles(
    paths: list[Path], options: LoadOptions, report: LoadReport
) -> list[tuple[Path, RawLayer, str]]:
    found = []
    for path in paths:
        for raw in read_layers(Path(path), options.encoding):
            role = options.mapping.role_of(raw.name, options.role)
            if role is None:
                message = "role unknown: layer skipped (name it with --role or a [layers] table)"
                report.problems.append(Problem(str(path), raw.name, "*", "layer", message))
                continue
            found.append((Path(path), raw, role))
    return found


def _prepare_layer(
    path: Path,
    raw: RawLayer,
    role: str,
    options: LoadOptions,
    outline,
    report: LoadReport,
) -> LayerResult | None:
    frame = raw.frame.reset_index(drop=True)
    people = role == "people"
    spec = parse_crs(CSV_DEFAULT_CRS) if people else _layer_crs(path, raw, options, report)
    if spec is None:
        return None
    check = LayerCheck(
        file=str(path),
        layer=raw.name,
        role=role,
        feature_ids=_feature_ids(path, frame),
        geometries=_geometry_array(frame),
        rejected=np.zeros(len(frame), dtype=bool),
        problems=report.problems,
    )
    for i, reason in raw.unreadable.items():
        check.report(i, "geometry", f"geometry cannot be read: {reason}")
    fields = geogrid_fields(check, frame, options.mapping)
    _check_and_convert(check, spec, role, options.fix)
    checks.check_inside_outline(check, outline)
    if role in ID_FIELDS:
        checks.check_unique(check, fields[ID_FIELDS[role]].tolist(), ID_FIELDS[role], "error")
    if role in NAME_FIELDS:
        checks.check_unique(check, fields[NAME_FIELDS[role]].tolist(), "name", WARNING)
    accepted = _accepted_frame(check, fields, role)
    crs_name = "-" if people else spec.name
    return LayerResult(str(path), raw.name, role, crs_name, len(frame), accepted)


def _check_and_convert(check: LayerCheck, spec: CrsSpec, role: str, fix: bool) -> None:
    if role == "people":
        return
    geographic = spec.offset is not None or spec.pyproj_crs.is_geographic
    checks.check_raw_coordinates(check, geographic, fix)
    checks.check_geometries(check, fix)
    live = ~check.rejected
    converted = geometries_to_wgs84(check.geometries[live], spec)
    check.geometries[live] = converted
    if not geographic:
        _check_converted_range(check)


def _check_converted_range(check: LayerCheck) -> None:
    """A projected file in the wrong CRS lands far from anywhere: say where."""
    for i in np.flatnonzero(~check.rejected):
        xy = shapely.get_coordinates(check.geometries[i])
        if (
            not np.isfinite(xy).all()
            or (np.abs(xy[:, 0]) > 180).any()
            or (np.abs(xy[:, 1]) > 90).any()
        ):
            check.report(i, "geometry", "coordinates fall outside the earth in the declared CRS")


def _layer_crs(path: Path, raw: RawLayer, options: LoadOptions, report) -> CrsSpec | None:
    if raw.frame.geometry.name is None or (
        path.suffix.lower() == ".csv" and options.role == "people"
    ):
        return parse_crs(CSV_DEFAULT_CRS)
    text = options.crs or raw.declared_crs
    if text is None and path.suffix.lower() == ".csv":
        text = CSV_DEFAULT_CRS
    if text is None:
        message = "the file declares no coordinate system: pass --crs (EPSG code, gcj02, bd09)"
        report.problems.append(Problem(str(path), raw.name, "*", "crs", message))
        return None
    try:
        return parse_crs(text)
    except GeogridError as exc:
        report.problems.append(Problem(str(path), raw.name, "*", "crs", str(exc)))
        return None


def _geometry_array(frame: pd.DataFrame) -> np.ndarray:
    """The geometries as an object array; an attribute table (people) has none."""
    if isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in frame:
        return np.array(frame.geometry.to_numpy(), dtype=object)
    return np.full(len(frame), None, dtype=object)


def _feature_ids(path: Path, frame: gpd.GeoDataFrame) -> list[str]:
    """Human feature ids: the row number in CSV (line), the FID elsewhere."""
    offset = 2 if path.suffix.lower() == ".csv" else 0  # CSV line 1 is the header
    label = "line" if offset else "fid"
    return [f"{label} {i + offset}" for i in range(len(frame))]


def _accepted_frame(check: LayerCheck, fields: pd.DataFrame, role: str) -> gpd.GeoDataFrame:
    keep = ~check.rejected
    geometries = check.geometries[keep]
    if role in ("households", "stations"):
        geometries = np.array([_as_point(g) for g in geometries], dtype=object)
    frame = fields[keep].reset_index(drop=True)
    if role == "people":
        return gpd.GeoDataFrame(frame)
    return gpd.GeoDataFrame(frame, geometry=list(geometries), crs="EPSG:4326")


def _as_point(geom):
    """A building footprint counts at a point inside it."""
    return geom if geom.geom_type == "Point" else shapely.point_on_surface(geom)


def _infer_community_kinds(report: LoadReport) -> None:
    """Without an urban/rural column, a community with villages is rural, else urban."""
    communities, villages = report.layer("communities"), report.layer("villages")
    if communities is None or communities.accepted["kind"].notna().all():
        return
    with_villages = set(villages.accepted["community_code"]) if villages is not None else set()
    inferred = communities.accepted["code"].map(
        lambda c: "rural" if c in with_villages else "urban"
    )
    communities.accepted["kind"] = communities.accepted["kind"].fillna(inferred)
