"""Who is on duty: the one rule for when a grid assignment holds, and the reads built on it.

An assignment holds from `valid_from` through `valid_to` (both days included); an open one
(`valid_to` null) holds from its first day on. Every front asks here: SQLAlchemy fronts take
the expressions, the hand-written SQL of exports, features and prints takes the fragment.

Leave (请假): while a person is on approved leave, a cover (duty_covers: a neighbouring
grid's leader or the community police officer, chosen by the station) is on duty for their
grid instead, from the cover's first through its last day; return (销假) ends the cover.
`people_on_duty`, `grids_held` and `assignment_periods` (the intake's index) put the cover
in; the bare rule (`on_duty`, `on_duty_sql`) says who holds the grid, leave or not.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import NamedTuple

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Date,
    FromClause,
    Row,
    Select,
    Text,
    and_,
    any_,
    bindparam,
    func,
    or_,
    select,
    union,
)

from geogrid.storage.models import GridAssignment, Person
from geogrid.storage.team_tables import DutyCover

ASSIGNMENTS = GridAssignment.__table__
COVERS = DutyCover.__table__
ONE_DAY = timedelta(days=1)

# Changes whenever an assignment period is added, ended or moved: part of the assignment
# index's staleness stamp.
PERIODS_FINGERPRINT = (
    "(select sum(coalesce(valid_to, date '2999-01-01') - valid_from) from grid_assignments)"
)
# Changes whenever a cover is added or ended early (a return): the same stamp's other part.
COVERS_FINGERPRINT = (
    "(select count(*) || ':' || coalesce(max(id), 0) || ':'"
    " || coalesce(sum(last_day - first_day), 0) from duty_covers)"
)


def on_duty(day: date, assignments: FromClause = ASSIGNMENTS) -> ColumnElement[bool]:
    """The assignment holds on `day`."""
    c = assignments.c
    return and_(c.valid_from <= day, or_(c.valid_to.is_(None), c.valid_to >= day))


def on_duty_during(
    first: date, last: date, assignments: FromClause = ASSIGNMENTS
) -> ColumnElement[bool]:
    """The assignment holds on at least one day from `first` through `last`."""
    c = assignments.c
    return and_(c.valid_from <= last, or_(c.valid_to.is_(None), c.valid_to >= first))


def on_duty_sql(alias: str = "a", day: str = ":day") -> str:
    """The rule as a SQL condition on assignments `alias` for the bound parameter `day`.

    Both arguments are names written in code (never user input); the day stays bound.
    """
    return (
        f"{alias}.valid_from <= {day} and ({alias}.valid_to is null or {alias}.valid_to >= {day})"
    )


def on_duty_during_sql(alias: str = "a", first: str = ":first", last: str = ":last") -> str:
    """`on_duty_during` as a SQL condition on assignments `alias` for bound parameters."""
    open_or_later = f"({alias}.valid_to is null or {alias}.valid_to >= {first})"
    return f"{alias}.valid_from <= {last} and {open_or_later}"


def people_on_duty(
    conn: Connection,
    day: date,
    *,
    codes: Sequence[str] | None = None,
    communities: Sequence[str] | None = None,
    by_name: bool = False,
) -> list[Row]:
    """(grid_code, role, person_no, name, phone) of everyone on duty on `day`.

    Limited to the grids `codes` and/or the grids inside `communities` (12-digit codes);
    ordered by grid code, then role and register number (or, `by_name`, by name).
    """
    # built once per shape (building took longer than the answer)
    query = _on_duty_query(codes is not None, communities is not None, by_name)
    params = {"day": day, "codes": list(codes or ()), "communities": list(communities or ())}
    return list(conn.execute(query, params))


@functools.cache
def _on_duty_query(codes: bool, communities: bool, by_name: bool) -> Select:
    day = bindparam("day", type_=Date, required=True)
    cover = _cover_on(day)
    holder = func.coalesce(cover.c.cover_person_id, GridAssignment.person_id)
    then = (Person.name,) if by_name else (GridAssignment.role, Person.person_no)
    query = (
        select(GridAssignment.grid_code, GridAssignment.role, Person.person_no, Person.name,
               Person.phone)
        .outerjoin(cover, and_(cover.c.grid_code == GridAssignment.grid_code,
                               cover.c.role == GridAssignment.role,
                               cover.c.absent_person_id == GridAssignment.person_id))
        .join(Person, Person.id == holder)
        .where(on_duty(day))
        .order_by(GridAssignment.grid_code, *then)
    )  # fmt: skip
    if codes:  # one array parameter however many codes a print job names
        query = query.where(GridAssignment.grid_code == any_(_texts("codes")))
    if communities:
        community = func.left(GridAssignment.grid_code, 12)
        query = query.where(community == any_(_texts("communities")))
    return query


def _cover_on(day):
    """The covers in force on `day` (a date or a parameter), as a subquery."""
    c = COVERS.c
    return select(COVERS).where(c.first_day <= day, c.last_day >= day).subquery("cover")


def _texts(name: str):
    return bindparam(name, type_=ARRAY(Text), required=True)


def grids_held(conn: Connection, person_id: int, day: date) -> tuple[str, ...]:
    """Codes of the grids a person is on duty for on `day` (those they cover for someone on
    leave included), in code order."""
    held = select(GridAssignment.grid_code).where(GridAssignment.person_id == person_id,
                                                  on_duty(day))  # fmt: skip
    c = COVERS.c
    covered = select(c.grid_code).where(c.cover_person_id == person_id, c.first_day <= day,
                                        c.last_day >= day)  # fmt: skip
    found = union(held, covered).subquery()
    return tuple(conn.execute(select(found.c.grid_code).order_by(found.c.grid_code)).scalars())


def end_duty(conn: Connection, person_id: int, day: date) -> list[str]:
    """End a person's assignments so they are off duty from `day` on (a dismissal): those
    begun earlier end the day before, those not yet begun are dropped. The grid codes."""
    a = ASSIGNMENTS.c
    held = and_(a.person_id == person_id, or_(a.valid_to.is_(None), a.valid_to >= day))
    ended = conn.execute(
        ASSIGNMENTS.update().where(held, a.valid_from < day).values(valid_to=day - ONE_DAY)
        .returning(a.grid_code)).scalars().all()  # fmt: skip
    dropped = conn.execute(ASSIGNMENTS.delete().where(held, a.valid_from >= day)
                           .returning(a.grid_code)).scalars().all()  # fmt: skip
    return sorted({*ended, *dropped})


class Period(NamedTuple):
    """One person on duty for one grid in one role from first_day through last_day (None:
    open)."""

    role: str
    grid_code: str
    person_id: int
    first_day: date
    last_day: date | None


def assignment_periods(conn: Connection) -> list[Period]:
    """Every active person's periods on duty, the covers of leave cut in: what the assignment
    index holds in memory (a holder's period is split around the days a cover stands in)."""
    query = (
        select(
            GridAssignment.role,
            GridAssignment.grid_code,
            GridAssignment.person_id,
            GridAssignment.valid_from.label("first_day"),
            GridAssignment.valid_to.label("last_day"),
        )
        .join(Person, Person.id == GridAssignment.person_id)
        .where(Person.active)
    )
    covers = defaultdict(list)
    for c in conn.execute(select(COVERS).order_by(COVERS.c.first_day)):
        covers[(c.role, c.grid_code, c.absent_person_id)].append(c)
    periods = []
    for row in conn.execute(query):
        period = Period(*row)
        mine = covers.get((period.role, period.grid_code, period.person_id))
        periods.extend(_cut(period, mine) if mine else (period,))
    return periods


def held_during(
    conn: Connection, first: date, last: date, roles: Sequence[str],
    area: Sequence[str] | None = None,
) -> set[tuple[int, str]]:  # fmt: skip
    """(person id, grid code) of everyone on duty in one of `roles` on some day from
    `first` through `last` (inside grids starting with one of `area`'s codes, if given):
    active people only, a leave's cover for its days (the periods of `assignment_periods`)."""
    prefixes = None if area is None else tuple(area)
    return {
        (p.person_id, p.grid_code) for p in assignment_periods(conn)
        if p.role in roles and p.first_day <= last and (p.last_day is None or p.last_day >= first)
        and (prefixes is None or p.grid_code.startswith(prefixes))
    }  # fmt: skip


def _cut(period: Period, covers: list[Row]) -> Iterator[Period]:
    """The holder's period with each cover's days (in day order) given to the cover."""
    start, end = period.first_day, period.last_day
    for cover in covers:
        first = max(cover.first_day, start)
        last = cover.last_day if end is None else min(cover.last_day, end)
        if first > last:
            continue  # the cover falls outside what is left of the period
        if first > start:
            yield period._replace(first_day=start, last_day=first - ONE_DAY)
        yield period._replace(person_id=cover.cover_person_id, first_day=first, last_day=last)
        start = last + ONE_DAY
    if end is None or start <= end:
        yield period._replace(first_day=start, last_day=end)


def move_assignment(conn: Connection, person_id: int, role: str, grid_code: str, day: date) -> None:
    """A person holds `grid_code` in `role` from `day` on: periods of that role that would
    start on or after the day go, the current one ends the day before, a new one starts."""
    c = ASSIGNMENTS.c
    mine = and_(c.person_id == person_id, c.role == role)
    conn.execute(ASSIGNMENTS.delete().where(mine, c.valid_from >= day))
    conn.execute(
        ASSIGNMENTS.update()
        .where(mine, or_(c.valid_to.is_(None), c.valid_to >= day))
        .values(valid_to=day - timedelta(days=1))
    )
    conn.execute(ASSIGNMENTS.insert().values(person_id=person_id, grid_code=grid_code, role=role,
                                             valid_from=day))  # fmt: skip
