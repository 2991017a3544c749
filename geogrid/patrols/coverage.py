"""Patrol coverage (巡查覆盖率) of the units in a month, computed in PostGIS.

A unit's coverage is the share of its area within PATROL_COVER_M of the tracks of the
patrols started in the month (China time): the tracks, in the county's projected zone
(geo/crs.py), clipped near the unit and buffered, unioned, and intersected with the unit.
Its visits are the patrols, and the China days, whose tracks come that near. Patrols
still running are drawn on read from their points (patrols/track_sql.py). A person's
coverage is the area-weighted coverage of the units in the grids they were on duty for
during the month (a grid leader: the units of the grid; an information officer: the unit).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Connection, select, text

from geogrid.errors import InputError
from geogrid.geo.crs import projected_crs_for
from geogrid.patrols.track_sql import TRACKS, ids_param
from geogrid.storage.duty import held_during
from geogrid.storage.models import Person
from geogrid.storage.versions import active_version_or_none
from geogrid.vocabulary import (
    ASSISTANT_ROLES,
    CHINA_OFFSET_S,
    CODE_LENGTH,
    PATROL_COVER_M,
    SECONDS_PER_DAY,
    china_month,
)

METRES_PER_DEGREE = 111_320.0
PEOPLE = Person.__table__


@dataclass(frozen=True)
class UnitCoverage:
    """One unit's month: its area, the part within reach of a track, visits, check-ins."""

    code: str
    name: str
    area_m2: float
    covered_m2: float
    share: float
    patrols: int
    days: int
    check_ins: int


COVERAGE = f"""
with units as materialized (
  select g.code, g.name, st_transform(g.geom, :epsg) as geom_m,
         st_expand(st_envelope(g.geom), :margin) as near_box
  from grids g
  where g.version_id = :version and g.level = 3
    and (cast(:area as text[]) is null or g.code like any (cast(:area as text[])))
), running as (
  select p.id, p.started_at, d.track
  from patrols p join ({TRACKS}) d on d.patrol_id = p.id
), pairs as (
  -- Stopped patrols through the GiST index on their tracks, one probe per unit; running
  -- ones (drawn above) are few.
  select u.code, p.id, p.started_at, st_transform(p.track, :epsg) as line_m
  from units u join patrols p on p.track && u.near_box
  where p.started_at >= :start and p.started_at < :end
  union all
  select u.code, r.id, r.started_at, st_transform(r.track, :epsg)
  from units u join running r on r.track && u.near_box
), near as materialized (
  select p.code, p.id,
         floor((extract(epoch from p.started_at) + {CHINA_OFFSET_S}) / {SECONDS_PER_DAY}) as day,
         st_clipbybox2d(p.line_m, st_expand(box2d(u.geom_m), :cover + 10)) as piece
  from pairs p join units u on u.code = p.code
  where st_dwithin(u.geom_m, p.line_m, :cover)
), visits as (
  -- A piece simplified by 5 m (within GPS scatter) buffers four times faster: the
  -- scatter's zigzag is what makes a walked line's buffer costly (bench_coverage.py:
  -- 32 s unsimplified, 7.6 s so, the covered area 0.5 % apart).
  select code, count(distinct id) as patrols, count(distinct day) as days,
         st_union(st_buffer(st_simplify(piece, 5), :cover)) as reach
  from near group by code
), checked as (
  select unit_code as code, count(*) as check_ins from check_ins
  where at >= :start and at < :end and unit_code is not null group by unit_code
)
select u.code, u.name, st_area(u.geom_m) as area_m2,
       coalesce(st_area(st_intersection(u.geom_m, v.reach)), 0) as covered_m2,
       coalesce(v.patrols, 0) as patrols, coalesce(v.days, 0) as days,
       coalesce(k.check_ins, 0) as check_ins
from units u left join visits v on v.code = u.code left join checked k on k.code = u.code
order by u.code
"""


def coverage_by_unit(
    conn: Connection, month: str, *, area: tuple[str, ...] | None = None
) -> list[UnitCoverage]:
    """Every unit of the active version (within `area`, code prefixes; None: the county)
    with its coverage of the month."""
    start, end = _month(month)
    version = active_version_or_none(conn)
    if version is None:
        return []  # no grids yet: nothing to cover
    epsg, lat = _zone(conn, version)
    # A box this many degrees around a unit holds everything within PATROL_COVER_M of it.
    margin = 2 * PATROL_COVER_M / (METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    ids = list(conn.execute(text("select id from patrols where track is null and started_at "
                                 ">= :start and started_at < :end"),
                            {"start": start, "end": end}).scalars())  # fmt: skip
    params = {"epsg": epsg, "version": version, "start": start, "end": end,
              "cover": PATROL_COVER_M, "margin": margin,
              "area": None if area is None else [f"{code}%" for code in area]}  # fmt: skip
    rows = conn.execute(text(COVERAGE).bindparams(ids_param(ids)), params)
    return [_unit(row) for row in rows]


def _unit(row) -> UnitCoverage:
    share = row.covered_m2 / row.area_m2 if row.area_m2 > 0 else 0.0
    return UnitCoverage(row.code, row.name, round(row.area_m2, 1), round(row.covered_m2, 1),
                        round(min(share, 1.0), 4), row.patrols, row.days,
                        row.check_ins)  # fmt: skip


def coverage_by_person(
    conn: Connection, month: str, *, area: tuple[str, ...] | None = None
) -> dict[int, float]:
    """Person id -> the area-weighted coverage (0..1) of the units in the grids the person
    was on duty for during the month (the assessment's 巡查覆盖率); people holding grids
    within `area` (code prefixes; None: the county)."""
    units = coverage_by_unit(conn, month, area=area)
    # Sums of area and covered area per grid code of every level: a code's units by prefix.
    sums: dict[str, list[float]] = {}
    for unit in units:
        for length in CODE_LENGTH.values():
            total = sums.setdefault(unit.code[:length], [0.0, 0.0])
            total[0] += unit.area_m2
            total[1] += unit.covered_m2
    grids: dict[int, set[str]] = {}
    for person, code in _held(conn, month, area):
        grids.setdefault(person, set()).add(code)
    return {person: _weighted(sums, codes) for person, codes in grids.items()}


def people_coverage(
    conn: Connection, month: str, *, area: tuple[str, ...] | None = None,
    person_id: int | None = None,
) -> list[dict]:  # fmt: skip
    """{person_no, name, coverage} of the people `coverage_by_person` finds (or only
    `person_id`), by register number."""
    found = coverage_by_person(conn, month, area=area)
    if person_id is not None:
        found = {person_id: found.get(person_id, 0.0)}
    query = select(PEOPLE.c.id, PEOPLE.c.person_no, PEOPLE.c.name).where(
        PEOPLE.c.id.in_(list(found))
    )
    rows = sorted(conn.execute(query), key=lambda r: r.person_no)
    return [{"person_no": r.person_no, "name": r.name, "coverage": found[r.id]} for r in rows]


def _held(conn: Connection, month: str, area: tuple[str, ...] | None) -> list:
    """(person id, grid code) of the leaders and officers on duty some day of the month."""
    start, end = _month(month)
    return sorted(held_during(conn, start.date(), end.date() - timedelta(days=1),
                              ASSISTANT_ROLES, area))  # fmt: skip


def _weighted(sums: dict[str, list[float]], codes: set[str]) -> float:
    # A leader's grid and an officer's unit inside it would count the unit twice: drop
    # codes inside another code of the same person.
    outer = [c for c in codes if not any(c != o and c.startswith(o) for o in codes)]
    area = sum(sums.get(code, (0.0, 0.0))[0] for code in outer)
    covered = sum(sums.get(code, (0.0, 0.0))[1] for code in outer)
    return round(covered / area, 4) if area > 0 else 0.0


def _month(month: str):
    bounds = china_month(month)
    if bounds is None:
        raise InputError(f"month {month!r} is not YYYY-MM", field="month")
    return bounds


def _zone(conn: Connection, version: int) -> tuple[int, float]:
    """The county's projected zone (EPSG) and the latitude of its centre."""
    lon, lat = conn.execute(text(
        "select st_x(c), st_y(c) from (select st_centroid(st_extent(geom)::geometry) as c "
        "from grids where version_id = :v and level = 1) x"), {"v": version}).one()  # fmt: skip
    return projected_crs_for(lon, lat), lat
