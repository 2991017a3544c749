"""A person of the register as the team's use cases need them, found by register number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, text

from geogrid.errors import InputError, NotFoundError


@dataclass(frozen=True)
class PersonRef:
    """Who: id, register number, name, roles and community (their station's area)."""

    id: int
    person_no: str
    name: str
    roles: tuple[str, ...]
    community_code: str | None

    def label(self) -> str:
        """Register number and name, as messages name a person."""
        return f"{self.person_no} {self.name}"


def plausible_day(day: date, field: str) -> date:
    """A day of the years 1900-2999 (the register's, as months are); else InputError naming
    the field: a day near the calendar's ends cannot have a day before or after it."""
    if not 1900 <= day.year <= 2999:
        raise InputError(f"{field} {day} is not a day of the years 1900-2999", field=field)
    return day


def find_person(conn: Connection, person_no: str) -> PersonRef:
    """The person with this register number (NotFoundError naming it when there is none)."""
    row = conn.execute(
        text("select id, person_no, name, roles, community_code from people where person_no = :n"),
        {"n": person_no},
    ).first()
    if row is None:
        raise NotFoundError(f"no person {person_no!r} in the register", field="person_no")
    return PersonRef(row.id, row.person_no, row.name, tuple(row.roles or ()), row.community_code)


def person_by_id(conn: Connection, person_id: int) -> PersonRef:
    """The person with this id."""
    number = conn.execute(text("select person_no from people where id = :p"), {"p": person_id})
    found = number.scalar()
    if found is None:
        raise NotFoundError(f"no person with id {person_id}", field="person_id")
    return find_person(conn, found)
