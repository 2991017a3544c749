"""The month's metrics per assistant, gathered from named sources, and the month's rewards
and deductions: what team/scoring.py turns into a score and an amount.

A source is a function (conn, month 'YYYY-MM') -> {person id: value}. A metric of the scheme
whose source is not wired, or that has no value for a person, is None: it scores 0 and the
sheet shows "no data", never a silent zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Connection, text

from geogrid.patrols.coverage import coverage_by_person
from geogrid.patrols.worklogs import worklog_days_by_person
from geogrid.registry.completeness import completeness_by_person
from geogrid.reports.queries import ReportScope
from geogrid.reports.stats import assessment, month_range
from geogrid.storage.duty import on_duty_during_sql
from geogrid.team.training import training_hours
from geogrid.vocabulary import ASSISTANT_ROLES

Source = Callable[[Connection, str], dict[int, float]]
KPIS = {"acceptance_on_time": "acceptance_on_time_rate",
        "handling_on_time": "handling_on_time_rate", "closure": "closure_rate"}  # fmt: skip
REWARD_KINDS = ("case_reward", "deed_reward", "commendation")
DEDUCTION_KINDS = ("warning",)


def month_days(month: str) -> tuple[date, date]:
    """The first and last China day of a 'YYYY-MM' month (InputError naming a bad one)."""
    month_range(month)  # checks the pattern
    first = date(int(month[:4]), int(month[5:]), 1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


@dataclass(frozen=True)
class Assistant:
    """An assistant on duty during the month, with their station and town (镇街)."""

    id: int
    person_no: str
    name: str
    station_id: int | None
    station_code: str | None
    town_code: str
    town_name: str


def assistants_of_month(
    conn: Connection, month: str, station_id: int | None = None
) -> list[Assistant]:
    """Grid leaders and information officers on duty some day of the month (of one station's
    jurisdiction, or the county), by register number."""
    first, last = month_days(month)
    rows = conn.execute(text(f"""
        select p.id, p.person_no, p.name, min(sc.station_id) as station_id,
               min(s.code) as station_code, min(left(a.grid_code, 9)) as town,
               coalesce(min(c.town), '') as town_name
        from grid_assignments a join people p on p.id = a.person_id
        left join station_communities sc
          on sc.community_code = left(a.grid_code, 12)
        left join stations s on s.id = sc.station_id
        left join source_communities c on c.code = left(a.grid_code, 12)
        where a.role = any(:roles) and {on_duty_during_sql('a')}
        group by p.id, p.person_no, p.name
        having cast(:station as int) is null or min(sc.station_id) = :station
        order by p.person_no"""),
        {"roles": list(ASSISTANT_ROLES), "station": station_id, "first": first,
         "last": last})  # fmt: skip
    return [Assistant(*row) for row in rows]


class KpiSources:
    """The closed loop's KPIs of each assistant's reports (reports/stats.py `assessment`),
    computed once per month however many of them the scheme weighs: of one station's
    assistants when `station_id` is given (the same figures as the county's for them)."""

    def __init__(self, station_id: int | None = None) -> None:
        self._months: dict[str, dict[int, object]] = {}
        self._station_id = station_id

    def _kpis(self, conn: Connection, month: str) -> dict[int, object]:
        if month not in self._months:
            ids = dict(conn.execute(text("select person_no, id from people")).all())
            people = None
            if self._station_id is not None:
                people = tuple(p.id for p in assistants_of_month(conn, month, self._station_id))
            rows = assessment(conn, month, ReportScope(everything=True), person_ids=people)
            self._months[month] = {ids[r.person_no]: r.figures.kpis for r in rows}
        return self._months[month]

    def source(self, rate: str) -> Source:
        """A source of one rate (None where the assistant's month has none)."""

        def read(conn: Connection, month: str) -> dict[int, float]:
            found = self._kpis(conn, month).items()
            return {pid: getattr(k, rate) for pid, k in found if getattr(k, rate) is not None}

        return read


def training_source(conn: Connection, month: str) -> dict[int, float]:
    """Hours of training attended in the month."""
    return {pid: float(hours) for pid, hours in training_hours(conn, *month_days(month)).items()}


def default_sources(station_id: int | None = None) -> dict[str, Source]:
    """The sources this package and reports/ provide, by the scheme's metric names (the
    KPIs of one station's assistants only, when `station_id` is given)."""
    kpis = KpiSources(station_id)
    sources: dict[str, Source] = {name: kpis.source(rate) for name, rate in KPIS.items()}
    sources["training_hours"] = training_source
    sources["registry_completeness"] = completeness_by_person
    sources["patrol_coverage"] = coverage_by_person
    sources["worklog_days"] = worklog_days_by_person
    return sources


def gather(
    conn: Connection, month: str, people: list[Assistant], names: list[str],
    sources: dict[str, Source],
) -> dict[int, dict[str, float | None]]:  # fmt: skip
    """Per person id, each named metric's value for the month (None: no data)."""
    values = {name: sources[name](conn, month) if name in sources else {} for name in names}
    return {p.id: {name: values[name].get(p.id) for name in names} for p in people}


def money_of_month(conn: Connection, month: str) -> dict[int, tuple[Decimal, Decimal]]:
    """Per person id: (rewards, deductions) recorded with a day in the month."""
    first, last = month_days(month)
    sql = text(
        "select person_id, coalesce(sum(amount) filter (where kind = any(:plus)), 0),"
        " coalesce(sum(amount) filter (where kind = any(:minus)), 0) from team_actions"
        " where on_day between :f and :l group by 1"
    )
    params = {"plus": list(REWARD_KINDS), "minus": list(DEDUCTION_KINDS), "f": first, "l": last}
    rows = conn.execute(sql, params)
    return {row[0]: (row[1], row[2]) for row in rows}
