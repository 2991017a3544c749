"""Per-feature checks of a boundary layer, each problem named by file, layer, feature, field.

Errors reject the feature (unless --fix repairs it, which is then reported as `fixed` with
what changed); warnings keep it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

ERROR, WARNING, FIXED = "error", "warning", "fixed"
# Geometry families each role takes; households and stations may come as footprints.
ACCEPTED_TYPES = {
    "county": {"Polygon", "MultiPolygon"},
    "communities": {"Polygon", "MultiPolygon"},
    "villages": {"Polygon", "MultiPolygon"},
    "streets": {"LineString", "MultiLineString"},
    "households": {"Point", "Polygon", "MultiPolygon"},
    "stations": {"Point", "Polygon", "MultiPolygon"},
}
OUTLINE_TOLERANCE_DEG = 0.001  # about 100 m: digitising noise along the county edge


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one feature (or with a whole layer when feature is '*')."""

    file: str
    layer: str
    feature: str
    field: str
    message: str
    severity: str = ERROR


@dataclass
class LayerCheck:
    """The state of a layer during checking: geometries, who is rejected, what was said."""

    file: str
    layer: str
    role: str
    feature_ids: list[str]
    geometries: np.ndarray
    rejected: np.ndarray
    problems: list[Problem]

    def report(self, index: int, field: str, message: str, severity: str = ERROR) -> None:
        """Record a problem of feature `index`; an error rejects it."""
        self.problems.append(
            Problem(self.file, self.layer, self.feature_ids[index], field, message, severity)
        )
        if severity == ERROR:
            self.rejected[index] = True


def check_raw_coordinates(check: LayerCheck, geographic: bool, fix: bool) -> None:
    """Out-of-range and swapped lon/lat, before any conversion (a geographic CRS only)."""
    if not geographic:
        return
    live = np.flatnonzero(~check.rejected & ~shapely.is_missing(check.geometries))
    xy, owner = shapely.get_coordinates(check.geometries[live], return_index=True)
    count = len(live)
    not_finite = _any_per(~np.isfinite(xy).all(axis=1), owner, count)
    swapped = _all_per(_swapped_points(xy), owner, count)
    outside = _any_per((np.abs(xy[:, 0]) > 180) | (np.abs(xy[:, 1]) > 90), owner, count)
    for k in np.flatnonzero(not_finite | swapped | outside):
        i = live[k]
        where = _where(shapely.get_coordinates(check.geometries[i]))
        if not_finite[k]:
            check.report(i, "geometry", "coordinate is not a number (NaN or infinite)")
        elif swapped[k] and fix:
            check.geometries[i] = shapely.transform(check.geometries[i], lambda c: c[:, ::-1])
            check.report(i, "geometry", f"lat/lon swapped near {where}; swapped back", FIXED)
        elif swapped[k]:
            message = f"coordinates look swapped (lat, lon) near {where}; --fix swaps them"
            check.report(i, "geometry", message)
        else:
            check.report(i, "geometry", f"coordinate out of range near {where}")


def _any_per(flags: np.ndarray, owner: np.ndarray, count: int) -> np.ndarray:
    result = np.zeros(count, dtype=bool)
    np.logical_or.at(result, owner, flags)
    return result


def _all_per(flags: np.ndarray, owner: np.ndarray, count: int) -> np.ndarray:
    result = np.zeros(count, dtype=bool)
    result[owner] = True  # geometries with no coordinates stay False
    np.logical_and.at(result, owner, flags)
    return result


def _swapped_points(xy: np.ndarray) -> np.ndarray:
    """China's latitudes (15-55) where longitudes belong and longitudes (70-140) as latitudes."""
    x, y = xy[:, 0], xy[:, 1]
    return (x >= 15) & (x <= 55) & (y >= 70) & (y <= 140)


def _where(xy: np.ndarray) -> str:
    return f"({xy[0, 0]:.6f}, {xy[0, 1]:.6f})"


def check_geometries(check: LayerCheck, fix: bool) -> None:
    """Null, empty, wrong type, invalid, repeated points (vectorised; loops over the bad)."""
    accepted = ACCEPTED_TYPES.get(check.role)
    if accepted is None:
        return
    geoms = check.geometries
    missing = shapely.is_missing(geoms)
    empty = ~missing & shapely.is_empty(geoms)
    type_names = np.array(shapely.get_type_id(geoms))
    wrong = ~missing & ~empty & ~np.isin(type_names, [_TYPE_IDS[t] for t in accepted])
    present = ~missing & ~empty & ~wrong
    suspect = present & (~shapely.is_valid(geoms) | _has_repeats(geoms, present))
    for i in np.flatnonzero(~check.rejected & (missing | empty | wrong | suspect)):
        geom = geoms[i]
        if missing[i]:
            check.report(i, "geometry", "no geometry (null)")
        elif empty[i]:
            check.report(i, "geometry", "empty geometry")
        elif wrong[i]:
            wanted = " or ".join(sorted(accepted))
            check.report(i, "geometry", f"{geom.geom_type} where {check.role} need {wanted}")
        else:
            _check_validity(check, i, geom, fix)


_TYPE_IDS = {"Point": 0, "LineString": 1, "Polygon": 3, "MultiPoint": 4,
             "MultiLineString": 5, "MultiPolygon": 6}  # fmt: skip


def _has_repeats(geoms: np.ndarray, present: np.ndarray) -> np.ndarray:
    result = np.zeros(len(geoms), dtype=bool)
    if present.any():
        cleaned = shapely.remove_repeated_points(geoms[present], 0.0)
        counts = shapely.get_num_coordinates(geoms[present])
        result[present] = shapely.get_num_coordinates(cleaned) != counts
    return result


def _check_validity(check: LayerCheck, i: int, geom, fix: bool) -> None:
    if not shapely.is_valid(geom):
        reason = shapely.is_valid_reason(geom)
        if not fix:
            check.report(i, "geometry", f"invalid geometry: {reason}; --fix repairs it")
            return
        repaired = _polygonal_part(shapely.make_valid(geom), geom.geom_type)
        check.geometries[i] = repaired
        check.report(i, "geometry", f"repaired ({reason}): {_change(geom, repaired)}", FIXED)
        geom = repaired
    cleaned = shapely.remove_repeated_points(geom, 0.0)
    repeats = shapely.get_num_coordinates(geom) - shapely.get_num_coordinates(cleaned)
    if repeats:
        check.geometries[i] = cleaned
        check.report(i, "geometry", f"{repeats} repeated consecutive point(s) removed", FIXED)


def _polygonal_part(geom, original_type: str):
    """make_valid may return a collection; keep the parts of the original's dimension."""
    if geom.geom_type != "GeometryCollection":
        return geom
    dimension = 2 if "Polygon" in original_type else 1 if "Line" in original_type else 0
    parts = [g for g in shapely.get_parts(geom) if shapely.get_dimensions(g) == dimension]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _change(before, after) -> str:
    parts = shapely.get_num_geometries(after)
    if "Polygon" in before.geom_type:
        return f"now {after.geom_type} of {parts} part(s), area {before.area:.3g} -> {after.area:.3g} deg²"  # noqa: E501
    return f"now {after.geom_type} of {parts} part(s)"


def check_inside_outline(check: LayerCheck, outline) -> None:
    """Features wholly outside the county outline (with ~100 m of tolerance) are rejected."""
    if outline is None or check.role == "county":
        return
    zone = shapely.buffer(outline, OUTLINE_TOLERANCE_DEG)
    shapely.prepare(zone)
    live = ~check.rejected & ~shapely.is_missing(check.geometries)
    outside = live & ~shapely.intersects(zone, check.geometries)
    for i in np.flatnonzero(outside):
        where = shapely.get_coordinates(check.geometries[i])[0]
        check.report(
            i, "geometry", f"outside the county outline (near {where[0]:.5f}, {where[1]:.5f})"
        )


def check_unique(check: LayerCheck, values: list[str | None], field: str, severity: str) -> None:
    """Repeated ids (errors: the later ones are rejected) or names (warnings)."""
    first_seen: dict[str, str] = {}
    for i, value in enumerate(values):
        if value in (None, ""):
            continue
        if value in first_seen:  # also when the first was rejected: fixing it would collide
            check.report(
                i, field, f"duplicate {field} {value!r} (first at {first_seen[value]})", severity
            )
        else:
            first_seen[value] = check.feature_ids[i]
