"""The grids-and-people and team pages a page at a time: the count of the whole list, the
next page holding the next people, a search by name, register number or grid code, and a
bad page number or search refused with a 400 page naming its field."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from tests.api.places import person_on

ROW_NUMBER = re.compile(r"<tr><td>(?:<a [^>]*>)?([^<]+)(?:</a>)?</td><td>")


@pytest.fixture(scope="module")
def desk(client, users):
    """P01's desk, signed in."""
    from tests.console.conftest import Browser

    one = Browser(client.app, raise_server_exceptions=False)
    one.sign_in(users.p01)
    yield one
    one.close()


def _table(page: str, name: str) -> str:
    return page.split(f'<table class="{name}">', 1)[1].split("</table>", 1)[0]


def _people(page: str, table: str = "people") -> tuple[list[str], int]:
    """The register numbers of a page's table and the count of the whole list."""
    heading = "人员" if table == "people" else "队伍"
    total = int(re.search(heading + r" <small>共 (\d+) 人", page).group(1))
    return ROW_NUMBER.findall(_table(page, table)), total


def test_the_grids_page_shows_its_people_a_page_at_a_time(desk, county):
    page = desk.get("/console/grids?gq=3707").text
    first, total = _people(page)
    assert ('href="?gq=3707&amp;page=2" rel="next"' in page) == (total > 50)  # keeps gq
    second, again = _people(desk.get("/console/grids?page=2").text)
    assert again == total > 0 and len(first) == min(total, 50)
    assert len(second) == min(max(total - 50, 0), 50) and not set(first) & set(second)
    assert first == sorted(first)
    leader = person_on(county.engine, county.p01.grid, "grid_leader")[1]
    with county.engine.connect() as conn:
        name = conn.execute(text("select name from people where person_no = :n"),
                            {"n": leader}).scalar_one()  # fmt: skip
    for search in (leader, name, county.p01.grid):
        found, count = _people(desk.get("/console/grids", params={"q": search}).text)
        assert leader in found and count == len(found) <= total, search
    nobody = desk.get("/console/grids", params={"q": "无此人"}).text
    assert _people(nobody) == ([], 0) and "没有找到人员" in nobody


def test_the_team_page_shows_its_assistants_a_page_at_a_time(desk, county):
    page = desk.get("/console/team").text
    first, total = _people(page, "team")
    assert len(first) == min(total, 50) and total > 0
    leader = person_on(county.engine, county.p01.grid, "grid_leader")[1]
    found, count = _people(desk.get("/console/team", params={"q": leader}).text, "team")
    assert found == [leader] and count == 1
    second, _ = _people(desk.get("/console/team?page=2").text, "team")
    assert not set(first) & set(second)


@pytest.mark.parametrize(("path", "field"), [
    ("/console/grids?page=0", "page"), ("/console/grids?gpage=x", "gpage"),
    ("/console/grids?q=" + "9" * 65, "q"), ("/console/team?page=-1", "page"),
])  # fmt: skip
def test_a_bad_page_or_search_is_a_400_naming_it(desk, path, field):
    answer = desk.get(path)
    assert answer.status_code == 400 and field in answer.text


def test_phones_on_the_grids_page_are_audited(desk, county):
    """The station sees its people's phones; each page's read names whose were shown."""
    page = desk.get("/console/grids?page=2").text
    shown, _ = _people(page)
    with county.engine.connect() as conn:
        entry = conn.execute(text(
            "select detail from audit_log where user_name = 'apitest-p01' and "
            "object_type = 'people_contacts' order by id desc limit 1")).scalar()  # fmt: skip
    assert entry is not None and entry["people"], "the read of phones is in the audit log"
    assert set(entry["people"]) <= set(shown) and entry["count"] == len(entry["people"])
