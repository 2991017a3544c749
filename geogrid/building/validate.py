"""Validation of a built grid version: coverage, nesting, validity, sizes, compactness.

The result is a plain dict (stored as JSON with the version) with a `passed` flag; hard
errors (coverage or nesting beyond 1 m², invalid polygons, units in more than one part,
households in no unit, units whose household count does not match a recount) fail it.

Households are recounted, not taken from the builder: the household rows are placed in
their level-2 grids and big buildings split into entrances exactly as the builder does
(counting.py), and each counting point is found by its coordinates in a unit of its grid.
So the sizes and the share within bounds are measured on what the units were cut from.
A stored version whose inputs were replaced since (BuiltGrids.inputs_as_built False) is
checked on its own: its level 1 is the outline and its stored counts must add up.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

from geogrid.building.build import BuildOptions, BuiltGrids
from geogrid.building.counting import counting_points, grid_streets, unit_of_points
from geogrid.building.leftovers import SPLIT_SLIVER_M2  # a unit's parts below it: slivers
from geogrid.geo.crs import crs_label

AREA_TOLERANCE_M2 = 1.0
SHOWN_CODES = 20  # codes listed in an error; the count says how many more


def validate_grids(built: BuiltGrids, options: BuildOptions | None = None) -> dict:
    """Every check of the three levels, as numbers a GIS analyst can read."""
    options = options or BuildOptions()
    report: dict = {"levels": {}, "errors": [], "crs": crs_label(built.grids.crs.to_epsg())}
    for level in (1, 2, 3):
        grids = built.level(level)
        report["levels"][str(level)] = {
            "count": len(grids),
            "coverage": _coverage(grids.geometry.to_numpy(), built.county),
            "validity": _validity(grids.geometry.to_numpy()),
            "polsby_popper": _quantiles(_polsby_popper(grids.geometry.to_numpy())),
        }
        _coverage_errors(report, level)
    report["split_units"] = split_units(built.level(3))
    report["nesting"] = _nesting(built)
    if built.inputs_as_built:
        report["households"] = _households(built, options)
    else:
        report["households"] = _stored_households(built, options)
    _hard_errors(report)
    report["passed"] = not report["errors"]
    return report


def _coverage(geoms: np.ndarray, county) -> dict:
    """Gap, overlap and outside area, from neighbours pairwise rather than one big union.

    A union of thousands of units can drop a whole polygon (a GEOS robustness failure seen
    on the full sample county); intersections of two neighbours at a time are reliable.
    The gap is what the county holds beyond the area the grids cover inside it.
    """
    if len(geoms) == 0:
        return {"gap_m2": round(county.area, 3), "overlap_m2": 0.0, "outside_m2": 0.0}
    first, second = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pairs = first < second
    overlap = float(
        shapely.area(shapely.intersection(geoms[first[pairs]], geoms[second[pairs]])).sum()
    )
    shapely.prepare(county)
    crossing = ~shapely.within(geoms, county)
    outside = float(shapely.area(shapely.difference(geoms[crossing], county)).sum())
    covered = float(shapely.area(geoms).sum()) - overlap - outside
    return {"gap_m2": round(max(county.area - covered, 0.0), 3), "overlap_m2": round(overlap, 3),
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


def split_units(units) -> dict:
    """Units in more than one part (parts below SPLIT_SLIVER_M2 aside), by code."""
    geoms = units.geometry.to_numpy()
    multi = np.flatnonzero(shapely.get_num_geometries(geoms) > 1)
    split = []
    for i in multi:
        areas = np.sort(shapely.area(shapely.get_parts(geoms[i])))[::-1]
        if (areas[1:] >= SPLIT_SLIVER_M2).any():
            split.append(
                {"code": units["code"].iloc[i], "parts_m2": [round(float(a), 1) for a in areas]}
            )
    return {"count": len(split), "units": split[:SHOWN_CODES], "sliver_m2": SPLIT_SLIVER_M2}


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
    """Households recounted per unit, on the builder's counting points."""
    level2, units = built.level(2), built.level(3)
    grids = list(level2.geometry)
    counted = counting_points(
        grids, list(level2["code"]), grid_streets(grids, list(level2["kind"]), built.streets),
        built.household_xy, built.household_weight,
        target=options.unit_target, high=options.unit_high,
    )  # fmt: skip
    grid_of_code = {code: i for i, code in enumerate(level2["code"])}
    unit_grid = np.array([grid_of_code.get(c, -2) for c in units["parent_code"]], dtype=int)
    expected = units["households"].to_numpy()
    unit_of = unit_of_points(counted, list(units.geometry), unit_grid, expected)
    placed = unit_of >= 0
    recount = np.bincount(unit_of[placed], counted.households[placed], minlength=len(units))
    in_bounds = (recount >= options.unit_low) & (recount <= options.unit_high)
    kept = np.bincount(counted.row, counted.households, minlength=len(built.household_weight))
    return {
        "recounted": True,
        "total": int(built.household_weight.sum()),
        "points": len(built.household_weight),
        "counting_points": len(counted.xy),
        "points_without_unit": int(np.unique(counted.row[~placed]).size),
        "rows_miscounted": int((kept != built.household_weight).sum()),
        "units_miscounted": int((recount != expected).sum()),
        "buildings_left_whole": len(counted.unsplit),
        "per_unit": _quantiles(recount.astype(float)) if len(units) else {},
        "share_in_bounds": round(float(in_bounds.mean()), 4) if len(units) else 1.0,
        "bounds": [options.unit_low, options.unit_high],
    }


def _stored_households(built: BuiltGrids, options: BuildOptions) -> dict:
    """For a version whose inputs were replaced: its stored counts, checked level by level.

    The points the units were cut from are gone, so nothing is recounted; what still
    holds is that each grid's households are the sum of its children's.
    """
    units = built.level(3)
    stored = units["households"].to_numpy()
    in_bounds = (stored >= options.unit_low) & (stored <= options.unit_high)
    return {
        "recounted": False,
        "total": int(stored.sum()),
        "points": 0,
        "counting_points": 0,
        "points_without_unit": 0,
        "rows_miscounted": 0,
        "units_miscounted": 0,
        "parents_miscounted": _parents_miscounted(built.grids),
        "buildings_left_whole": 0,
        "per_unit": _quantiles(stored.astype(float)) if len(units) else {},
        "share_in_bounds": round(float(in_bounds.mean()), 4) if len(units) else 1.0,
        "bounds": [options.unit_low, options.unit_high],
    }


def _parents_miscounted(grids) -> int:
    """Grids of levels 1 and 2 whose households differ from the sum of their children's."""
    sums = grids[grids["level"] > 1].groupby("parent_code")["households"].sum()
    parents = grids[grids["level"] < 3].set_index("code")["households"]
    return int((sums.reindex(parents.index, fill_value=0) != parents).sum())


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
    if report["split_units"]["count"]:
        report["errors"].append(_split_error(report["split_units"]))
    households = report["households"]
    if households["points_without_unit"]:
        report["errors"].append(f"{households['points_without_unit']} households in no unit")
    if households.get("parents_miscounted"):
        report["errors"].append(
            f"households: {households['parents_miscounted']} grids hold other than their parts"
        )
    if households["units_miscounted"] or households["rows_miscounted"]:
        report["errors"].append(
            f"households: {households['units_miscounted']} units hold other than counted, "
            f"{households['rows_miscounted']} household rows not counted in full"
        )


def _split_error(split: dict) -> str:
    """'level 3: 2 units in more than one part: 3707...007 (30,335 + 5,240 m²), ...'."""
    listed = ", ".join(
        f"{u['code']} ({' + '.join(f'{a:,.0f}' for a in u['parts_m2'])} m²)" for u in split["units"]
    )
    more = split["count"] - len(split["units"])
    return f"level 3: {split['count']} units in more than one part: {listed}" + (
        f" and {more} more" if more else ""
    )
