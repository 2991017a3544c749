"""The named streets, roads and alleys (街路巷) inside a grid: what a phone's map draws.

Streets come from the boundary load (source_streets, not versioned); a grid's share of each
is cut at the grid's edge, so a leader's phone keeps only the lines of its own grids.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

# Lines only: a street that merely touches the grid's edge leaves a point, which is dropped.
_STREETS_IN_GRID = text("""
with g as (select geom from grids where code = :code and version_id = :version),
cut as (
  select s.name, s.kind,
         st_collectionextract(st_intersection(s.geom, g.geom), 2) as geom
  from source_streets s, g where st_intersects(s.geom, g.geom)
)
select coalesce(json_agg(json_build_object(
         'type', 'Feature', 'properties', json_build_object('name', name, 'kind', kind),
         'geometry', st_asgeojson(geom, :digits)::json) order by name), '[]')::text
from cut where not st_isempty(geom)
""")


def streets_in_grid(conn: Connection, code: str, version: int, *, digits: int = 6) -> str:
    """The street lines inside one grid of a version, cut at its edge, as a GeoJSON
    feature list (text, `[]` when none); names and kinds as loaded."""
    found = conn.execute(_STREETS_IN_GRID, {"code": code, "version": version,
                                            "digits": digits}).scalar_one()  # fmt: skip
    return found
