"""After a redraw: put reports into the grids of another version and say what moved.

Reports keep the version they were assigned under until someone asks for this. It re-runs
the intake's own join, people and routing (`Assignment`), for the new version and each report's own
date, updates the reports in one statement per chunk and writes an `assignment` event for
each report whose unit changed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Engine, text

from geogrid.registry.from_reports import follow_reports
from geogrid.reports.assign import DEFAULT_TOLERANCE_M
from geogrid.reports.assignment import Assignment
from geogrid.reports.index import AssignmentIndex, load_index
from geogrid.reports.lifecycle import FINAL_STATUSES
from geogrid.reports.routing import read_categories

CHUNK = 100_000


@dataclass
class ReassignResult:
    """How many reports were looked at and moved, and the moves per old -> new grid."""

    version_id: int
    examined: int = 0
    moved: int = 0
    moves: Counter = field(default_factory=Counter)  # (old level-2 code, new code) -> count


def reassign_reports(
    engine: Engine,
    to_version: int,
    *,
    open_only: bool = False,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    progress: Callable[[int, int], None] | None = None,
) -> ReassignResult:
    """Reassign every report (or only open ones) not already in to_version."""
    index = load_index(engine, to_version)
    result = ReassignResult(to_version)
    with engine.begin() as conn:
        table = read_categories(conn)
        # "open": not yet closed, refused or a duplicate, so a handled case awaiting its
        # verification (by the new unit's assistant) and a basic report whose proposal may
        # still be pending move with the redraw.
        where = "coalesce(r.version_id, -1) <> :v" + (
            " and r.status <> all(:final)" if open_only else ""
        )
        params = {"v": to_version, "final": list(FINAL_STATUSES)}
        total = conn.execute(text(_COUNT.format(where=where)), params).scalar_one()
        # Streamed from a server-side cursor, a chunk at a time: a county's year of reports
        # is too many to hold at once. The cursor reads the snapshot it opened with, so the
        # updates made meanwhile do not come back to it.
        stream = {"stream_results": True, "yield_per": CHUNK}
        rows = conn.execute(text(_SELECT.format(where=where)), params, execution_options=stream)
        for chunk in rows.partitions(CHUNK):
            _reassign_chunk(conn, chunk, index, table, tolerance_m, result)
            if progress:
                progress(result.examined, total)
    return result


_COUNT = "select count(*) from reports r where {where}"

_SELECT = """
select r.id::text, st_x(r.geom), st_y(r.geom), extract(epoch from r.reported_at)::bigint,
       r.category_id, coalesce(g.code, '(none)'), coalesce(u.code, '')
from reports r left join grids g on g.id = r.level2_id left join grids u on u.id = r.level3_id
where {where}
"""


def _reassign_chunk(conn, rows, index: AssignmentIndex, table, tolerance_m, result) -> None:
    ids, lon, lat, seconds, category_id, old_grid, old_unit = (
        np.array(c) for c in zip(*rows, strict=True)
    )
    position = {cid: i for i, cid in enumerate(table.ids)}
    category = np.array([position[c] for c in category_id], dtype=np.int64)
    assignment = Assignment.of(index, table, category, lon.astype(float), lat.astype(float),
                               seconds.astype(np.int64), tolerance_m)  # fmt: skip
    placement = assignment.placement
    new_unit = np.where(placement.unit >= 0, index.units.codes[np.maximum(placement.unit, 0)], "")
    new_grid = np.where(placement.grid >= 0,
                        index.levels[2].codes[np.maximum(placement.grid, 0)], "(none)")  # fmt: skip
    conn.execute(text(_UPDATE), _update_params(ids, assignment))
    moved = new_unit != old_unit
    follow_reports(conn, ids[moved].tolist())
    result.examined += len(ids)
    result.moved += int(moved.sum())
    result.moves.update(zip(old_grid[moved].tolist(), new_grid[moved].tolist(), strict=True))
    conn.execute(
        text("insert into report_events (report_id, actor, kind, note) "
             "select cast(i as uuid), 'geogrid reassign', 'assignment', :note "
             "from unnest(cast(:ids as text[])) i"),
        {"ids": ids[moved].tolist(), "note": f"reassigned to grid version {index.version_id}"},
    )  # fmt: skip


def _update_params(ids, assignment: Assignment) -> dict:
    """The UPDATE's arrays: the intake's assignment columns, nulls as None."""
    columns = assignment.columns()

    def nullable(name: str) -> list:
        return [int(v) if v >= 0 else None for v in columns[name].tolist()]

    return {
        "ids": ids.tolist(), "v": assignment.index.version_id,
        "l1": nullable("level1_id"), "l2": nullable("level2_id"), "l3": nullable("level3_id"),
        "leader": nullable("leader_id"), "officer": nullable("officer_id"),
        "police": nullable("police_id"), "station": nullable("station_id"),
        "department": nullable("department_id"), "route": columns["route"].tolist(),
        "method": columns["assignment_method"].tolist(),
        "distance": [None if d != d else float(d) for d in columns["distance_m"].tolist()],
    }  # fmt: skip


_UPDATE = """
update reports r set version_id = case when u.l3 is null then null else :v end,
  level1_id = u.l1, level2_id = u.l2, level3_id = u.l3, leader_id = u.leader,
  officer_id = u.officer, police_id = u.police, station_id = u.station,
  department_id = u.department, assignment_method = u.method,
  -- a report keeps whether it went to the registry: a finished case of a basic category
  -- stays a case, a registry proposal's report stays the registry's
  route = case when (u.route = 'registry') = (r.status = 'registry') then u.route
               else r.route end,
  distance_m = u.distance,
  status = case when r.status = 'received' and u.l3 is not null then 'assigned'
                else r.status end
from unnest(cast(:ids as uuid[]), cast(:l1 as bigint[]), cast(:l2 as bigint[]),
            cast(:l3 as bigint[]), cast(:leader as int[]), cast(:officer as int[]),
            cast(:police as int[]), cast(:station as int[]), cast(:department as int[]),
            cast(:route as text[]), cast(:method as text[]), cast(:distance as float8[]))
  as u(id, l1, l2, l3, leader, officer, police, station, department, route, method, distance)
where r.id = u.id
"""
