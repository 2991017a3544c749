"""Grids as GeoJSON features, made by PostGIS (ST_AsGeoJSON) and passed through as text.

The database writes each feature's JSON, so a page of a thousand polygons is joined into a
response without being parsed and re-serialised in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, text

from geogrid.api.ogc import OutputCrs, county_crs_list
from geogrid.errors import NotFoundError
from geogrid.storage.duty import on_duty_sql
from geogrid.vocabulary import CODE_LENGTH, LEVEL_OF_CODE_LENGTH, ROLE_BY_LEVEL

COLLECTIONS = {"communities": 1, "grids": 2, "units": 3}
_CENTRES: dict[tuple[str, int], float | None] = {}  # (database, version) -> centre lon
METRES_PER_DEGREE = 111_320.0  # simplification is for display: a degree of latitude is enough


@dataclass(frozen=True)
class GridQuery:
    """Which grids of one level and version, in which area, simplified how much."""

    level: int
    version: int
    day: date  # whose duty the `responsible` property shows
    bbox: tuple[float, float, float, float] | None = None
    code: str | None = None
    community: str | None = None
    station: str | None = None
    area: tuple[str, ...] | None = None  # code prefixes of the caller's area; None: all
    simplify_m: float = 0.0
    srid: int = 4326  # the output CRS (OGC API Part 2), transformed by PostGIS
    north_first: bool = False  # the CRS's axes start with north (EPSG:4490, 4549)
    digits: int = 7


def grid_features(
    conn: Connection, query: GridQuery, *, limit: int, offset: int
) -> tuple[list[str], int]:
    """A page of features (JSON text each) and how many match in all."""
    rows = conn.execute(text(_FEATURES_SQL), _params(query) | {"limit": limit, "offset": offset})
    rows = rows.all()
    if rows:
        return [r[0] for r in rows], int(rows[0][1])
    matched = conn.execute(text(_COUNT_SQL), _params(query)).scalar_one()
    return [], int(matched)


def grid_feature(conn: Connection, query: GridQuery) -> str:
    """One feature by `query.code` (JSON text); NotFoundError when missing or out of area."""
    rows = conn.execute(text(_FEATURES_SQL), _params(query) | {"limit": 1, "offset": 0}).all()
    if not rows:
        raise NotFoundError(f"no grid {query.code} in version {query.version}", field="code")
    return rows[0][0]


def level_of_code(code: str) -> int:
    """The level of a grid code by its length; NotFoundError for any other string."""
    level = LEVEL_OF_CODE_LENGTH.get(len(code)) if code.isdigit() else None
    if level is None:
        raise NotFoundError(f"no grid {code!r}: codes have 12, 15 or 18 digits", field="code")
    return level


def level_extent(conn: Connection, level: int, version: int) -> list[float] | None:
    """The lon/lat bounding box of a level, None when it holds no grids."""
    box = conn.execute(
        text("select st_xmin(e), st_ymin(e), st_xmax(e), st_ymax(e) from "
             "(select st_extent(geom) as e from grids where version_id = :v and level = :l) x"),
        {"v": version, "l": level},
    ).one()  # fmt: skip
    return None if box[0] is None else [round(float(v), 6) for v in box]


def offered_crs(conn: Connection, version: int) -> list[OutputCrs]:
    """The output CRSs of the county of a version (its zone from its communities' centre)."""
    # A version's grids are written once and its id never reused, so its centre is read
    # once per database and version, not on every items request (an st_extent over the
    # communities' polygons). A few versions a year: the dict stays small.
    key = (conn.engine.url.render_as_string(hide_password=True), version)
    if key not in _CENTRES:
        box = level_extent(conn, 1, version)
        _CENTRES[key] = None if box is None else (box[0] + box[2]) / 2
    return county_crs_list(_CENTRES[key])


def instructions_for(conn: Connection, code: str) -> list[dict]:
    """Standing instructions for a grid and the grids containing it, newest first."""
    codes = [code[:n] for n in CODE_LENGTH.values() if n <= len(code)]
    rows = conn.execute(
        text("select id, grid_code as grid, at, actor, text from grid_instructions "
             "where grid_code = any(:codes) order by at desc, id desc limit 200"),
        {"codes": codes},
    ).mappings()  # fmt: skip
    return [dict(r) for r in rows]


def instruction(conn: Connection, instruction_id: int) -> dict:
    """One stored instruction."""
    return dict(conn.execute(
        text("select id, grid_code as grid, at, actor, text from grid_instructions "
             "where id = :i"), {"i": instruction_id}).mappings().one())  # fmt: skip


def _params(query: GridQuery) -> dict:
    x1, y1, x2, y2 = query.bbox or (None, None, None, None)
    return {
        "v": query.version, "level": query.level, "day": query.day,
        "role": ROLE_BY_LEVEL[query.level], "tol": query.simplify_m / METRES_PER_DEGREE,
        "x1": x1, "y1": y1, "x2": x2, "y2": y2, "code": query.code,
        "community": query.community, "station": query.station,
        "area": None if query.area is None else list(query.area),
        "srid": query.srid, "flip": query.north_first, "digits": query.digits,
    }  # fmt: skip


_WHERE = """
from grids g
left join grids p on p.id = g.parent_id
left join station_communities sc on sc.community_code = left(g.code, 12)
left join stations st on st.id = sc.station_id
where g.version_id = :v and g.level = :level
  and (cast(:x1 as float8) is null or (
       g.geom && st_makeenvelope(:x1, :y1, :x2, :y2, 4326)
       and st_intersects(g.geom, st_makeenvelope(:x1, :y1, :x2, :y2, 4326))))
  and (cast(:code as text) is null or g.code = :code)
  and (cast(:community as text) is null or left(g.code, 12) = :community)
  and (cast(:station as text) is null or st.code = :station)
  and (cast(:area as text[]) is null or exists (
       select 1 from unnest(cast(:area as text[])) a(prefix) where starts_with(g.code, a.prefix)))
"""

# Simplified (in degrees, for display) before it is moved into the output CRS.
_SHOWN = (
    "st_transform(case when :tol > 0 then st_simplifypreservetopology(g.geom, :tol) "
    "else g.geom end, :srid)"
)
_FEATURES_SQL = (
    """
select json_build_object(
  'type', 'Feature', 'id', g.code,
  'geometry', st_asgeojson(case when :flip then st_flipcoordinates("""
    + _SHOWN
    + ") else "
    + _SHOWN
    + """ end, :digits, 0)::json,
  'properties', json_build_object(
    'code', g.code, 'name', g.name, 'level', g.level, 'kind', g.kind, 'parent', p.code,
    'community', left(g.code, 12), 'station', st.code, 'station_name', st.name,
    'households', g.households, 'area_m2', round(g.area_m2::numeric, 1),
    'version', g.version_id,
    'responsible', (
      select json_build_object('role', a.role, 'person_no', pe.person_no, 'name', pe.name,
                               'phone', pe.phone)
      from grid_assignments a join people pe on pe.id = a.person_id
      where a.grid_code = g.code and a.role = :role and pe.active and """
    + on_duty_sql("a")
    + """
      order by a.valid_from desc, a.id desc limit 1)))::text,
  count(*) over ()
"""
    + _WHERE
    + " order by g.code limit :limit offset :offset"
)

_COUNT_SQL = "select count(*) " + _WHERE
