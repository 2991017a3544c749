"""Whose logs, patrols and check-ins a caller sees: grid staff their own, a station those
made by people holding grids in its jurisdiction that day, the county everything."""

from __future__ import annotations

from sqlalchemy import ARRAY, ColumnElement, Text, any_, bindparam, false, func, select, true

from geogrid.access.errors import Forbidden
from geogrid.access.roles import Caller
from geogrid.storage.models import Person

PEOPLE = Person.__table__


def visible_rows(caller: Caller, table) -> ColumnElement[bool]:
    """The condition on `table` (a table with person_id and grid_codes) for this caller."""
    if caller.sees_all:
        return true()
    if caller.role == "station":
        code = func.unnest(table.c.grid_codes).column_valued("held_code")
        communities = bindparam("communities", sorted(caller.communities), type_=ARRAY(Text))
        return select(code).where(func.left(code, 12) == any_(communities)).exists()
    if caller.role == "grid_staff" and caller.person_id is not None:
        return table.c.person_id == caller.person_id
    return false()


def person_filter(table, person_no: str | None) -> ColumnElement[bool]:
    """Only the rows of the person with this register number (any when None)."""
    if person_no is None:
        return true()
    return (
        table.c.person_id
        == select(PEOPLE.c.id).where(PEOPLE.c.person_no == person_no).scalar_subquery()
    )


def own_person(caller: Caller) -> int:
    """The person whose logs and patrols the caller writes: its own; Forbidden (403) for a
    token not linked to a person (a county administrator's, usually)."""
    if caller.person_id is None:
        raise Forbidden("only a token linked to a person writes work logs, patrols and "
                        "check-ins (its own)")  # fmt: skip
    return caller.person_id
