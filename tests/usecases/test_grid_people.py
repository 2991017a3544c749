"""Grids and people as a desk reads them, a page at a time: the next page holds the next
people, a search finds one by name, register number or grid code, the count is of the whole
list, and a station neither sees nor moves another station's people."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Connection, text

from geogrid.access.roles import Caller
from geogrid.errors import NotFoundError
from geogrid.storage.paging import PageAsk
from geogrid.usecases.grid_people import move_person, people_of_area, unstaffed_grids
from tests.team.conftest import a_grid, new_person

DAY = date(2026, 6, 1)
NAMES = ("甲", "乙", "丙", "丁", "戊")


@pytest.fixture
def conn(county_conn: Connection) -> Connection:
    """The rolled-back tiny county (tests/county.py), by a short name."""
    return county_conn


@pytest.fixture
def desk(conn: Connection) -> tuple[Caller, str]:
    """A station's desk and a level-2 grid of it; five people PG001-PG005 of the station,
    PG004 also holding that grid."""
    grid = a_grid(conn)
    station = conn.execute(text("select station_id from station_communities where "
                                "community_code = :c"), {"c": grid[:12]}).scalar_one()  # fmt: skip
    for number, name in enumerate(NAMES, 1):
        made = new_person(conn, f"PG00{number}", f"测试{name}", grid[:12])
        conn.execute(text("update people set station_id = :s where id = :p"),
                     {"s": station, "p": made})  # fmt: skip
    conn.execute(text(
        "insert into grid_assignments (person_id, grid_code, role, valid_from) select id, :g,"
        " 'grid_leader', '2026-01-01' from people where person_no = 'PG004'"),
        {"g": grid})  # fmt: skip
    caller = Caller(0, "t-desk", "station", station_id=station, station_code="PX",
                    communities=frozenset({grid[:12]}))  # fmt: skip
    return caller, grid


def _numbers(found) -> list[str]:
    return [row["person_no"] for row in found.rows]


def test_people_page_by_page_with_the_count_of_all(conn, desk):
    caller, _ = desk
    pages = [people_of_area(conn, caller, DAY, PageAsk(n, "PG00", size=2)) for n in (1, 2, 3)]
    assert [_numbers(p) for p in pages] == [["PG001", "PG002"], ["PG003", "PG004"], ["PG005"]]
    assert {p.total for p in pages} == {5} and pages[0].pages == 3
    past = people_of_area(conn, caller, DAY, PageAsk(9, "PG00", size=2))
    assert (past.rows, past.total) == ([], 5)  # counted apart: no row to count it in
    whole = people_of_area(conn, caller, DAY, PageAsk())
    assert whole.total > len(NAMES) and len(whole.rows) == min(whole.total, 50)


def test_a_search_finds_by_name_number_and_grid_code(conn, desk):
    caller, grid = desk
    by_name = people_of_area(conn, caller, DAY, PageAsk(1, "测试丙"))
    assert _numbers(by_name) == ["PG003"] and by_name.total == 1
    assert _numbers(people_of_area(conn, caller, DAY, PageAsk(1, "PG005"))) == ["PG005"]
    held = people_of_area(conn, caller, DAY, PageAsk(1, grid))
    assert "PG004" in _numbers(held) and "PG005" not in _numbers(held)
    assert next(r["grids"] for r in held.rows if r["person_no"] == "PG004") == [grid]
    assert people_of_area(conn, caller, DAY, PageAsk(1, "%")).total == 0  # not a wildcard


def test_another_station_neither_sees_nor_moves_them(conn, desk):
    caller = desk[0]
    other_community = conn.execute(text(
        "select community_code from station_communities where station_id <> :s limit 1"),
        {"s": caller.station_id}).scalar_one()  # fmt: skip
    other = Caller(1, "t-other", "station", station_id=caller.station_id + 1000,
                   station_code="PY", communities=frozenset({other_community}))  # fmt: skip
    assert people_of_area(conn, other, DAY, PageAsk(1, "PG00")).total == 0
    unit = other_community + "001001"
    with pytest.raises(NotFoundError, match="PG001"):
        move_person(conn, other, "PG001", unit, DAY)


def test_grids_without_their_person_page_by_page(conn, desk):
    caller, grid = desk
    conn.execute(text("update grid_assignments set valid_to = '2026-05-31' where grid_code = :g"),
                 {"g": grid})  # fmt: skip
    found = unstaffed_grids(conn, caller, DAY, PageAsk(1, grid))
    assert found.rows[0]["code"] == grid and found.total == len(found.rows)
    first, second = (unstaffed_grids(conn, caller, DAY, PageAsk(n, size=1)) for n in (1, 2))
    assert first.total == second.total >= 2 and first.rows != second.rows
