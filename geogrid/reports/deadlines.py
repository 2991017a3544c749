"""Deadlines of the case loop in working time: China's working-day calendar and the limits.

A working day is a weekday that is not a public holiday, or a weekend day made a working
day (调休上班), from WORK_START_HOUR to WORK_END_HOUR China time. The holidays ship in
geogrid/data/holidays.toml (the State Council's yearly notices); a file of the same form at
the setting GEOGRID_HOLIDAYS_FILE replaces the years it lists. Deadlines are stored when a
step sets them; whether one has passed, by how much and the escalation level are worked out
at every read from the clock, so they are exact without any periodic job.
"""

from __future__ import annotations

import math
import tomllib
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from geogrid.errors import InputError
from geogrid.vocabulary import (
    ESCALATE_EVERY_HOURS,
    MAX_ESCALATION,
    URGENT_SHARE,
    WORK_END_HOUR,
    WORK_HOURS_PER_DAY,
    WORK_START_HOUR,
    as_china_time,
    china_midnight,
)

WORK_EPOCH = date(2000, 1, 3)  # where working marks count from (any day would do)
_WORK_DAY = timedelta(hours=WORK_HOURS_PER_DAY)
HOLIDAYS_FILE = Path(__file__).resolve().parent.parent / "data" / "holidays.toml"


@dataclass(frozen=True)
class WorkCalendar:
    """Public holidays on weekdays (`off`) and weekend days worked (`work`)."""

    off: frozenset[date] = frozenset()
    work: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        """Whether a China calendar day is a working day."""
        if day in self.work:
            return True
        return day.weekday() < 5 and day not in self.off

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The moment `hours` working hours after `start` (a deadline ends inside a day)."""
        moment, left = as_china_time(start), timedelta(hours=hours)
        day = moment.date()
        while True:
            opens, closes = _window(day)
            if self.is_working_day(day) and moment < closes:
                begin = max(moment, opens)
                if left <= closes - begin:
                    return begin + left
                left -= closes - begin
            day += timedelta(days=1)

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Working hours from start to end (negative when end comes first): the two end
        days in part, the whole working days between counted, not walked (an inbox shows
        cases a year overdue)."""
        if end < start:
            return -self.working_hours_between(end, start)
        start, end = as_china_time(start), as_china_time(end)
        first, last = start.date(), end.date()
        total = self._part(first, start, end)
        if last > first:
            total += self._part(last, start, end)
            whole = self.working_days(first + timedelta(days=1), last)
            total += timedelta(hours=whole * WORK_HOURS_PER_DAY)
        return total.total_seconds() / 3600

    def working_mark(self, moment: datetime) -> timedelta:
        """The working time from WORK_EPOCH to a moment (negative before it): the
        difference of two marks is exactly `working_hours_between` them, as a timedelta,
        so a list's clocks take one mark of the clock rather than a count per item."""
        moment = as_china_time(moment)
        day = moment.date()
        if day >= WORK_EPOCH:
            days = self.working_days(WORK_EPOCH, day)
        else:
            days = -self.working_days(day, WORK_EPOCH)
        return days * _WORK_DAY + self._part(day, china_midnight(day), moment)

    def working_days(self, begin: date, end: date) -> int:
        """Working days from begin up to (not including) end."""
        if end <= begin:
            return 0
        full, rest = divmod((end - begin).days, 7)
        first = begin.weekday()
        weekdays = full * 5 + sum((first + i) % 7 < 5 for i in range(rest))
        off, work = _exceptions(self.off, self.work)
        return (weekdays - (bisect_left(off, end) - bisect_left(off, begin))
                + bisect_left(work, end) - bisect_left(work, begin))  # fmt: skip

    def _part(self, day: date, start: datetime, end: datetime) -> timedelta:
        """The working time of one day that lies between start and end."""
        if not self.is_working_day(day):
            return timedelta()
        opens, closes = _window(day)
        return max(timedelta(), min(closes, end) - max(opens, start))


@lru_cache(maxsize=8)
def _exceptions(off: frozenset[date], work: frozenset[date]) -> tuple[list[date], list[date]]:
    """The holidays that fall on weekdays and the weekend days worked, each sorted."""
    return sorted(d for d in off if d.weekday() < 5), sorted(d for d in work if d.weekday() >= 5)


def _window(day: date) -> tuple[datetime, datetime]:
    midnight = china_midnight(day)
    return (midnight + timedelta(hours=WORK_START_HOUR),
            midnight + timedelta(hours=WORK_END_HOUR))  # fmt: skip


def load_calendar(extra: Path | None = None) -> WorkCalendar:
    """The shipped calendar, with the years of `extra` (if given) replacing its own."""
    years = _years(HOLIDAYS_FILE)
    if extra is not None:
        years |= _years(extra)
    off = frozenset(d for y in years.values() for d in y[0])
    work = frozenset(d for y in years.values() for d in y[1])
    return WorkCalendar(off, work)


@lru_cache(maxsize=4)
def calendar_of(extra: Path | None = None) -> WorkCalendar:
    """load_calendar, read once per file."""
    return load_calendar(extra)


def _years(path: Path) -> dict[str, tuple[list[date], list[date]]]:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the holiday calendar: {exc}") from None
    years = {}
    for year, table in data.get("years", {}).items():
        years[year] = tuple(_days(path, year, table, key) for key in ("off", "work"))
    return years


def _days(path: Path, year: str, table: dict, key: str) -> list[date]:
    days = []
    for value in table.get(key, []):
        try:
            day = value if isinstance(value, date) else date.fromisoformat(str(value))
        except ValueError:
            raise InputError(f"{path}: [years.{year}] {key}: {value!r} is not a date "
                             "(YYYY-MM-DD)", field=key) from None  # fmt: skip
        if str(day.year) != year:
            raise InputError(f"{path}: [years.{year}] {key}: {day} is not in {year}", field=key)
        days.append(day)
    return days


@dataclass(frozen=True)
class Limits:
    """A category's time limits (working hours to accept, working days to handle, verify)."""

    accept_hours: int
    handle_days: int
    verify_days: int

    def hours(self, stage: str, *, urgent: bool) -> float:
        """Working hours allowed for a stage (accept, handle or verify)."""
        full = {"accept": self.accept_hours, "handle": self.handle_days * WORK_HOURS_PER_DAY,
                "verify": self.verify_days * WORK_HOURS_PER_DAY}[stage]  # fmt: skip
        return math.ceil(full * URGENT_SHARE) if urgent else full


def due_at(calendar: WorkCalendar, start: datetime, limits: Limits, stage: str, *,
           urgent: bool = False) -> datetime:  # fmt: skip
    """The deadline of a stage begun at `start`."""
    return calendar.add_working_hours(start, limits.hours(stage, urgent=urgent))


@dataclass(frozen=True)
class Timing:
    """Where a case stands against its deadline at a moment."""

    due_at: datetime | None
    overdue: bool
    hours_left: float | None  # working hours; negative: over by that much
    escalation: int  # 0 on time, 1 just overdue, rising by working days over


def timing(calendar: WorkCalendar, due: datetime | None, now: datetime) -> Timing:
    """A case's deadline against the clock: overdue, working hours left, escalation."""
    if due is None:
        return Timing(None, False, None, 0)
    left = calendar.working_hours_between(now, due)
    if now <= due:
        return Timing(due, False, round(left, 2), 0)
    level = min(MAX_ESCALATION, 1 + int(-left // ESCALATE_EVERY_HOURS))
    return Timing(due, True, round(left, 2), level)


def timing_of_marks(due: datetime | None, due_mark: timedelta | None, now: datetime,
                    now_mark: timedelta) -> Timing:  # fmt: skip
    """`timing` from working marks (`WorkCalendar.working_mark`) of the deadline and the
    clock: the same answer, without counting the working days between them."""
    if due is None or due_mark is None:
        return Timing(None, False, None, 0)
    left = (due_mark - now_mark).total_seconds() / 3600
    if now <= due:
        return Timing(due, False, round(left, 2), 0)
    level = min(MAX_ESCALATION, 1 + int(-left // ESCALATE_EVERY_HOURS))
    return Timing(due, True, round(left, 2), level)
