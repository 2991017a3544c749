"""Stored month figures (team/month_store.py, usecases/month_figures.py): stored rows equal a
fresh computation; young ones are served; stale ones are served while one worker recomputes
them in the background; a max age of 0 computes every time; confirming computes afresh."""

from __future__ import annotations

import time
from datetime import date
from itertools import count

import pytest
from sqlalchemy import text

from geogrid.access.roles import Caller
from geogrid.reports.queries import ReportScope
from geogrid.reports.stats import assessment
from geogrid.team.actions import ActionIn, record_action
from geogrid.team.assessment import confirm_month, month_lines
from geogrid.team.metrics import default_sources
from geogrid.team.month_store import (
    Codec,
    FiguresKey,
    stored_figures,
    wait_for_refreshes,
)
from geogrid.team.people import find_person
from geogrid.team.scoring import load_scheme
from geogrid.usecases.month_figures import stored_assessment, stored_month_lines

MONTH = "2026-06"
COUNTY_ADMIN = Caller(0, "t-figures", "county_admin")
PLAIN = Codec(lambda row: row, lambda row: row)
KEY = FiguresKey("assessment", "t-store", MONTH)  # a scope no page uses


@pytest.fixture
def counted(county_engine):
    """A computation that numbers its answers, and the test key's row removed after."""
    calls = count(1)
    yield lambda conn: [{"answer": next(calls)}]
    wait_for_refreshes()
    with county_engine.begin() as conn:
        conn.execute(text("delete from month_figures where scope = :s"), {"s": KEY.scope})


def _read(engine, compute, max_age_s: int):
    with engine.begin() as conn:
        return stored_figures(engine, conn, KEY, compute, PLAIN, max_age_s)


def _age(engine, seconds: int) -> None:
    with engine.begin() as conn:
        conn.execute(text("update month_figures set computed_at = computed_at"
                          " - make_interval(secs => :s) where scope = :scope"),
                     {"s": seconds, "scope": KEY.scope})  # fmt: skip


def test_young_figures_are_served_as_stored_and_max_age_0_computes_each_time(
    county_engine, counted
):
    first = _read(county_engine, counted, 300)
    assert first.rows == [{"answer": 1}]
    again = _read(county_engine, counted, 300)
    assert again.rows == [{"answer": 1}] and again.computed_at == first.computed_at
    assert _read(county_engine, counted, 0).rows == [{"answer": 2}]
    assert _read(county_engine, counted, 0).rows == [{"answer": 3}]
    assert _read(county_engine, counted, 300).rows == [{"answer": 3}]  # what 0 stored


def test_rows_of_another_shape_are_computed_afresh(county_engine, counted):
    strict = Codec(lambda row: row, lambda row: {"answer": row["answer"]})
    _read(county_engine, counted, 300)
    with county_engine.begin() as conn:
        conn.execute(text("""update month_figures set rows = '[{"old": 1}]',"""
                          " computed_at = computed_at - interval '1 second' where scope = :s"),
                     {"s": KEY.scope})  # fmt: skip
        found = stored_figures(county_engine, conn, KEY, counted, strict, 300)
    assert found.rows == [{"answer": 2}]


def test_stale_figures_are_served_then_refreshed_in_the_background(county_engine, counted):
    _read(county_engine, counted, 300)
    _age(county_engine, 600)
    stale = _read(county_engine, counted, 300)
    assert stale.rows == [{"answer": 1}], "the stale rows are served at once"
    assert wait_for_refreshes(30)
    fresh = _read(county_engine, counted, 300)
    assert fresh.rows == [{"answer": 2}] and fresh.computed_at > stale.computed_at


def test_one_worker_refreshes_another_holding_the_lock_is_left_alone(county_engine, counted):
    _read(county_engine, counted, 300)
    _age(county_engine, 600)
    with county_engine.begin() as other:  # another worker refreshing the same figures
        held = other.execute(text("select pg_try_advisory_xact_lock(hashtext(:n))"),
                             {"n": KEY.lock_name}).scalar()  # fmt: skip
        assert held
        assert _read(county_engine, counted, 300).rows == [{"answer": 1}]
        assert wait_for_refreshes(30)
    assert _read(county_engine, counted, 300).rows == [{"answer": 1}], "not computed twice"
    deadline = time.monotonic() + 30  # the next stale view refreshes them (bounded poll)
    while _read(county_engine, counted, 300).rows == [{"answer": 1}]:
        assert wait_for_refreshes(30) and time.monotonic() < deadline


def test_stored_figures_equal_a_fresh_computation(county_conn, county_engine):
    # Rows another test stored for this month (the console's, over its own reports, since
    # removed) would be young and served: this test starts from none (rolled back after).
    county_conn.execute(text("delete from month_figures where month = :m"), {"m": MONTH})
    everything = ReportScope(everything=True, details=True)
    stored = stored_assessment(county_engine, county_conn, COUNTY_ADMIN, MONTH, 300)
    again = stored_assessment(county_engine, county_conn, COUNTY_ADMIN, MONTH, 300)
    fresh = assessment(county_conn, MONTH, everything)
    assert stored.rows and stored.rows == fresh and again.rows == fresh
    assert again.computed_at == stored.computed_at
    station = county_conn.execute(text("select id, code from stations order by code")).first()
    lines = stored_month_lines(county_engine, county_conn, MONTH, load_scheme(),
                               tuple(station), 300)  # fmt: skip
    live = month_lines(county_conn, MONTH, load_scheme(), default_sources(station.id), station.id)
    assert lines.rows and lines.rows == live


def test_confirming_computes_afresh_and_the_page_reads_it_confirmed(county_conn, county_engine):
    station = county_conn.execute(text("select id, code from stations order by code")).first()
    scheme = load_scheme()
    before = stored_month_lines(county_engine, county_conn, MONTH, scheme, tuple(station), 300)
    person = find_person(county_conn, before.rows[0].person_no)
    record_action(county_conn, person, ActionIn("deed_reward", date(2026, 6, 9), "劝阻", "所长",
                                                 200))  # fmt: skip
    young = stored_month_lines(county_engine, county_conn, MONTH, scheme, tuple(station), 300)
    assert young.rows[0].rewards_yuan == before.rows[0].rewards_yuan, "served as stored"
    confirmed = confirm_month(county_conn, MONTH, station.id, "所长", scheme,
                              default_sources(station.id))  # fmt: skip
    mine = next(line for line in confirmed if line.person_id == person.id)
    assert mine.rewards_yuan == before.rows[0].rewards_yuan + 200, "confirmed from fresh figures"
    after = stored_month_lines(county_engine, county_conn, MONTH, scheme, tuple(station), 300)
    assert after.rows == confirmed and all(line.confirmed for line in after.rows)
