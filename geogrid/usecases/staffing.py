"""Staffing grids: filling gaps from the register and reporting who is still missing.

Assignments are by stable grid code with validity dates, so a redraw that keeps a grid's
code keeps its people. Level-2 grids need a grid leader (网格长, police assistant), level-3
units an information officer (网格信息员), communities a community police officer (社区民警).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Engine, text

from geogrid.errors import InputError, NotFoundError, NotQualifiedError
from geogrid.storage.duty import on_duty_sql
from geogrid.storage.selection import qualified_sql, selection_gaps
from geogrid.storage.versions import active_version
from geogrid.vocabulary import CODE_LENGTH, LEVEL_OF_ROLE, ROLE_BY_LEVEL, china_today

_OPEN = on_duty_sql("a")
_QUALIFIED = qualified_sql("p")


@dataclass(frozen=True)
class StaffReport:
    """Coverage of each level, the grids still without a person, and the idle people."""

    coverage: dict[int, tuple[int, int]]  # level -> (grids staffed, grids)
    unstaffed: dict[int, list[str]]  # level -> codes (first 50)
    idle_people: list[tuple[str, str, str]]  # person_no, name, role (first 50)
    idle_count: int
    vetting: dict[str, int]


def auto_assign(engine: Engine, version_id: int, day: date | None = None) -> dict[int, int]:
    """Give every unstaffed grid of the version a free person of the right role.

    People are taken from the grid's own community first (by register number); an
    assistant who has not passed every stage of selection (storage/selection.py) is never
    assigned.
    """
    day = day or china_today()
    made = {}
    with engine.begin() as conn:
        for level, role in ROLE_BY_LEVEL.items():
            sql = _POLICE_SQL if level == 1 else _AUTO_SQL
            params = {"v": version_id, "level": level, "role": role, "day": day}
            made[level] = conn.execute(text(sql), params).rowcount
    return made


# A community police officer serves several communities of his station: deal the station's
# unstaffed communities round-robin to its officers.
_POLICE_SQL = f"""
with open_communities as (
  select g.code, sc.station_id,
         row_number() over (partition by sc.station_id order by g.code) - 1 as n
  from grids g join station_communities sc on sc.community_code = g.code
  where g.version_id = :v and g.level = 1
    and not exists (select 1 from grid_assignments a
                    where a.grid_code = g.code and a.role = :role and {_OPEN})
), officers as (
  select p.id, p.station_id,
         row_number() over (partition by p.station_id order by p.person_no) - 1 as n,
         count(*) over (partition by p.station_id) as k
  from people p
  where p.active and :role = any(p.roles) and p.vetting_status <> 'failed'
)
insert into grid_assignments (person_id, grid_code, role, valid_from)
select o.id, c.code, :role, :day from open_communities c
join officers o on o.station_id = c.station_id and o.n = c.n % o.k
"""


# Pair the n-th unstaffed grid of a community with the n-th free person of that community;
# the rest (grids of communities that ran out) with the county's remaining free people.
_AUTO_SQL = f"""
with grids_open as (
  select g.code, left(g.code, 12) as community,
         row_number() over (partition by left(g.code, 12) order by g.code) as n
  from grids g
  where g.version_id = :v and g.level = :level
    and not exists (select 1 from grid_assignments a
                    where a.grid_code = g.code and a.role = :role and {_OPEN})
), people_free as (
  select p.id, p.community_code as community,
         row_number() over (partition by p.community_code
                            order by (p.vetting_status <> 'passed'), p.person_no) as n
  from people p
  where p.active and :role = any(p.roles) and {_QUALIFIED}
    and not exists (select 1 from grid_assignments a where a.person_id = p.id and {_OPEN})
), local as (
  select g.code, f.id from grids_open g join people_free f
    on f.community = g.community and f.n = g.n
), rest_grids as (
  select code, row_number() over (order by code) as n from grids_open
  where code not in (select code from local)
), rest_people as (
  select id, row_number() over (order by id) as n from people_free
  where id not in (select id from local)
)
insert into grid_assignments (person_id, grid_code, role, valid_from)
select id, code, :role, :day from local
union all
select p.id, g.code, :role, :day from rest_grids g join rest_people p on p.n = g.n
"""


def staff_report(engine: Engine, version_id: int, day: date | None = None) -> StaffReport:
    """Grids without a person, people without a grid, and vetting status counts."""
    day = day or china_today()
    params = {"v": version_id, "day": day}
    coverage, unstaffed = {}, {}
    with engine.connect() as conn:
        for level, role in ROLE_BY_LEVEL.items():
            rows = conn.execute(text(
                "select g.code, exists (select 1 from grid_assignments a where a.grid_code = g.code"
                f" and a.role = :role and {_OPEN}) as staffed from grids g"
                " where g.version_id = :v and g.level = :level order by g.code"
            ), params | {"role": role, "level": level}).all()  # fmt: skip
            coverage[level] = (sum(r.staffed for r in rows), len(rows))
            unstaffed[level] = [r.code for r in rows if not r.staffed][:50]
        idle = conn.execute(text(
            "select p.person_no, p.name, p.roles[1] as role from people p where p.active and"
            f" not exists (select 1 from grid_assignments a where a.person_id = p.id and {_OPEN})"
            " order by p.person_no"
        ), params).all()  # fmt: skip
        vetting = dict(conn.execute(text(
            "select vetting_status, count(*) from people group by 1 order by 1"
        )).all())  # fmt: skip
    return StaffReport(coverage, unstaffed, [tuple(r) for r in idle[:50]], len(idle), vetting)


def assign_person(
    conn: Connection, person_no: str, grid_code: str, role: str, first_day: date
) -> int:
    """Put one person on a grid of the active version in a role from `first_day` (an open
    assignment); refused, naming what is missing, unless they passed every stage of
    selection. Returns the assignment id."""
    if not 1900 <= first_day.year <= 2999:
        raise InputError(f"first_day {first_day} is not a day of the years 1900-2999",
                         field="first_day")  # fmt: skip
    if role not in LEVEL_OF_ROLE:
        raise InputError(f"unknown role {role!r}: use {', '.join(LEVEL_OF_ROLE)}", field="role")
    if len(grid_code) != CODE_LENGTH[LEVEL_OF_ROLE[role]]:
        raise InputError(f"a {role} holds a grid of level {LEVEL_OF_ROLE[role]}: {grid_code!r} "
                         "is not one", field="grid_code")  # fmt: skip
    grid = conn.execute(text("select 1 from grids where version_id = :v and code = :c"),
                        {"v": active_version(conn), "c": grid_code}).first()  # fmt: skip
    if grid is None:
        raise NotFoundError(f"no grid {grid_code} in the active version", field="grid_code")
    person = conn.execute(text("select id, name, roles from people where person_no = :n"),
                          {"n": person_no}).first()  # fmt: skip
    if person is None:
        raise NotFoundError(f"no person {person_no!r} in the register", field="person_no")
    if role not in (person.roles or ()):
        raise InputError(f"{person_no} {person.name} is not a {role}", field="role")
    gaps = selection_gaps(conn, person.id)
    if gaps:
        raise NotQualifiedError(
            f"{person_no} {person.name} cannot be put on grid {grid_code}: "
            f"selection not passed ({', '.join(gaps)})", field="person_no")  # fmt: skip
    return conn.execute(text(
        "insert into grid_assignments (person_id, grid_code, role, valid_from)"
        " values (:p, :c, :r, :d) returning id"),
        {"p": person.id, "c": grid_code, "r": role, "d": first_day}).scalar_one()  # fmt: skip
