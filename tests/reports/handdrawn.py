"""A hand-drawn community for the assignment rules: three units meeting at one vertex.

y=2 +---------------+
    |       C       |      unit codes: A ...001001001, B ...001001002 (grid 1),
y=1 +-------+-------+                  C ...001002001 (grid 2)
    |   A   |   B   |      one step = 0.001 degree (~90 m east, ~111 m north)
y=0 +-------+-------+
   x=0     x=1     x=2
"""

from __future__ import annotations

import numpy as np
import shapely

from geogrid.reports.index import NO_DAY, Duty, Level, make_index

X0, Y0, STEP = 119.40, 36.00, 0.001
COMMUNITY = "370782001001"
GRID_1, GRID_2 = COMMUNITY + "001", COMMUNITY + "002"
A, B, C = GRID_1 + "001", GRID_1 + "002", GRID_2 + "001"
STATION_ID = 7
LEADER_1, LEADER_2, OFFICER_A, OFFICER_B, OFFICER_C, POLICE = 101, 102, 201, 202, 203, 301


def xy(x: float, y: float) -> tuple[float, float]:
    """Drawing units to lon/lat."""
    return X0 + x * STEP, Y0 + y * STEP


def box(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    """A unit box in lon/lat."""
    return shapely.box(*xy(x0, y0), *xy(x1, y1))


def level(ids, codes, parent, geoms) -> Level:
    """A Level from lists."""
    n = len(ids)
    return Level(np.array(ids, np.int64), np.array(codes, object), np.array(codes, object),
                 np.array(parent, np.int64), np.full(n, 30, np.int64),
                 np.array(geoms, dtype=object))  # fmt: skip


def duty(rows: list[tuple[int, int, int, int]]) -> Duty:
    """Duty from (grid index, first day, last day or NO_DAY, person)."""
    keys = np.array([g * 2**32 + first for g, first, _, _ in rows], np.int64)
    order = np.argsort(keys)
    last = np.array([r[2] for r in rows], np.int64)[order]
    return Duty(keys[order], last, np.array([r[3] for r in rows], np.int64)[order])


def index(leader_until: int = NO_DAY):
    """The index of the hand-drawn community, with a full roster (leader 1 until a day)."""
    community = box(0, 0, 2, 2)
    levels = {
        1: level([1], [COMMUNITY], [-1], [community]),
        2: level([11, 12], [GRID_1, GRID_2], [0, 0], [box(0, 0, 2, 1), box(0, 1, 2, 2)]),
        3: level([21, 22, 23], [A, B, C], [0, 0, 1], [box(0, 0, 1, 1), box(1, 0, 2, 1),
                                                      box(0, 1, 2, 2)]),
    }  # fmt: skip
    roster = {
        "grid_leader": duty([(0, 0, leader_until, LEADER_1), (1, 0, NO_DAY, LEADER_2)]),
        "information_officer": duty([(0, 0, NO_DAY, OFFICER_A), (1, 0, NO_DAY, OFFICER_B),
                                     (2, 0, NO_DAY, OFFICER_C)]),
        "community_police": duty([(0, 0, NO_DAY, POLICE)]),
    }  # fmt: skip
    return make_index(1, levels, {COMMUNITY: STATION_ID}, roster)
