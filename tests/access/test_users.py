"""API users: tokens stored as digests, scopes resolved, refusals naming the field."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from sqlalchemy import text

from geogrid.access.tokens import hash_token, new_token
from geogrid.access.users import (
    add_user,
    caller_for_token,
    list_users,
    remove_users,
    revoke_user,
)
from geogrid.errors import ConflictError, InputError, NotFoundError
from geogrid.reports.categories import seed_categories

TODAY = date(2026, 6, 1)


def first_grid_leader(conn, station: str) -> tuple[str, str]:
    """(person_no, grid code) of a grid leader in a station's jurisdiction."""
    return tuple(conn.execute(text(
        "select p.person_no, a.grid_code from grid_assignments a "
        "join people p on p.id = a.person_id "
        "join station_communities sc on sc.community_code = left(a.grid_code, 12) "
        "join stations s on s.id = sc.station_id "
        "where a.role = 'grid_leader' and s.code = :s order by a.grid_code limit 1"),
        {"s": station}).one())  # fmt: skip


@pytest.fixture
def conn(county_engine):
    """A connection to the tiny county (departments seeded) in a transaction rolled back
    afterwards."""
    with county_engine.connect() as connection:
        transaction = connection.begin()
        seed_categories(connection)
        yield connection
        transaction.rollback()


def test_tokens_are_random_and_only_their_digest_is_stored(conn):
    assert new_token() != new_token() and len(new_token()) == 43
    token = add_user(conn, "t-admin", "county_admin")
    stored = conn.execute(text("select token_hash from api_users where name = 't-admin'")).scalar()
    assert stored == hash_token(token) == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(conn.execute(text("select * from api_users")).all())


def test_a_station_user_sees_its_communities(conn):
    token = add_user(conn, "t-station", "station", station="370782P01")
    caller = caller_for_token(conn, token, TODAY)
    expected = set(conn.execute(text(
        "select community_code from station_communities sc join stations s "
        "on s.id = sc.station_id where s.code = '370782P01'")).scalars())  # fmt: skip
    assert caller.role == "station" and caller.station_code == "370782P01"
    assert caller.communities == expected and expected


def test_a_grid_staff_user_holds_the_grids_of_the_day(conn):
    person, grid = first_grid_leader(conn, "370782P01")
    caller = caller_for_token(conn, add_user(conn, "t-staff", "grid_staff", person=person), TODAY)
    assert grid in caller.grid_codes and caller.person_no == person
    before = caller_for_token(conn, add_user(conn, "t-staff2", "grid_staff", person=person),
                              date(2020, 1, 1))  # fmt: skip
    assert before.grid_codes == (), "no grid before the assignment began"


def test_list_and_revoke(conn):
    token = add_user(conn, "t-dept", "department", department="fire")
    assert [(u.name, u.department, u.active) for u in list_users(conn)
            if u.name == "t-dept"] == [("t-dept", "fire", True)]  # fmt: skip
    revoke_user(conn, "t-dept")
    assert caller_for_token(conn, token, TODAY) is None
    assert caller_for_token(conn, "unknown", TODAY) is None
    with pytest.raises(NotFoundError):
        revoke_user(conn, "t-nobody")


@pytest.mark.parametrize(
    "name, role, scope, error, field",
    [("t-x", "boss", {}, InputError, "role"), ("", "county_admin", {}, InputError, "name"),
     ("t-x", "station", {}, InputError, "station"),
     ("t-x", "department", {"department": "nope"}, NotFoundError, "department"),
     ("t-x", "grid_staff", {"person": "P-nope"}, NotFoundError, "person"),
     ("t-x", "county_admin", {"station": "370782P01"}, InputError, "station")],
)  # fmt: skip
def test_refusals_name_the_field(conn, name, role, scope, error, field):
    with pytest.raises(error) as raised:
        add_user(conn, name, role, **scope)
    assert raised.value.field == field


def test_names_are_unique(conn):
    add_user(conn, "t-same", "county_admin")
    with pytest.raises(ConflictError):
        add_user(conn, "t-same", "county_admin")


def test_a_name_the_database_cannot_store_is_refused(conn):
    # A command-line argument with bytes that are not UTF-8 arrives as lone surrogates.
    with pytest.raises(InputError, match="surrogate") as caught:
        add_user(conn, "t-\udcff", "county_admin")
    assert caught.value.field == "name"
    with pytest.raises(InputError, match="surrogate"):
        revoke_user(conn, "\udcfe")


def test_removing_users_takes_only_the_named_ones(conn):
    for name in ("t-gone-1", "t-gone-2", "t-stays"):
        add_user(conn, name, "county_admin")
    assert remove_users(conn, ["t-gone-1", "t-gone-2", "t-never-was"]) == 2
    left = {u.name for u in list_users(conn)}
    assert "t-stays" in left and not left & {"t-gone-1", "t-gone-2"}
