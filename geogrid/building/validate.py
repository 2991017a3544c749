"""Validation of a built grid version: coverage, nesting, validity, sizes, compactness.

The result is a plain dict (stored as JSON with the version) with a `passed` flag; hard
errors (coverage or nesting beyond 1 m², invalid polygons, households in no unit) fail it.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

from geogrid.building.build import BuildOptions, BuiltGrids

AREA_TOLERANCE_M2 = 1.0


def validate_grids(built: BuiltGrids, options: BuildOptions | None = None) -> dict:
    """Every check of the three levels, as numbers a GIS analyst can read."""
    options = options or BuildOptions()
    report: dict = {"levels": {}, "errors": []}
    for level in (1, 2, 3):
        grids = built.level(level)
        report["levels"][str(level)] = {
            "count": len(grids),
            "coverage": _coverage(grids.geometry.to_numpy(), built.county),
            "validity": _validity(grids.geometry.to_numpy()),
            "polsby_popper": _quantiles(_polsby_popper(grids.geometry.to_numpy())),
        }
        _coverage_errors(report, level)
    report["nesting"] = _nesting(built)
    report["households"] = _households(built, options)
    _hard_errors(report)
    report["passed"] = not report["errors"]
    return report


def _coverage(geoms: np.ndarray, county) -> dict:
    union = shapely.union_all(geoms) if len(geoms) else shapely.Polygon()
    gap = shapely.difference(county, union).area
    overlap = float(shapely.area(geoms).sum()) - union.area
    outside = shapely.difference(union, county).area
    return {"gap_m2": round(gap, 3), "overlap_m2": round(max(overlap, 0.0), 3),
            "outside_m2": round(outside, 3)}  # fmt: skip


def _coverage_errors(report: dict, level: int) -> None:
    coverage = report["levels"][str(level)]["coverage"]
    for key in ("gap_m2", "overlap_m2", "outside_m2"):
        if coverage[key] > AREA_TOLERANCE_M2:
            what = key.removesuffix("_m2")
            report["errors"].append(f"level {level}: {what} of {coverage[key]:,.1f} m²")


def _validity(geoms: np.ndarray) -> dict:
    invalid = int((~shapely.is_valid(geoms)).sum())
    multipart = int((shapely.get_num_geometries(geoms) > 1).sum())
    return {"invalid": invalid, "multipart": multipart}


def _polsby_popper(geoms: np.ndarray) -> np.ndarray:
    perimeter = shapely.length(geoms)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(perimeter > 0, 4 * math.pi * shapely.area(geoms) / perimeter**2, 0.0)


def _quantiles(values: np.ndarray) -> dict:
    if len(values) == 0:
        return {}
    q = np.quantile(values, [0.0, 0.1, 0.5, 0.9, 1.0])
    return dict(
        zip(("min", "p10", "median", "p90", "max"), (round(float(v), 3) for v in q), strict=True)
    )


def _nesting(built: BuiltGrids) -> dict:
    """Each grid inside its parent (within 1 m²) and each parent code present."""
    grids = built.grids
    by_code = dict(zip(grids["code"], grids.geometry, strict=True))
    orphans, outside = [], []
    for row in grids[grids["level"] > 1].itertuples():
        parent = by_code.get(row.parent_code)
        if parent is None:
            orphans.append(row.code)
        elif shapely.difference(row.geometry, parent).area > AREA_TOLERANCE_M2:
            outside.append(row.code)
    return {"orphans": orphans[:20], "orphan_count": len(orphans),
            "outside_parent": outside[:20], "outside_parent_count": len(outside)}  # fmt: skip


def _households(built: BuiltGrids, options: BuildOptions) -> dict:
    units = built.level(3)["households"].to_numpy()
    in_bounds = (units >= options.unit_low) & (units <= options.unit_high)
    assigned = built.household_unit != ""
    return {
        "total": int(built.household_weight.sum()),
        "points": len(built.household_unit),
        "points_without_unit": int((~assigned).sum()),
        "per_unit": _quantiles(units.astype(float)) if len(units) else {},
        "share_in_bounds": round(float(in_bounds.mean()), 4) if len(units) else 1.0,
        "bounds": [options.unit_low, options.unit_high],
    }


def _hard_errors(report: dict) -> None:
    nesting = report["nesting"]
    if nesting["orphan_count"] or nesting["outside_parent_count"]:
        report["errors"].append(
            f"nesting: {nesting['orphan_count']} without parent, "
            f"{nesting['outside_parent_count']} outside their parent"
        )
    for level, data in report["levels"].items():
        if data["validity"]["invalid"]:
            report["errors"].append(f"level {level}: {data['validity']['invalid']} invalid")
    if report["households"]["points_without_unit"]:
        report["errors"].append(
            f"{report['households']['points_without_unit']} households in no unit"
        )
