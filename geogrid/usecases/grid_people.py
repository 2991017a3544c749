"""Grids and the people on them, as a desk sees its part of the county: the grids still
without their person, the people with their vetting state and grids, and moving a person
to another grid from a day on.

A move ends the person's open assignments in the role the day before and starts one on the
new grid (storage/duty.py, where periods are written); a grid that already has someone of
that role on duty that day is a conflict naming them (end theirs first), so a grid never
gets two leaders by a slip.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import Connection, text

from geogrid.access import audit
from geogrid.access.roles import Caller
from geogrid.errors import ConflictError, InputError, NotFoundError, NotQualifiedError
from geogrid.storage.duty import move_assignment, on_duty_sql
from geogrid.storage.paging import PageAsk, Paged, paged, person_matches_sql
from geogrid.storage.selection import selection_gaps
from geogrid.storage.versions import active_version_or_none
from geogrid.vocabulary import LEVEL_OF_CODE_LENGTH, ROLE_BY_LEVEL

_ON_DUTY = on_duty_sql("a")
# Codes nest by prefix: a community's 12 digits start its grids' and units' codes.
_IN_AREA = ("(cast(:area as text[]) is null or {code} like any(array("
            "select x || '%' from unnest(cast(:area as text[])) x)))")  # fmt: skip


def _area(caller: Caller) -> list[str] | None:
    codes = caller.area_codes()
    return None if codes is None else list(codes)


def unstaffed_grids(conn: Connection, caller: Caller, day: date, ask: PageAsk) -> Paged:
    """A page of the grids of the active version in the caller's area without their person
    on `day` (level 2: a grid leader, level 3: an information officer), by code, searched
    by the start of the code or a part of the name; with the count of all of them."""
    version = active_version_or_none(conn)
    if version is None:
        return Paged(ask, 0)
    where = (
        "from grids g where g.version_id = :v and g.level in (2, 3) and "
        + _IN_AREA.format(code="g.code")
        + " and (cast(:q as text) is null or starts_with(g.code, :q) or strpos(g.name, :q) > 0)"
        " and not exists (select 1 from grid_assignments a where a.grid_code = g.code and "
        "a.role = case g.level when 2 then 'grid_leader' else 'information_officer' end and "
        f"{_ON_DUTY})"
    )
    bound = {"v": version, "area": _area(caller), "day": day, "q": ask.pattern}
    rows = conn.execute(text(
        "select g.level, g.code, g.name, g.households, count(*) over () as whole " + where
        + " order by g.code limit :limit offset :offset"
    ), bound | {"limit": ask.size, "offset": ask.offset}).mappings()  # fmt: skip
    return paged(ask, [dict(r) for r in rows], _counter(conn, where, bound))


def _counter(conn: Connection, where: str, bound: dict) -> Callable[[], int]:
    """Counts a list apart (a page past its end has no row to count it)."""
    return lambda: conn.execute(text("select count(*) " + where), bound).scalar_one()


# People of the caller's area: their station's, or holding a grid of it on the day.
_PEOPLE_OF_AREA = (
    "from people p where p.active and (cast(:all as boolean) or p.station_id = :s or "
    "exists (select 1 from grid_assignments b where b.person_id = p.id and "
    + _IN_AREA.format(code="b.grid_code") + "))"
)  # fmt: skip


def _area_bound(caller: Caller, day: date) -> dict:
    station = caller.station_id if caller.role == "station" else None
    return {"day": day, "all": caller.sees_all, "s": station, "area": _area(caller)}


def people_of_area(conn: Connection, caller: Caller, day: date, ask: PageAsk) -> Paged:
    """A page of the active people of the caller's area (their station, or a grid of it
    they hold) with their vetting state and the grids they hold on `day`, by register
    number, searched by name, number or grid code; with the count of all who match."""
    where = _PEOPLE_OF_AREA + " and " + person_matches_sql("p")
    bound = _area_bound(caller, day) | {"q": ask.pattern}
    # The page's people first (counting the whole in the same scan), their grids after.
    rows = conn.execute(text(
        "with shown as (select p.id, count(*) over () as whole " + where + " order by "
        "p.person_no limit :limit offset :offset) select p.person_no, p.name, p.phone, p.roles, "
        "p.vetting_status, coalesce(array_agg(a.grid_code order by a.grid_code) filter "
        "(where a.id is not null), '{}') as grids, min(shown.whole) as whole from shown join "
        "people p on p.id = shown.id left join grid_assignments a on a.person_id = p.id and "
        f"{_ON_DUTY} group by p.id order by p.person_no"
    ), bound | {"limit": ask.size, "offset": ask.offset}).mappings()  # fmt: skip
    people = [dict(r) for r in rows]
    _phones_shown(conn, caller, people)
    return paged(ask, people, _counter(conn, where, bound))


def _phones_shown(conn: Connection, caller: Caller, people: list[dict]) -> None:
    """Phones are personal data: blanked for a role that does not see details, and a read
    of those shown audited (`people_contacts`, naming whose)."""
    if not caller.sees_details:
        for person in people:
            person["phone"] = ""
        return
    shown = [p["person_no"] for p in people if p["phone"]]
    if shown:
        audit.record(conn, caller, "read", "people_contacts", "",
                     {"count": len(shown), "people": shown})  # fmt: skip


def move_person(conn: Connection, caller: Caller, person_no: str, grid_code: str,
                day: date) -> str:  # fmt: skip
    """Move a person to a grid from `day` in the role of the grid's level; the role."""
    level = LEVEL_OF_CODE_LENGTH.get(len(grid_code)) if grid_code.isdigit() else None
    if level not in (2, 3):
        raise InputError(f"grid {grid_code!r} is not a 15 or 18 digit code", field="grid_code")
    if not caller.covers(grid_code):
        raise NotFoundError(f"no grid {grid_code}", field="grid_code")
    role = ROLE_BY_LEVEL[level]
    person = _person(conn, caller, person_no, day)
    holder = conn.execute(text(
        "select p.name from grid_assignments a join people p on p.id = a.person_id where "
        f"a.grid_code = :g and a.role = :r and a.person_id <> :p and {_ON_DUTY}"
    ), {"g": grid_code, "r": role, "p": person, "day": day}).scalar()  # fmt: skip
    if holder is not None:
        raise ConflictError(f"grid {grid_code} has {holder} as {role} on {day}: end that "
                            "first", field="grid_code")  # fmt: skip
    move_assignment(conn, person, role, grid_code, day)
    return role


def _person(conn: Connection, caller: Caller, person_no: str, day: date) -> int:
    """The id of an active person the caller may move (its own, for a station)."""
    row = conn.execute(text("select p.id, p.vetting_status " + _PEOPLE_OF_AREA
                            + " and p.person_no = :n"),
                       _area_bound(caller, day) | {"n": person_no}).first()  # fmt: skip
    if row is None:
        raise NotFoundError(f"no active person {person_no}", field="person_no")
    if row.vetting_status == "failed":
        raise ConflictError(f"{person_no} failed vetting and is never assigned",
                            field="person_no")  # fmt: skip
    gaps = selection_gaps(conn, row.id)  # the one rule of who may be put on a grid
    if gaps:
        raise NotQualifiedError(f"{person_no} cannot be put on a grid: selection not passed "
                                f"({', '.join(gaps)})", field="person_no")  # fmt: skip
    return row.id
