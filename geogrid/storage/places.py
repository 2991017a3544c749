"""Police stations as places to show: their codes, and one small enough for a quick atlas."""

from __future__ import annotations

from sqlalchemy import Connection, text


def station_codes(conn: Connection) -> list[str]:
    """Every station's code, in order."""
    return list(conn.execute(text("select code from stations order by code")).scalars())


def station_id(conn: Connection, code: str) -> int | None:
    """A station's id by its code, or None when there is no such station."""
    return conn.execute(text("select id from stations where code = :c"), {"c": code}).scalar()


def smallest_station(conn: Connection, min_grids: int = 5) -> str | None:
    """The station with the fewest level-2 grids of the active version, at least min_grids.

    A quick but real atlas: the demo prints this one. None when no station has that many.
    """
    return conn.execute(text(_SMALLEST_STATION), {"least": min_grids}).scalar()


_SMALLEST_STATION = """
select s.code from stations s join station_communities sc on sc.station_id = s.id
join grids g on left(g.code, 12) = sc.community_code and g.level = 2
join grid_versions v on v.id = g.version_id and v.status = 'active'
group by s.code having count(*) >= :least order by count(*), s.code limit 1
"""
