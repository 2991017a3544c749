"""The team desk's reads: an area's assistants with their selection state (latest decision
per stage, re-review due, dismissal and why), the leave waiting, the month's appeals."""

from __future__ import annotations

from datetime import date

from geogrid.storage.paging import PageAsk
from geogrid.team.actions import ActionIn, record_action
from geogrid.team.assessment import appeal
from geogrid.team.desk import (
    appeals_of_month,
    members_page,
    team_members,
    waiting_count,
    waiting_leave,
)
from geogrid.team.leave import request_leave
from geogrid.team.people import find_person
from geogrid.team.selection import StageDecision, record_stage
from geogrid.vocabulary import REVIEW_ASPECTS, SELECTION_STAGES
from tests.team.conftest import a_grid, new_person

ASPECTS = {aspect: "良好" for aspect in REVIEW_ASPECTS}


def _decide(conn, number: str, stage: str, outcome: str, day: date) -> None:
    aspects = ASPECTS if stage == "station_inspection" else {}
    record_stage(conn, find_person(conn, number), StageDecision(stage, outcome, day, "所长", "",
                                                                aspects))  # fmt: skip


def test_an_areas_assistants_with_their_selection_state(county_conn):
    community = a_grid(county_conn)[:12]
    new_person(county_conn, "D0001", "候选", community)
    new_person(county_conn, "D0002", "老将", community)
    _decide(county_conn, "D0001", "nomination", "passed", date(2026, 1, 5))
    _decide(county_conn, "D0001", "station_inspection", "failed", date(2026, 1, 9))
    for stage in SELECTION_STAGES:
        _decide(county_conn, "D0002", stage, "passed", date(2024, 3, 1))
    record_action(county_conn, find_person(county_conn, "D0002"),
                  ActionIn("dismissal", date(2026, 2, 1), "不履职", "所长"))  # fmt: skip
    found = {m.person_no: m for m in team_members(county_conn, (community,), date(2026, 6, 1), 12)}
    fresh, old = found["D0001"], found["D0002"]
    assert (fresh.passed, fresh.failed) == (("nomination",), ("station_inspection",))
    assert fresh.missing == SELECTION_STAGES[1:] and not fresh.review_due
    assert set(old.passed) == set(SELECTION_STAGES) and old.missing == ()
    assert old.review_due and old.last_review == date(2024, 3, 1)
    assert (old.dismissed_on, old.dismissal_reason) == (date(2026, 2, 1), "不履职")
    other = "999999999999"
    assert "D0001" not in {
        m.person_no for m in team_members(county_conn, (other,), date(2026, 6, 1), 12)
    }


def test_the_assistants_a_page_at_a_time_searched_and_counted(county_conn):
    community = a_grid(county_conn)[:12]
    for number, name in enumerate(("甲", "乙", "丙"), 1):
        new_person(county_conn, f"D010{number}", f"翻页{name}", community)

    def numbers(ask: PageAsk, area=(community,)) -> tuple[list[str], int]:
        found = members_page(county_conn, area, date(2026, 6, 1), 12, ask)
        return [m.person_no for m in found.rows], found.total

    assert numbers(PageAsk(1, "D010", size=2)) == (["D0101", "D0102"], 3)
    assert numbers(PageAsk(2, "D010", size=2)) == (["D0103"], 3)
    assert numbers(PageAsk(7, "D010", size=2)) == ([], 3)
    assert numbers(PageAsk(1, "翻页乙")) == (["D0102"], 1)
    assert numbers(PageAsk(1, "D0103")) == (["D0103"], 1)
    assert numbers(PageAsk(1, "D010"), ("999999999999",)) == ([], 0)
    everyone, total = numbers(PageAsk(size=1000))
    assert len(everyone) == total > 3


def test_waiting_leave_and_appeals_of_an_area(county_conn):
    community = a_grid(county_conn)[:12]
    new_person(county_conn, "D0003", "请假人", community)
    person = find_person(county_conn, "D0003")
    made = request_leave(county_conn, person, date(2030, 5, 1), date(2030, 5, 3), "探亲")
    appealed = appeal(county_conn, "2026-05", person, "分数有误", "本人")
    assert made in [w.id for w in waiting_leave(county_conn, (community,))]
    assert made not in [w.id for w in waiting_leave(county_conn, ("999999999999",))]
    assert waiting_count(county_conn, (community,)) == len(waiting_leave(county_conn, (community,)))
    assert waiting_count(county_conn, ("999999999999",)) == 0
    appeals = appeals_of_month(county_conn, "2026-05", (community,))
    assert [(a.id, a.reason, a.decision) for a in appeals if a.person_no == "D0003"] == [
        (appealed, "分数有误", None)
    ]
    april = appeals_of_month(county_conn, "2026-04", (community,))
    assert "D0003" not in [a.person_no for a in april]
