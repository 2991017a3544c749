"""Who is on duty: the one rule, its first and last day included, and the reads built on it."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from sqlalchemy import Connection, Engine, select, text

from geogrid.storage import duty
from geogrid.storage.models import GridAssignment

PACKAGE = Path(__file__).parents[2] / "geogrid"
GRID, OTHER = "370782101001001", "370782102001001"


def _person(conn: Connection, number: str, name: str, active: bool = True) -> int:
    sql = text("insert into people (person_no, name, phone, gender, roles, vetting_status, "
               "active, community_code) values (:no, :name, '10000000000', '男', "
               "array['grid_leader'], 'passed', :active, '370782101001') returning id")  # fmt: skip
    return conn.execute(sql, {"no": number, "name": name, "active": active}).scalar_one()


def _assign(conn: Connection, person: int, code: str, first: date, last: date | None) -> None:
    conn.execute(text("insert into grid_assignments (person_id, grid_code, role, valid_from, "
                      "valid_to) values (:p, :c, 'grid_leader', :f, :t)"),
                 {"p": person, "c": code, "f": first, "t": last})  # fmt: skip


def test_an_assignment_holds_from_its_first_through_its_last_day(engine: Engine) -> None:
    with engine.connect() as conn:
        ended = _person(conn, "D0001", "王一")
        open_ = _person(conn, "D0002", "李二")
        _assign(conn, ended, GRID, date(2025, 3, 1), date(2025, 3, 31))
        _assign(conn, open_, OTHER, date(2025, 3, 15), None)
        names = {day: [r.name for r in duty.people_on_duty(conn, day, codes=[GRID, OTHER])]
                 for day in (date(2025, 2, 28), date(2025, 3, 1), date(2025, 3, 15),
                             date(2025, 3, 31), date(2025, 4, 1))}  # fmt: skip
        assert names[date(2025, 2, 28)] == []
        assert names[date(2025, 3, 1)] == ["王一"]
        assert names[date(2025, 3, 15)] == ["王一", "李二"]
        assert names[date(2025, 3, 31)] == ["王一", "李二"]
        assert names[date(2025, 4, 1)] == ["李二"]
        in_community = duty.people_on_duty(conn, date(2025, 3, 20), communities=["370782101001"])
        assert [(r.grid_code, r.person_no) for r in in_community] == [(GRID, "D0001")]
        assert duty.grids_held(conn, ended, date(2025, 3, 31)) == (GRID,)
        assert duty.grids_held(conn, ended, date(2025, 4, 1)) == ()
        during = select(GridAssignment.grid_code).where(
            GridAssignment.person_id.in_([ended, open_]),
            duty.on_duty_during(date(2025, 4, 1), date(2025, 4, 30)),
        )
        assert list(conn.execute(during).scalars()) == [OTHER]
        conn.rollback()


def test_the_sql_fragment_and_the_expression_agree(engine: Engine) -> None:
    with engine.connect() as conn:
        person = _person(conn, "D0003", "张三")
        _assign(conn, person, GRID, date(2025, 3, 1), date(2025, 3, 31))
        for day in (date(2025, 2, 28), date(2025, 3, 1), date(2025, 3, 31), date(2025, 4, 1)):
            sql = f"select count(*) from grid_assignments a where a.person_id = :p and {duty.on_duty_sql('a')}"  # noqa: E501
            by_text = conn.execute(text(sql), {"p": person, "day": day}).scalar_one()
            by_rows = len(duty.people_on_duty(conn, day, codes=[GRID]))
            assert by_text == by_rows == (1 if day.month == 3 else 0), day
        periods = [r for r in duty.assignment_periods(conn) if r.person_id == person]
        assert [(r.first_day, r.last_day) for r in periods] == [
            (date(2025, 3, 1), date(2025, 3, 31))
        ]
        conn.rollback()


def test_the_duty_rule_is_written_only_in_the_duty_module() -> None:
    allowed = {PACKAGE / "storage" / "duty.py", PACKAGE / "storage" / "models.py"}
    found = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path not in allowed
        and "migrations" not in path.parts
        and re.search(r"valid_to", path.read_text(encoding="utf-8"))
    ]
    assert found == [], f"valid_to outside storage/duty.py: {found}"
