"""Where the sample patrols walk: for some grid leaders, the streets of their grid (the
loaded street segments clipped to it), else the grid's outline (a walk round the village).
One read in SQL; the walking itself is in usecases/sample_patrols.py."""

from __future__ import annotations

from datetime import date

import shapely
from sqlalchemy import Connection, text

from geogrid.storage.duty import on_duty_sql
from geogrid.storage.versions import active_version_or_none

ROUTES = f"""
select a.person_id, g.code,
       st_astext(coalesce(
         (select st_linemerge(st_collectionextract(st_intersection(st_collect(s.geom), g.geom), 2))
          from source_streets s where s.geom && g.geom and st_intersects(s.geom, g.geom)),
         st_boundary(g.geom))) as walk
from grid_assignments a
join grids g on g.code = a.grid_code and g.version_id = :version and g.level = 2
where a.role = 'grid_leader' and {on_duty_sql("a", ":day")}
order by g.code
limit :leaders
"""


def leader_routes(conn: Connection, day: date, leaders: int) -> list[tuple[int, str, object]]:
    """(person id, grid code, lines to walk, WGS-84) of the first `leaders` grid leaders on
    duty on `day` (by grid code); empty without an active version."""
    version = active_version_or_none(conn)
    if version is None:
        return []
    rows = conn.execute(text(ROUTES), {"version": version, "day": day, "leaders": leaders})
    found = []
    for person, code, walk in rows:
        lines = shapely.from_wkt(walk) if walk else None
        if lines is not None and not lines.is_empty:
            found.append((person, code, lines))
    return found
