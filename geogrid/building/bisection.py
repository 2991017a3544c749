"""Recursive bisection: a piece of k units is cut in two of k // 2 and k - k // 2 units.

Separate parts of the piece (islands) are divided between the sides first; else a street
near the ideal cut is followed when that keeps the sizes right; else the cut is straight.
"""

from __future__ import annotations

import numpy as np

from geogrid.building.cutting import CutJob, cut_between_parts, cut_straight
from geogrid.building.street_cuts import cut_along_street


def bisect(region, idx: np.ndarray, units: int, job: CutJob) -> list[tuple]:
    """Leaves (geometry, location indices) of the recursive bisection of `region`."""
    if units <= 1 or len(idx) <= 1:
        return [(region, idx)]
    cut = (
        cut_between_parts(region, idx, units, job)
        or cut_along_street(region, idx, units, job)
        or cut_straight(region, idx, units, job)
    )
    if cut is None:
        return [(region, idx)]
    return bisect(cut.left, cut.left_idx, cut.left_units, job) + bisect(
        cut.right, cut.right_idx, cut.right_units, job
    )
