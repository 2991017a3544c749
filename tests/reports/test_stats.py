"""Monthly figures per group and the assessment table, on a known month of reports."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest
from sqlalchemy import text

from geogrid.access.roles import Caller
from geogrid.errors import InputError
from geogrid.reports.intake import submit_reports
from geogrid.reports.queries import ReportScope
from geogrid.reports.stats import (
    NO_GROUP,
    assessment,
    month_kpis,
    month_range,
    monthly_stats,
)
from geogrid.usecases.month_figures import stored_assessment
from tests.api.places import STATS_MONTH, make_month_of_reports, person_on, station_places

ALL = ReportScope(everything=True, details=True)


@pytest.fixture
def month(reports_engine, county_index):
    """March 2025's six reports (tests.api.places.make_month_of_reports) and the places."""
    places = station_places(reports_engine, county_index)
    a, b = places["370782P01"][0], places["370782P02"][0]
    return make_month_of_reports(reports_engine, county_index, a, b), a, b


def test_months_are_calendar_months_in_china_time():
    start, end = month_range("2025-12")
    assert start == datetime(2025, 11, 30, 16, tzinfo=UTC)
    assert end == datetime(2025, 12, 31, 16, tzinfo=UTC)
    for bad in ("2025-00", "2025-13", "25-01", "", "2025-1"):
        with pytest.raises(InputError):
            month_range(bad)


def test_a_report_late_on_the_last_evening_counts_in_that_month(reports_engine, county_index):
    place = station_places(reports_engine, county_index)["370782P01"][0]
    frame = pd.DataFrame([{"category": "dispute", "lon": place.lon, "lat": place.lat,
                           "reported_at": at} for at in ("2025-04-30T23:30:00+08:00",
                                                         "2025-04-30T16:30:00Z")])  # fmt: skip
    submit_reports(reports_engine, frame, index=county_index)
    with reports_engine.connect() as conn:
        assert monthly_stats(conn, "2025-04", "county", ALL)[0].reports == 1
        assert monthly_stats(conn, "2025-05", "county", ALL)[0].reports == 1


def test_totals_and_rows_per_group(reports_engine, month):
    _, a, _ = month
    with reports_engine.connect() as conn:
        totals, stations = monthly_stats(conn, STATS_MONTH, "station", ALL)
        _, grids = monthly_stats(conn, STATS_MONTH, "grid", ALL)
        _, categories = monthly_stats(conn, STATS_MONTH, "category", ALL)
        _, county = monthly_stats(conn, STATS_MONTH, "county", ALL)
    assert (totals.reports, totals.hazards, totals.disputes, totals.disputes_mediated,
            totals.cases_assisted, totals.resolved, totals.open,
            totals.unassigned_backlog) == (6, 1, 3, 1, 2, 2, 4, 1)  # fmt: skip
    assert [(r.key, r.reports) for r in stations] == [("370782P01", 4), ("370782P02", 1),
                                                      (None, 1)]  # fmt: skip
    assert stations[-1].name == NO_GROUP and stations[0].name.endswith("派出所")
    assert {r.key: r.reports for r in grids}[a.grid] == 4
    assert {r.key: r.by_category for r in categories}["dispute"] == {"dispute": 3}
    assert [(r.key, r.reports) for r in county] == [("county", 6)]
    assert totals.median_hours_to_resolve >= 0 and totals.mean_hours_to_resolve >= 0


def test_the_kpis_alone_are_the_totals_kpis(reports_engine, month):
    """The map panel's month_kpis: the same reports and KPIs as monthly_stats' totals, for
    each scope in turn (its statement is built once per kind of scope: the second station
    must get its own figures, not the first's)."""
    station = ReportScope(station_id=_station_id(reports_engine, "370782P01"))
    other = ReportScope(station_id=_station_id(reports_engine, "370782P02"))
    with reports_engine.connect() as conn:
        for scope in (ALL, station, other, ReportScope(), station):
            totals, _ = monthly_stats(conn, STATS_MONTH, "county", scope)
            assert month_kpis(conn, STATS_MONTH, scope) == (totals.reports, totals.kpis)
        assert month_kpis(conn, STATS_MONTH, station)[0] == 4
        assert month_kpis(conn, STATS_MONTH, other)[0] == 1
        assert month_kpis(conn, STATS_MONTH, ReportScope())[0] == 0
        empty, _ = monthly_stats(conn, "2020-01", "county", ALL)
        assert month_kpis(conn, "2020-01", ALL) == (0, empty.kpis)


def _station_id(engine, code: str) -> int:
    with engine.connect() as conn:
        return conn.scalar(text("select id from stations where code = :c"), {"c": code})


def test_assistants_count_the_reports_of_their_grid_and_unit(reports_engine, month):
    _, a, _ = month
    leader = person_on(reports_engine, a.grid, "grid_leader")[1]
    officer = person_on(reports_engine, a.unit, "information_officer")[1]
    with reports_engine.connect() as conn:
        _, rows = monthly_stats(conn, STATS_MONTH, "assistant", ALL)
    found = {r.key: r for r in rows}
    assert found[leader].reports == found[officer].reports == 4
    assert found[leader].disputes_mediated == 1 and found[leader].hazards == 1


def test_the_assessment_lists_everyone_on_duty_in_the_area(reports_engine, month):
    _, a, _ = month
    leader_id, leader = person_on(reports_engine, a.grid, "grid_leader")
    with reports_engine.connect() as conn:
        communities = tuple(conn.execute(text(
            "select community_code from station_communities sc join stations s on "
            "s.id = sc.station_id where s.code = '370782P01'")).scalars())  # fmt: skip
        table = assessment(conn, STATS_MONTH, ALL, area=communities)
        everyone = assessment(conn, STATS_MONTH, ALL)
        mine = assessment(conn, STATS_MONTH, ALL, person_id=leader_id)
        before = assessment(conn, "2024-12", ALL)
    rows = {r.person_no: r for r in table}
    assert rows[leader].figures.reports == 4 and rows[leader].roles == ["grid_leader"]
    assert a.grid in rows[leader].grids and rows[leader].station == "370782P01"
    assert {r.station for r in table} == {"370782P01"} and len(everyone) > len(table)
    assert sum(r.figures.reports == 0 for r in table) > 0, "zeros included"
    assert [r.person_no for r in mine] == [leader]
    assert before == [], "nobody was on duty before 2025"


def test_a_table_of_some_people_has_the_county_figures_of_them(reports_engine, month):
    """The team's KPIs of one station read only its assistants' reports (team/metrics.py):
    their rows must be the county table's rows of them, figure for figure."""
    _, a, _ = month
    leader_id, leader = person_on(reports_engine, a.grid, "grid_leader")
    with reports_engine.connect() as conn:
        ids = tuple(conn.execute(text("select id from people order by id limit 3")).scalars())
        everyone = {r.person_no: r for r in assessment(conn, STATS_MONTH, ALL)}
        some = assessment(conn, STATS_MONTH, ALL, person_ids=(leader_id, *ids))
        mine = assessment(conn, STATS_MONTH, ALL, person_id=leader_id)
    assert leader in {r.person_no for r in some} and everyone[leader].figures.reports == 4
    assert all(r == everyone[r.person_no] for r in some) and mine == [everyone[leader]]


def test_the_stored_assessment_is_the_fresh_one_figure_for_figure(reports_engine, month):
    """usecases/month_figures.py: the rows stored as JSON come back equal to a fresh table
    (KPIs, medians and no-data values alike), for the county and for a station."""
    _, a, _ = month
    _, leader = person_on(reports_engine, a.grid, "grid_leader")
    county = Caller(0, "t-stored", "county_admin")
    with reports_engine.begin() as conn:
        communities = frozenset(conn.execute(text(
            "select community_code from station_communities sc join stations s on "
            "s.id = sc.station_id where s.code = '370782P01'")).scalars())  # fmt: skip
        station_id = conn.execute(text("select id from stations where code = '370782P01'"))
        station = Caller(0, "t-stored", "station", station_id=station_id.scalar(),
                         station_code="370782P01", communities=communities)  # fmt: skip
        for caller in (county, station):
            stored = stored_assessment(reports_engine, conn, caller, STATS_MONTH, 0)
            read = stored_assessment(reports_engine, conn, caller, STATS_MONTH, 300)
            fresh = assessment(conn, STATS_MONTH, caller.report_scope(), area=caller.area_codes())
            assert read.rows == stored.rows == fresh and read.computed_at == stored.computed_at
            assert {r.person_no: r for r in fresh}[leader].figures.reports == 4
        conn.execute(text("delete from month_figures where scope in ('county', '370782P01')"))


def test_an_unknown_grouping_names_the_field(reports_engine):
    with reports_engine.connect() as conn, pytest.raises(InputError) as raised:
        monthly_stats(conn, STATS_MONTH, "village", ALL)
    assert raised.value.field == "by"
