"""The one way a patrol's track is drawn from its points, in SQL (used on stop, on a late
batch, and by the coverage for patrols still running).

Points less accurate than PATROL_MAX_ACCURACY_M are left out; the line breaks where two
points lie more than PATROL_MAX_GAP_S apart or farther apart than PATROL_MAX_SPEED_MS
allows; a piece of one point draws nothing.
"""

from __future__ import annotations

from sqlalchemy import ARRAY, BigInteger, Connection, bindparam, text

from geogrid.vocabulary import PATROL_MAX_ACCURACY_M, PATROL_MAX_GAP_S, PATROL_MAX_SPEED_MS

# Rows (patrol_id, track) for the patrols whose ids are bound as :ids; a patrol without
# two good points in a row has no row. The window's lag finds where the line breaks.
TRACKS = f"""
select patrol_id, st_multi(st_collect(line order by first_at)) as track
from (
  select patrol_id, part, min(at) as first_at, st_makeline(geom order by at) as line
  from (
    select patrol_id, at, geom,
      sum(case when prev_at is null
               or extract(epoch from at - prev_at) > {PATROL_MAX_GAP_S}
               or st_distancesphere(prev_geom, geom)
                  > {PATROL_MAX_SPEED_MS} * greatest(extract(epoch from at - prev_at), 1)
          then 1 else 0 end) over (partition by patrol_id order by at) as part
    from (
      select patrol_id, at, geom, lag(at) over w as prev_at, lag(geom) over w as prev_geom
      from patrol_points
      where patrol_id = any(:ids)
        and (accuracy_m is null or accuracy_m <= {PATROL_MAX_ACCURACY_M})
      window w as (partition by patrol_id order by at)
    ) ordered
  ) split
  group by patrol_id, part
  having count(*) >= 2
) lines
group by patrol_id
"""


def ids_param(ids: list[int]):
    """The :ids parameter of TRACKS."""
    return bindparam("ids", list(ids), type_=ARRAY(BigInteger))


def store_tracks(conn: Connection, ids: list[int]) -> None:
    """Draw the tracks of these patrols again and keep them (empty when nothing to draw)."""
    conn.execute(
        text(f"""
        update patrols p set track = coalesce(t.track, 'SRID=4326;MULTILINESTRING EMPTY')
        from unnest(:ids) as chosen(id) left join ({TRACKS}) t on t.patrol_id = chosen.id
        where p.id = chosen.id
        """).bindparams(ids_param(ids))
    )
