"""The case list's order and paging: open cases by deadline (stored, else acceptance from
receipt) and then the finished ones newest first, the same on every page size, with totals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from geogrid.reports.caselist import CaseQuery, list_cases
from geogrid.reports.loop import OPEN
from geogrid.reports.queries import ReportFilter, ReportScope
from geogrid.vocabulary import china_now
from tests.api.places import make_reports, station_places

ALL = ReportScope(everything=True, details=True)
# (status, deadline in hours from now or None: not stored, reported hours before WHEN)
# A verified case awaits its close with no deadline: after the open cases with one.
STATES = [("dispatched", 5, 0), ("received", None, 1), ("accepted", -1, 2), ("closed", None, 3),
          ("verified", None, 4), ("rework", 3, 5)]  # fmt: skip


@pytest.fixture
def cases(reports_engine, county_index) -> list[dict]:
    """The six reports of make_reports, given the statuses and deadlines of STATES."""
    places = station_places(reports_engine, county_index)
    made = make_reports(reports_engine, county_index, places["370782P01"][0],
                        places["370782P02"][0]).all()  # fmt: skip
    now = china_now()
    with reports_engine.begin() as conn:
        for report_id, (status, due, back) in zip(made, STATES, strict=True):
            conn.execute(text(
                "update reports set status = :s, due_at = :d, received_at = :now - "
                "make_interval(hours => :b), reported_at = reported_at - make_interval(hours "
                "=> :b) where id = :id"), {"s": status, "b": back, "id": report_id, "now": now,
                "d": None if due is None else now + timedelta(hours=due)})  # fmt: skip
        rows = conn.execute(
            text(
                "select r.id::text as id, r.status, r.reported_at, coalesce(r.due_at, "
                "case when r.status in ('received', 'assigned') then r.received_at + "
                "make_interval(hours => c.accept_hours) end) as deadline "
                "from reports r join report_categories c on c.id = r.category_id"
            )
        ).mappings()
        return [dict(r) for r in rows]


def expected(cases: list[dict], keep=lambda case: True) -> list[str]:
    """The list's order worked out here: open by deadline, then finished newest first."""
    kept = [c for c in cases if keep(c)]
    opened = sorted(
        (c for c in kept if c["status"] in OPEN),
        key=lambda c: (
            c["deadline"] is None,
            c["deadline"] or c["reported_at"],
            -c["reported_at"].timestamp(),
            c["id"],
        ),
    )
    finished = sorted((c for c in kept if c["status"] not in OPEN),
                      key=lambda c: (-c["reported_at"].timestamp(), c["id"]))  # fmt: skip
    return [c["id"] for c in opened + finished]


@pytest.mark.parametrize("query, keep", [
    (CaseQuery(), lambda c: True),
    (CaseQuery(ReportFilter(statuses=("closed", "received"))),
     lambda c: c["status"] in ("closed", "received")),
    (CaseQuery(ReportFilter(statuses=("verified",))), lambda c: c["status"] == "verified"),
    (CaseQuery(ReportFilter(statuses=("closed", "verified", "rework"))),
     lambda c: c["status"] in ("closed", "verified", "rework")),
    (CaseQuery(overdue=True), lambda c: c["status"] in OPEN and c["deadline"] is not None
     and c["deadline"] < china_now()),
])  # fmt: skip
def test_every_page_size_gives_the_same_order_and_total(reports_engine, cases, query, keep):
    want = expected(cases, keep)
    assert want, "the filter should match something"
    with reports_engine.connect() as conn:
        for limit in range(1, 8):
            got, totals = [], set()
            for offset in range(0, 8, limit):
                rows, total = list_cases(conn, query, ALL, now=china_now(), limit=limit,
                                         offset=offset)  # fmt: skip
                got += [str(r["id"]) for r in rows]
                totals.add(total)
            assert got == want, f"page size {limit}"
            assert totals == {len(want)}, f"page size {limit}"


def test_an_open_case_without_a_stored_deadline_takes_its_acceptance_limit(
    reports_engine, cases
):  # fmt: skip
    """The received case has no stored deadline: it sits among the open ones by receipt
    plus its category's acceptance hours, not at the end."""
    order = expected(cases)
    received = next(c["id"] for c in cases if c["status"] == "received")
    assert order.index(received) < len([c for c in cases if c["status"] in OPEN])
    with reports_engine.connect() as conn:
        rows, _ = list_cases(conn, CaseQuery(), ALL, now=china_now(), limit=50)
    assert [str(r["id"]) for r in rows] == order


def test_a_verified_case_comes_after_the_open_cases_with_a_deadline(reports_engine, cases):
    """Awaiting its close it has no deadline: last of the open ones, before the finished."""
    with reports_engine.connect() as conn:
        rows, _ = list_cases(conn, CaseQuery(), ALL, now=china_now(), limit=50)
    statuses = [r["status"] for r in rows]
    assert statuses[-2:] == ["verified", "closed"]
