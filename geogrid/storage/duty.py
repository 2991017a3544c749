"""Who is on duty: the one rule for when a grid assignment holds, and the reads built on it.

An assignment holds from `valid_from` through `valid_to` (both days included); an open one
(`valid_to` null) holds from its first day on. Every front asks here: SQLAlchemy fronts take
the expressions, the hand-written SQL of exports, features and prints takes the fragment.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    FromClause,
    Row,
    Text,
    and_,
    any_,
    bindparam,
    func,
    or_,
    select,
)

from geogrid.storage.models import GridAssignment, Person

ASSIGNMENTS = GridAssignment.__table__

# Changes whenever an assignment period is added, ended or moved: part of the assignment
# index's staleness stamp.
PERIODS_FINGERPRINT = (
    "(select sum(coalesce(valid_to, date '2999-01-01') - valid_from) from grid_assignments)"
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
    then = (Person.name,) if by_name else (GridAssignment.role, Person.person_no)
    query = (
        select(GridAssignment.grid_code, GridAssignment.role, Person.person_no, Person.name,
               Person.phone)
        .join(Person, Person.id == GridAssignment.person_id)
        .where(on_duty(day))
        .order_by(GridAssignment.grid_code, *then)
    )  # fmt: skip
    if codes is not None:  # one array parameter however many codes a print job names
        query = query.where(GridAssignment.grid_code == any_(_texts("codes", codes)))
    if communities is not None:
        community = func.left(GridAssignment.grid_code, 12)
        query = query.where(community == any_(_texts("communities", communities)))
    return list(conn.execute(query))


def _texts(name: str, values: Sequence[str]):
    return bindparam(name, list(values), type_=ARRAY(Text))


def grids_held(conn: Connection, person_id: int, day: date) -> tuple[str, ...]:
    """Codes of the grids a person is on duty for on `day`, in code order."""
    query = (
        select(GridAssignment.grid_code)
        .distinct()
        .where(GridAssignment.person_id == person_id, on_duty(day))
        .order_by(GridAssignment.grid_code)
    )
    return tuple(conn.execute(query).scalars())


def assignment_periods(conn: Connection) -> list[Row]:
    """(role, grid_code, person_id, first_day, last_day) of every active person's
    assignments, last_day None when open: the periods the assignment index holds in memory."""
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
    return list(conn.execute(query))


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
