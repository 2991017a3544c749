"""Cuts that follow a street: in town, unit boundaries run along street centrelines.

A street is followed if it runs within 30 degrees of the cut direction, spans at least half
the piece across and lies within a quarter of the piece's extent of the ideal cut, and if
the sizes on both sides stay well inside the bounds.
"""

from __future__ import annotations

import numpy as np
import shapely

from geogrid.building.cutting import Cut, CutJob, axes, make_cut, proportional_units
from geogrid.building.unit_geometry import linear

_STREET_MAX_SLOPE = np.tan(np.radians(30))
_STREET_MIN_SPAN = 0.5
_STREET_REACH = 0.25


def cut_along_street(region, idx: np.ndarray, units: int, job: CutJob) -> Cut | None:
    """Cut along the street closest to the ideal cut, if one is near and sizes stay right."""
    if job.streets is None or job.streets.is_empty:
        return None
    xmin, ymin, xmax, ymax = region.bounds
    extent = (xmax - xmin, ymax - ymin)
    inside = shapely.line_merge(linear(shapely.intersection(job.streets, region)))
    best = None
    for axis in axes(region.bounds):
        ideal = _ideal_position(idx, units, axis, job)
        for line in shapely.get_parts(inside):
            offset = _street_offset(line, axis, extent, ideal)
            if offset is None or (best is not None and offset >= best[0]):
                continue
            cut = _street_cut(region, idx, units, axis, line, job)
            if cut is not None:
                best = (offset, cut)
    return None if best is None else best[1]


def _ideal_position(idx: np.ndarray, units: int, axis: int, job: CutJob) -> float:
    """Where a straight cut across `axis` would part the households in proportion."""
    values = job.locs[idx, axis]
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(job.effective[idx[order]])
    at = int(np.searchsorted(cumulative, cumulative[-1] * (units // 2) / units))
    return float(values[order][min(at, len(order) - 1)])


def _street_offset(line, axis: int, extent, ideal: float) -> float | None:
    """Distance from the ideal cut, or None if the street does not run across the piece."""
    coords = shapely.get_coordinates(line)
    if len(coords) < 2:
        return None
    along, across = np.abs(coords[-1] - coords[0])[[axis, 1 - axis]]
    if across < _STREET_MIN_SPAN * extent[1 - axis] or along > _STREET_MAX_SLOPE * across:
        return None
    offset = abs(float(coords[:, axis].mean()) - ideal)
    return offset if offset <= _STREET_REACH * extent[axis] else None


def _street_cut(region, idx, units: int, axis: int, line, job: CutJob) -> Cut | None:
    half = _street_half_plane(line, axis, region.bounds)
    if half is None:
        return None
    left_mask = shapely.covers(half, job.loc_points[idx])
    total = float(job.effective[idx].sum())
    left_weight = float(job.effective[idx][left_mask].sum())
    if total == 0 or left_weight in (0.0, total):
        return None
    left_units = proportional_units(left_weight, total, units)
    # Stricter than the bounds: the halves are bisected further and lose a little each time.
    band = ((job.low + job.target) / 2, (job.target + job.high) / 2)
    averages = (left_weight / left_units, (total - left_weight) / (units - left_units))
    if not all(band[0] <= a <= band[1] for a in averages):
        return None
    return make_cut(region, half, idx, left_mask, units, left_units)


def _street_half_plane(line, axis: int, bounds) -> shapely.Polygon | None:
    """The side of the street (extended across the piece) with the smaller coordinates."""
    coords = shapely.get_coordinates(line)
    if coords[-1, 1 - axis] < coords[0, 1 - axis]:
        coords = coords[::-1]
    reach = float(np.hypot(bounds[2] - bounds[0], bounds[3] - bounds[1])) + 1.0
    unit = (coords[-1] - coords[0]) / np.hypot(*(coords[-1] - coords[0]))
    head, tail = coords[0] - unit * reach, coords[-1] + unit * reach
    far_head, far_tail = head.copy(), tail.copy()
    far_head[axis] = far_tail[axis] = bounds[axis] - 2 * reach
    half = shapely.Polygon(np.vstack([far_head, head, coords, tail, far_tail]))
    return half if half.is_valid else None
