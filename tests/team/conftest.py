"""The team's tests work on the tiny sample county inside a transaction rolled back after
each test, with people of their own."""

from __future__ import annotations

from sqlalchemy import Connection, text


def new_person(conn: Connection, number: str, name: str, community: str,
               role: str = "grid_leader", phone: str = "10012345678") -> int:  # fmt: skip
    """A person on the register with no selection history yet (vetting pending)."""
    return conn.execute(text(
        "insert into people (person_no, name, phone, gender, age, roles, vetting_status,"
        " community_code, active) values (:n, :name, :phone, '男', 45, array[:role], 'pending',"
        " :c, true)"
        " returning id"), {"n": number, "name": name, "phone": phone, "role": role,
                           "c": community}).scalar_one()  # fmt: skip


def a_grid(conn: Connection, level: int = 2, offset: int = 0) -> str:
    """The code of a grid of the active version at `level`, in code order."""
    return conn.execute(text(
        "select g.code from grids g join grid_versions v on v.id = g.version_id"
        " where v.status = 'active' and g.level = :l order by g.code offset :o limit 1"),
        {"l": level, "o": offset}).scalar_one()  # fmt: skip
