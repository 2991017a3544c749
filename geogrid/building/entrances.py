"""Big buildings as their entrances (单元): how many households each entrance holds, and where.

The households layer gives each building one point with its 户数; a town block can carry
hundreds of households at that one point, and one point cannot be cut, so the block would
become one oversized unit. A real block is entered through several 单元 (entrances, each a
stairwell of its own), and officers split their work along them. So before units are cut,
the builder replaces the households at such a point by entrances:

- Households at one location (rows at the same coordinates count together) that number
  n > `high` become k = max(round(n / target), ceil(n / high)) entrances: as near `target`
  as can be while none exceeds `high`. They hold n // k or n // k + 1 households each (the
  larger ones first), so each entrance alone makes a unit within bounds.
- The entrances stand in rows of ceil(sqrt(k)) running west to east, rows north to south,
  `ENTRANCE_SPACING_M` apart, centred on the point: residential blocks in northern China
  face south with their 单元 doors in a row, and a big address is a compound of such rows.
  Every other row is staggered by half a spacing. Measured on the full sample county and
  on a lone 1,000-household block, against one long row (thin units around it), a square
  lattice (cut only a whole row or column at a time: units of two entrances next to
  scraps) and fully sheared rows (thin slivers), this gave the most units within bounds
  at about the best compactness.
- Where the cluster would come within `CLEARANCE_M` of the grid's edge or of a street, the
  spacing shrinks step by step, so the entrances stay inside the grid and the street block.
  If not even `MIN_SPACING_M` fits (a building on the very edge of its grid), the point
  stays whole: the cutter makes it one oversized unit and the builder reports it.

The split is deterministic (same point, households, grid and streets: same entrances), so
validation repeats it and counts households per unit on the very points the units were cut
from. The rows in the database stay as they were loaded. Where the register carries 单元
numbers (an `entrance` field with the households of each), those should be used instead
of this rule; the intake has no such field yet.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

ENTRANCE_SPACING_M = 10.0
MIN_SPACING_M = 0.5
CLEARANCE_M = 1.0
_SHRINK = 2 / 3


def entrance_sizes(households: int, *, target: int, high: int) -> np.ndarray:
    """Households of each entrance of a building holding `households` (one if <= high)."""
    if households <= high:
        return np.array([households], dtype=np.int64)
    count = max(round(households / target), -(-households // high))
    base, extra = divmod(households, count)
    return np.array([base + 1] * extra + [base] * (count - extra), dtype=np.int64)


def entrance_layout(count: int) -> np.ndarray:
    """(count, 2) offsets in spacings, centred: rows west to east, north to south, staggered.

    Every other row is shifted east by half a spacing (a brick pattern), so a cut along
    either axis can part the cluster in steps of about one entrance.
    """
    per_row = math.ceil(math.sqrt(count))
    rows = math.ceil(count / per_row)
    offsets = [
        (col + 0.5 * (row % 2), -row)
        for row in range(rows)
        for col in range(min(per_row, count - row * per_row))
    ]
    layout = np.array(offsets, dtype=float)
    return layout - layout.mean(axis=0)


def place_entrances(centre: np.ndarray, count: int, obstacles) -> np.ndarray | None:
    """(count, 2) entrance coordinates around `centre`; None if none fit.

    `obstacles` are the lines the entrances keep `CLEARANCE_M` from: the boundary of the
    grid holding `centre` and the streets in it.
    """
    offsets = entrance_layout(count)
    if count == 1:
        return np.asarray(centre, dtype=float) + offsets
    footprint = shapely.convex_hull(shapely.multipoints(offsets))
    spacing = ENTRANCE_SPACING_M
    while spacing >= MIN_SPACING_M:
        placed = shapely.transform(footprint, lambda c, s=spacing: centre + c * s)
        if not shapely.dwithin(obstacles, placed, CLEARANCE_M):
            return centre + offsets * spacing
        spacing *= _SHRINK
    return None


def deal_rows(row_households: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, ...]:
    """(row, entrance, households) fragments: the rows' households dealt out in order.

    A row may be counted at two entrances; a row of no households goes with the entrance
    its place in the order falls on, so every row keeps a counting point.
    """
    row_end, entrance_end = np.cumsum(row_households), np.cumsum(sizes)
    breaks = np.union1d(np.concatenate([[0], row_end]), entrance_end)
    start, stop = breaks[:-1], breaks[1:]
    rows = np.searchsorted(row_end, start, side="right")
    entrances = np.searchsorted(entrance_end, start, side="right")
    empty = np.flatnonzero(row_households == 0)
    rows = np.concatenate([rows, empty])
    at = np.searchsorted(entrance_end, row_end[empty], side="right")
    entrances = np.concatenate([entrances, np.minimum(at, len(sizes) - 1)])
    amounts = np.concatenate([stop - start, np.zeros(len(empty), dtype=stop.dtype)])
    order = np.lexsort((entrances, rows))
    return rows[order], entrances[order], amounts[order]
