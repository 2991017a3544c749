"""Stations as places: every code, and the smallest station with a few grids."""

from __future__ import annotations

from sqlalchemy import text

from geogrid.storage.places import smallest_station, station_codes

GRIDS_PER_STATION = """
select s.code, count(*) from stations s join station_communities sc on sc.station_id = s.id
join grids g on left(g.code, 12) = sc.community_code and g.level = 2
join grid_versions v on v.id = g.version_id and v.status = 'active' group by s.code
"""


def test_station_codes_and_the_smallest_station_with_enough_grids(county_engine) -> None:
    with county_engine.connect() as conn:
        codes = station_codes(conn)
        counts = dict(conn.execute(text(GRIDS_PER_STATION)).all())
        chosen = smallest_station(conn)
        assert smallest_station(conn, min_grids=max(counts.values()) + 1) is None
        assert smallest_station(conn, min_grids=max(counts.values())) in counts
    assert codes == sorted(codes) and set(counts) <= set(codes) and len(codes) >= 2
    enough = {code: n for code, n in counts.items() if n >= 5}
    assert chosen == min(enough, key=lambda code: (enough[code], code))
