"""The same spatial join as `assign.place_points`, done by PostGIS (the store of record).

Used to check the in-memory index against the database, and by anyone who wants the answer
from SQL alone. Same rules: smallest code on shared boundaries, nearest within tolerance
measured in the index's metric CRS, ties to the smallest code.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import Connection, text


def place_points_in_postgis(
    conn: Connection, version_id: int, lon: np.ndarray, lat: np.ndarray,
    tolerance_m: float, epsg_m: int,
) -> list[tuple[str | None, str, float | None]]:  # fmt: skip
    """For each point: (unit code or None, method, distance in metres or None)."""
    rows = conn.execute(
        text(_SQL),
        {"v": version_id, "xs": [float(x) for x in lon], "ys": [float(y) for y in lat],
         "tol": tolerance_m, "srid": epsg_m},
    ).all()  # fmt: skip
    return [(r[1], r[2], r[3]) for r in sorted(rows)]


_SQL = """
with p as (
  select i, st_setsrid(st_makepoint(x, y), 4326) as g
  from unnest(cast(:xs as float8[]), cast(:ys as float8[])) with ordinality as t(x, y, i)
), hit as (
  select p.i, min(u.code) as code, count(*) as n
  from p join grids u on u.version_id = :v and u.level = 3 and st_intersects(u.geom, p.g)
  group by p.i
), near as (
  select p.i, n.code, n.d from p
  cross join lateral (
    select u.code, st_distance(st_transform(u.geom, :srid), st_transform(p.g, :srid)) as d
    from grids u
    where u.version_id = :v and u.level = 3 and u.geom && st_expand(p.g, :tol / 60000.0)
    order by d, u.code limit 1
  ) n
  where not exists (select 1 from hit where hit.i = p.i) and n.d <= :tol
)
select p.i,
       coalesce(hit.code, near.code),
       case when hit.n = 1 then 'inside' when hit.n > 1 then 'boundary'
            when near.code is not null then 'nearest' else 'unassigned' end,
       near.d
from p left join hit on hit.i = p.i left join near on near.i = p.i
"""
