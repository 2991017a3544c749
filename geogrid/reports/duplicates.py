"""Possible duplicates: a new report of the same category near an open one, soon after it.

Flagged, never merged: `duplicate_of` points at the earliest such open report, and the
desk decides. Basic-information updates at the same address are routine, so only dynamic
categories (hazards, incidents ...) are compared. The search runs in memory on the batch
and the open reports the database holds near it in space and time, so it costs one query
per batch rather than one per report (`open_reports_near`, a `Read` that the caller runs
on its connection, then the decision, `earliest_repeated`).
"""

from __future__ import annotations

import numpy as np
import pyproj
import shapely

from geogrid.reports.lifecycle import OPEN_STATUSES
from geogrid.storage.driver import Read


def earliest_repeated(
    new: dict[str, np.ndarray],
    old: dict[str, np.ndarray],
    to_metres: pyproj.Transformer,
    *,
    distance_m: float,
    window_hours: float,
) -> np.ndarray:
    """For each new report (dict of id, category_id, dynamic, lon, lat, seconds), the id of
    the earliest open report it may repeat, or None: from `old`, the open reports that
    `open_reports_near` read for them."""
    result = np.full(len(new["id"]), None, dtype=object)
    mine = np.flatnonzero(new["dynamic"])
    if not len(mine) or distance_m <= 0:
        return result
    window = int(window_hours * 3600)
    ids = np.concatenate([old["id"], new["id"][mine]])
    category = np.concatenate([old["category_id"], new["category_id"][mine]])
    seconds = np.concatenate([old["seconds"], new["seconds"][mine]])
    x, y = to_metres.transform(np.concatenate([old["lon"], new["lon"][mine]]),
                               np.concatenate([old["lat"], new["lat"][mine]]))  # fmt: skip
    first_new = len(old["id"])
    probe, cand = _pairs_within(np.asarray(x), np.asarray(y), first_new, distance_m)
    earlier = (seconds[cand] < seconds[probe]) | (
        (seconds[cand] == seconds[probe]) & (ids[cand] < ids[probe])
    )
    keep = (category[cand] == category[probe]) & earlier
    keep &= seconds[probe] - seconds[cand] <= window
    probe, cand = probe[keep], cand[keep]
    order = np.lexsort((ids[cand], seconds[cand], probe))  # earliest original first
    probe, cand = probe[order], cand[order]
    firsts = np.unique(probe, return_index=True)[1]
    result[mine[probe[firsts] - first_new]] = ids[cand[firsts]]
    return result


def _pairs_within(x, y, first_new: int, distance_m: float) -> tuple[np.ndarray, np.ndarray]:
    """(probe, candidate) positions of the points within distance_m of each new point
    (those from first_new on), itself included: a distance matrix for a few points,
    an STRtree for many."""
    new = np.arange(first_new, len(x))
    if len(new) * len(x) <= SMALL_MATRIX:
        d2 = (x[None, :] - x[new, None]) ** 2 + (y[None, :] - y[new, None]) ** 2
        probe, cand = np.nonzero(d2 <= distance_m * distance_m)
        return probe + first_new, cand
    points = shapely.points(x, y)
    probe, cand = shapely.STRtree(points).query(
        points[first_new:], predicate="dwithin", distance=distance_m
    )
    return probe + first_new, cand


def open_reports_near(
    new: dict[str, np.ndarray], *, distance_m: float, window_hours: float
) -> Read[dict[str, np.ndarray]]:
    """Open reports of the same categories near the new dynamic ones and in the window
    before them. For a few new reports (a group of phones' POSTs, spread over the county),
    those in a box around each, probing the point index once per report; for more (a file),
    those in the bounding box and time span of them all, in one scan."""
    mine = np.flatnonzero(new["dynamic"])
    if not len(mine) or distance_m <= 0:
        return Read.nothing(_open_reports)
    window = int(window_hours * 3600)
    pad = distance_m / 60_000.0  # degrees: generous for any latitude in China
    if len(mine) <= FEW_PROBES:
        sql, params = _NEAR_EACH_SQL, {
            "x": new["lon"][mine].tolist(), "y": new["lat"][mine].tolist(),
            "category": [int(c) for c in new["category_id"][mine]],
            "t": [int(t) for t in new["seconds"][mine]], "window": window, "pad": pad,
        }  # fmt: skip
    else:
        sql, params = _OPEN_SQL, {
            "lo": int(new["seconds"][mine].min()) - window, "hi": int(new["seconds"][mine].max()),
            "x0": float(new["lon"][mine].min()) - pad, "x1": float(new["lon"][mine].max()) + pad,
            "y0": float(new["lat"][mine].min()) - pad, "y1": float(new["lat"][mine].max()) + pad,
            "categories": sorted({int(c) for c in new["category_id"][mine]}),
        }  # fmt: skip
    # Planned at each call, never prepared: a plan cached on a long-lived connection while
    # the table was small went on scanning it as it grew.
    return Read(sql, params | {"open": list(OPEN_STATUSES)}, _open_reports, prepare=False)


def _open_reports(rows: list[tuple]) -> dict[str, np.ndarray]:
    columns = list(zip(*rows, strict=True)) if rows else [()] * 5
    return {
        "id": np.array(columns[0], dtype=object),
        "category_id": np.array(columns[1], dtype=np.int64),
        "seconds": np.array(columns[2], dtype=np.int64),
        "lon": np.array(columns[3], dtype=np.float64),
        "lat": np.array(columns[4], dtype=np.float64),
    }


FEW_PROBES = 64
SMALL_MATRIX = 4096  # new x all points: up to this, distances are computed pairwise

_OPEN_SQL = """
select replace(id::text, '-', ''), category_id, extract(epoch from reported_at)::bigint,
       st_x(geom), st_y(geom)
from reports
where reported_at between to_timestamp(%(lo)s) and to_timestamp(%(hi)s)
  and geom && st_makeenvelope(%(x0)s, %(y0)s, %(x1)s, %(y1)s, 4326)
  and category_id = any(%(categories)s) and status = any(%(open)s)
"""

_NEAR_EACH_SQL = """
select distinct replace(r.id::text, '-', ''), r.category_id,
       extract(epoch from r.reported_at)::bigint, st_x(r.geom), st_y(r.geom)
from unnest(cast(%(x)s as float8[]), cast(%(y)s as float8[]), cast(%(category)s as int[]),
            cast(%(t)s as bigint[])) as n(x, y, category_id, t)
join reports r
  on r.geom && st_makeenvelope(n.x - %(pad)s, n.y - %(pad)s, n.x + %(pad)s, n.y + %(pad)s, 4326)
 and r.category_id = n.category_id
 and r.reported_at between to_timestamp(n.t - %(window)s) and to_timestamp(n.t)
where r.status = any(%(open)s)
"""
