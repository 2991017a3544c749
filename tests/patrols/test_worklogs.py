"""Work logs: one per person and day, saved idempotently, counted per month."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from geogrid.errors import InputError
from geogrid.patrols.worklogs import WorkLogIn, save_worklog, worklog_days_by_person
from geogrid.vocabulary import CHINA_TZ, china_today

DAY = date(2026, 6, 1)
EDIT = datetime(2026, 6, 1, 18, 0, tzinfo=CHINA_TZ)


def test_a_resent_save_changes_nothing_and_a_later_edit_replaces(county_conn, unit) -> None:
    first = WorkLogIn("log-1", DAY, "走访三户", places=[{"name": "东村", "lon": 119.4,
                                                       "lat": 36.0}], edited_at=EDIT)  # fmt: skip
    made = save_worklog(county_conn, unit.leader_id, first)
    assert made.outcome == "created"
    assert made.log["text"] == "走访三户" and made.log["grid_codes"] == [unit.code[:15]]
    assert save_worklog(county_conn, unit.leader_id, first).outcome == "repeated"
    edit = WorkLogIn("log-2", DAY, "走访五户", edited_at=EDIT + timedelta(hours=1))
    assert save_worklog(county_conn, unit.leader_id, edit).outcome == "updated"
    # The first request arrives once more after the edit, as a phone retrying late: kept.
    again = save_worklog(county_conn, unit.leader_id, first)
    assert (again.outcome, again.log["text"]) == ("repeated", "走访五户")
    old = WorkLogIn("log-0", DAY, "旧稿", edited_at=EDIT - timedelta(hours=1))
    stale = save_worklog(county_conn, unit.leader_id, old)
    assert (stale.outcome, stale.log["text"]) == ("stale", "走访五户")


def test_logs_are_counted_per_person_and_day_of_the_month(county_conn, unit) -> None:
    for n in range(3):
        save_worklog(county_conn, unit.leader_id, WorkLogIn(f"d{n}", DAY + timedelta(days=n), "x"))
    save_worklog(county_conn, unit.officer_id, WorkLogIn("o", DAY, "y"))
    save_worklog(county_conn, unit.officer_id, WorkLogIn("may", date(2026, 5, 31), "z"))
    days = worklog_days_by_person(county_conn, "2026-06")
    assert days[unit.leader_id] == 3 and days[unit.officer_id] == 1


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        (WorkLogIn("f", china_today() + timedelta(days=2), "x"), "day"),
        (WorkLogIn("p", DAY, "x", places=[{"name": "a", "lon": 200.0, "lat": 36.0}]),
         "places[0].lon"),
        (WorkLogIn("h", DAY, "x", places=[{"name": "a", "lon": 119.0}]), "places[0].lon"),
        (WorkLogIn("g", DAY, "x", photo_ids=["0" * 64]), "photo_ids[0]"),
    ],
)  # fmt: skip
def test_a_bad_log_is_refused_naming_the_field(county_conn, unit, entry, field) -> None:
    with pytest.raises(InputError) as refused:
        save_worklog(county_conn, unit.leader_id, entry)
    assert refused.value.field == field
