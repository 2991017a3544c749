"""API users: created with a token shown once, listed, revoked, and found by their token.

The same functions serve `geogrid users ...` and the API's authentication.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, text

from geogrid.access.roles import Caller
from geogrid.access.tokens import hash_token, new_token
from geogrid.errors import ConflictError, InputError, NotFoundError
from geogrid.geo.text import unstorable_in
from geogrid.storage.duty import grids_held
from geogrid.vocabulary import API_ROLES

MAX_NAME = 64
# Which scope each role needs: a station, a department or a person of the register.
NEEDS = {"station": "station", "department": "department", "grid_staff": "person"}


@dataclass(frozen=True)
class UserRow:
    """One API user as listed (never with its token)."""

    name: str
    role: str
    station: str | None
    department: str | None
    person: str | None
    active: bool
    created_at: datetime


def add_user(
    conn: Connection,
    name: str,
    role: str,
    *,
    station: str | None = None,
    department: str | None = None,
    person: str | None = None,
) -> str:
    """Create a user and return its token, which is stored only as a digest."""
    _check_storable(name=name, station=station, department=department, person=person)
    _check_name(name)
    if role not in API_ROLES:
        raise InputError(f"unknown role {role!r}: use one of {', '.join(API_ROLES)}", field="role")
    given = {"station": station, "department": department, "person": person}
    needed = NEEDS.get(role)
    if needed and not given[needed]:
        raise InputError(f"the role {role} needs --{needed}", field=needed)
    extra = [k for k, v in given.items() if v and k != needed]
    if extra:
        raise InputError(f"the role {role} takes no --{extra[0]}", field=extra[0])
    ids = _scope_ids(conn, given)
    if conn.execute(text("select 1 from api_users where name = :n"), {"n": name}).first():
        raise ConflictError(f"a user named {name!r} exists already", field="name")
    token = new_token()
    conn.execute(
        text("insert into api_users (name, role, station_id, department_id, person_id, "
             "token_hash, active) values (:n, :r, :s, :d, :p, :h, true)"),
        {"n": name, "r": role, "s": ids["station"], "d": ids["department"], "p": ids["person"],
         "h": hash_token(token)},
    )  # fmt: skip
    return token


def _check_storable(**given: str | None) -> None:
    """Names from the command line may hold lone surrogates (undecodable bytes)."""
    found = unstorable_in(given)
    if found is not None:
        raise InputError(f"{found[0]} {found[1]}", field=found[0])


def _check_name(name: str) -> None:
    if not name.strip() or len(name) > MAX_NAME:
        raise InputError(f"a user name has 1 to {MAX_NAME} characters", field="name")


def _scope_ids(conn: Connection, given: dict[str, str | None]) -> dict[str, int | None]:
    """Resolve station, department and person codes to ids; unknown codes are errors."""
    tables = {"station": ("stations", "code"), "department": ("departments", "code"),
              "person": ("people", "person_no")}  # fmt: skip
    ids: dict[str, int | None] = {}
    for kind, code in given.items():
        ids[kind] = None
        if code:
            table, column = tables[kind]
            found = conn.execute(
                text(f"select id from {table} where {column} = :c"), {"c": code}
            ).scalar()
            if found is None:
                raise NotFoundError(f"no {kind} with code {code!r}", field=kind)
            ids[kind] = found
    return ids


def list_users(conn: Connection) -> list[UserRow]:
    """Every user, active or revoked, by name."""
    rows = conn.execute(
        text("select u.name, u.role, s.code, d.code, p.person_no, u.active, u.created_at "
             "from api_users u left join stations s on s.id = u.station_id "
             "left join departments d on d.id = u.department_id "
             "left join people p on p.id = u.person_id order by u.name")
    ).all()  # fmt: skip
    return [UserRow(*r) for r in rows]


def revoke_user(conn: Connection, name: str) -> None:
    """Revoke a user's token; the user stays listed, inactive."""
    _check_storable(name=name)
    done = conn.execute(
        text("update api_users set active = false where name = :n"), {"n": name}
    ).rowcount
    if not done:
        raise NotFoundError(f"no user named {name!r}", field="name")


def remove_users(conn: Connection, names: list[str]) -> int:
    """Delete the named users outright (the demo renews its own); returns how many."""
    return conn.execute(text("delete from api_users where name = any(:n)"), {"n": names}).rowcount


def caller_for_token(conn: Connection, token: str, today: date) -> Caller | None:
    """The active user holding this token, with its scope as of `today`; None if none."""
    row = conn.execute(text(caller_sql("api_users u", "u.token_hash = :h")),
                       {"h": hash_token(token)}).first()  # fmt: skip
    return None if row is None else caller_of_row(conn, row, today)


def caller_sql(source: str, where: str, more: str = "") -> str:
    """The statement reading an active user `u` joined in `source` where `where` holds,
    with what its Caller needs (a station's communities as an array) and then the columns
    `more`: one round trip where it took three (a console session's, bench_console.py)."""
    return (
        "select u.id, u.name, u.role, u.station_id, s.code, u.department_id, d.code, "
        "u.person_id, p.person_no, array(select c.community_code from station_communities c "
        "where c.station_id = u.station_id and u.role = 'station') as communities"
        f"{', ' + more if more else ''} from {source} "
        "left join stations s on s.id = u.station_id "
        "left join departments d on d.id = u.department_id "
        "left join people p on p.id = u.person_id "
        f"where {where} and u.active"
    )


def caller_of_row(conn: Connection, row, today: date) -> Caller:
    """The Caller of a row read by `caller_sql` (a grid staff member's grids as of `today`)."""
    grid_codes: tuple[str, ...] = ()
    if row.role == "grid_staff":
        grid_codes = grids_held(conn, row.person_id, today)
    return Caller(*row[:9], communities=frozenset(row.communities), grid_codes=grid_codes)
