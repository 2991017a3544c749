"""The working-day calendar and deadlines: holidays, adjusted working weekends, overdue."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from geogrid.errors import InputError
from geogrid.reports.deadlines import Limits, due_at, load_calendar, timing, timing_of_marks
from geogrid.vocabulary import CHINA_TZ

CAL = load_calendar()


def at(text: str) -> datetime:
    """A China time."""
    return datetime.fromisoformat(text).replace(tzinfo=CHINA_TZ)


def test_the_2026_calendar_knows_holidays_and_adjusted_working_days() -> None:
    assert not CAL.is_working_day(date(2026, 2, 17))  # 春节, a Tuesday
    assert CAL.is_working_day(date(2026, 2, 14))  # a Saturday worked (调休)
    assert CAL.is_working_day(date(2026, 10, 10))  # a Saturday worked for 国庆
    assert not CAL.is_working_day(date(2026, 10, 11))  # an ordinary Sunday
    assert CAL.is_working_day(date(2026, 3, 2))  # an ordinary Monday


def test_hours_run_into_an_adjusted_working_saturday() -> None:
    # Friday 13 February 16:00 + 2 working hours: one on Friday, one on Saturday the 14th.
    assert CAL.add_working_hours(at("2026-02-13T16:00"), 2) == at("2026-02-14T10:00")


def test_a_day_across_the_spring_festival_lands_after_it() -> None:
    # From Saturday 14 February 16:00, one working day (8 hours): 15-23 February are off.
    assert CAL.add_working_hours(at("2026-02-14T16:00"), 8) == at("2026-02-24T16:00")


def test_five_days_across_national_day_count_the_worked_saturday() -> None:
    limits = Limits(accept_hours=4, handle_days=5, verify_days=2)
    # 30 Sep 10:00: 7 h that day, 1-7 Oct off, 8, 9, 10 (Saturday worked), 12 Oct: 39 h.
    assert due_at(CAL, at("2026-09-30T10:00"), limits, "handle") == at("2026-10-13T10:00")
    assert due_at(CAL, at("2026-09-30T10:00"), limits, "handle", urgent=True) == at(
        "2026-10-09T14:00"
    )  # 20 h: 7 + 8 (8 Oct) + 5 (9 Oct)
    assert due_at(CAL, at("2026-09-30T18:30"), limits, "accept") == at("2026-10-08T13:00")


def test_working_hours_between_is_the_inverse_of_adding_them() -> None:
    start = at("2026-04-30T15:00")
    end = CAL.add_working_hours(start, 13)
    assert CAL.working_hours_between(start, end) == 13
    assert CAL.working_hours_between(end, start) == -13


def test_overdue_and_escalation_with_a_fixed_clock() -> None:
    due = at("2026-03-02T12:00")  # a Monday
    assert timing(CAL, due, at("2026-03-02T11:30")) == timing(CAL, due, at("2026-03-02T11:30"))
    early = timing(CAL, due, at("2026-03-02T11:30"))
    assert (early.overdue, early.hours_left, early.escalation) == (False, 0.5, 0)
    late = timing(CAL, due, at("2026-03-02T12:00:01"))
    assert late.overdue and late.escalation == 1
    # Monday 12:00 to Tuesday 13:00 is 5 + 4 = 9 working hours over: one more level.
    later = timing(CAL, due, at("2026-03-03T13:00"))
    assert (later.hours_left, later.escalation) == (-9.0, 2)
    assert timing(CAL, due, at("2026-04-30T13:00")).escalation == 3  # at most the county
    assert timing(CAL, None, at("2026-03-03T13:00")).overdue is False


def test_working_marks_give_the_same_clock_as_counting_the_days() -> None:
    # Moments every 7 h 13 min 7.3 s from 1999 (before the marks' epoch) to 2027, across
    # weekends, 春节, 国庆 and the worked Saturdays, each as a deadline against clocks on
    # either side of it: the inbox's clocks by marks equal `timing`'s, to the microsecond.
    step = timedelta(hours=7, minutes=13, seconds=7, microseconds=300_000)
    moments = [at("1999-12-30T09:10") + step * i for i in range(0, 34_000, 17)]
    clocks = [at("2026-02-13T16:30"), at("2026-10-09T08:59:59"), at("2000-01-03T09:00"),
              at("2026-02-14T12:00:00.000001")]  # fmt: skip
    for now in clocks:
        now_mark = CAL.working_mark(now)
        for due in moments:
            assert timing_of_marks(due, CAL.working_mark(due), now, now_mark) == timing(
                CAL, due, now), (due, now)  # fmt: skip
    # Monday 16:00 to Tuesday 10:00: an hour each day.
    assert CAL.working_mark(at("2026-03-03T10:00")) - CAL.working_mark(
        at("2026-03-02T16:00")) == timedelta(hours=2)  # fmt: skip
    assert timing_of_marks(None, None, clocks[0], CAL.working_mark(clocks[0])) == timing(
        CAL, None, clocks[0])  # fmt: skip


def test_a_users_file_replaces_a_year(tmp_path: Path) -> None:
    extra = tmp_path / "holidays.toml"
    extra.write_text('[years.2027]\noff = ["2027-03-01"]\nwork = ["2027-03-06"]\n')
    calendar = load_calendar(extra)
    assert not calendar.is_working_day(date(2027, 3, 1))
    assert calendar.is_working_day(date(2027, 3, 6))
    assert calendar.is_working_day(date(2027, 2, 9))  # the shipped 2027 days are replaced
    assert not calendar.is_working_day(date(2026, 2, 17))  # 2026 stays


def test_a_bad_date_in_a_users_file_is_named(tmp_path: Path) -> None:
    extra = tmp_path / "holidays.toml"
    extra.write_text('[years.2027]\noff = ["2027-02-30"]\n')
    with pytest.raises(InputError, match="2027-02-30"):
        load_calendar(extra)
