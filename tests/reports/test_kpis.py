"""The case loop's KPIs on six hand-built cases of March 2026 walked through the loop with a
fixed clock: every formula of the README against answers worked out by hand (one case
verified but not yet closed by its desk: not closed)."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import Engine, text

from geogrid.api.exports import assessment_csv
from geogrid.reports.lifecycle import change_status
from geogrid.reports.queries import ReportScope
from geogrid.reports.stats import assessment, monthly_stats
from tests.intake_paths import submit_one
from tests.reports.conftest import inside_point
from tests.reports.test_loop import Who, at, step

ALL = ReportScope(everything=True, details=True)
NOW = at("2026-03-20T12:00")  # the clock the open cases are judged by


def _case(engine: Engine, index) -> str:
    """A public-security case (accept 1 working hour, handle 3 days, verify 1) reported and
    received on Monday 2 March 2026 09:00 China time."""
    lon, lat = inside_point(index, 0)
    report_id = submit_one(engine, {"category": "public_security", "lon": lon, "lat": lat,
                                    "reported_at": "2026-03-02T09:00:00+08:00"},
                           index=index)  # fmt: skip
    with engine.begin() as conn:
        conn.execute(text("update reports set received_at = reported_at, due_at = null "
                          "where id = :i"),
                     {"i": report_id})  # fmt: skip
    return report_id


@pytest.fixture
def month(reports_engine: Engine, county_index) -> dict[str, str]:
    """Cases A to F (see each line) walked through the loop."""
    e = reports_engine
    ids = {name: _case(e, county_index) for name in "ABCDEF"}
    with e.connect() as conn:
        row = conn.execute(text("select r.station_id, r.leader_id, p.person_no from reports r "
                                "join people p on p.id = r.leader_id where r.id = :i"),
                           {"i": ids["A"]}).one()  # fmt: skip
    desk = Who("派出所", "station", station_id=row.station_id)
    hand = Who("网格长", "grid_staff", person_id=row.leader_id)
    go = {"handler_person": row.person_no, "note": "请处置"}

    def walk(name: str, *steps) -> None:
        for moment, what, who, body in steps:
            step(e, ids[name], what, who, at(moment), **body)

    # A: all on time, closed (结案, the desk's step) 26 h after it was reported.
    walk("A", ("2026-03-02T09:30", "accept", desk, {}),
         ("2026-03-02T10:00", "dispatch", desk, go),  # due Thu 5 March 10:00
         ("2026-03-03T10:00", "handle", hand, {"note": "已处置"}),
         ("2026-03-03T10:30", "verify", desk, {"passed": True}),
         ("2026-03-03T11:00", "close", desk, {}))  # fmt: skip
    # B: accepted late (limit 10:00), extended, handled in time, reworked once, closed
    # 8 days 2 h (194 h) after it was reported.
    walk("B", ("2026-03-02T11:00", "accept", desk, {}),
         ("2026-03-02T11:00", "dispatch", desk, go),
         ("2026-03-04T10:00", "extension", hand, {"note": "待协调",
                                                  "due_at": at("2026-03-10T17:00")}),
         ("2026-03-04T11:00", "extension_decide", desk, {"approve": True}),
         ("2026-03-09T10:00", "handle", hand, {"note": "已处置"}),
         ("2026-03-09T11:00", "verify", desk, {"passed": False, "note": "仍有杂物"}),
         ("2026-03-10T10:00", "handle", hand, {"note": "已清理"}),
         ("2026-03-10T10:30", "verify", desk, {"passed": True}),
         ("2026-03-10T11:00", "close", desk, {"note": "结案"}))  # fmt: skip
    # C: dispatched, still being handled on the 20th, long past its deadline: a failure.
    walk("C", ("2026-03-02T09:30", "accept", desk, {}),
         ("2026-03-02T10:00", "dispatch", desk, go),
         ("2026-03-02T11:00", "start", hand, {}))  # fmt: skip
    # D: refused; E: a duplicate. Neither counts in 结案率.
    walk("D", ("2026-03-02T09:30", "refuse", desk, {"note": "不属实"}))
    with e.begin() as conn:
        change_status(conn, ids["E"], "duplicate", actor="派出所", duplicate_of=ids["A"])
    # F: handled a day late (due Thu 5 March 10:00), verified late (due Mon 9 March 10:00),
    # and on the 20th still waiting for its desk's close (verified, 待结案): not closed.
    walk("F", ("2026-03-02T09:30", "accept", desk, {}),
         ("2026-03-02T10:00", "dispatch", desk, go),
         ("2026-03-06T10:00", "handle", hand, {"note": "已处置"}),
         ("2026-03-09T16:00", "verify", desk, {"passed": True}))  # fmt: skip
    return ids | {"leader": row.person_no}


def test_each_kpi_formula_on_known_cases(reports_engine, month) -> None:
    with reports_engine.connect() as conn:
        totals, _ = monthly_stats(conn, "2026-03", "county", ALL, now=NOW)
    k = totals.kpis
    # 受理及时率: A, C, F of the four accepted (B late).
    assert (k.accepted, k.accepted_on_time, k.acceptance_on_time_rate) == (4, 3, 0.75)
    # 按期处置率: A and B on time; F late; C open past its deadline counts as a failure.
    assert (k.handled_or_overdue, k.handled_on_time, k.open_overdue) == (4, 2, 1)
    assert k.handling_on_time_rate == 0.5
    # 返工率: B of the three verified (A, B, F); F's verification came late.
    assert (k.verified, k.reworked, k.rework_rate) == (3, 1, 0.3333)
    assert k.verifications_on_time == 2
    # 延期率: B of the four dispatched.
    assert (k.dispatched, k.extended, k.extension_rate) == (4, 1, 0.25)
    # 结案率: A and B closed of the four cases (refused D and duplicate E left out; F
    # verified but not closed, C open).
    assert (k.cases, k.closed, k.closure_rate) == (4, 2, 0.5)
    # Hours to the close event (not the verification half an hour before) 26 and 194:
    # median 110, 90th percentile 26 + 0.9 * 168.
    assert (k.median_hours_to_close, k.p90_hours_to_close) == (110.0, 177.2)
    # 有效上报率: four accepted of six reported.
    assert k.valid_report_rate == 0.6667


def test_the_same_figures_per_group_and_none_before_the_clock(reports_engine, month) -> None:
    with reports_engine.connect() as conn:
        totals, _ = monthly_stats(conn, "2026-03", "county", ALL, now=NOW)
        rows = {
            by: monthly_stats(conn, "2026-03", by, ALL, now=NOW)[1]
            for by in ("grid", "station", "department", "category", "assistant")
        }
        early, _ = monthly_stats(conn, "2026-03", "county", ALL, now=at("2026-03-03T12:00"))
        april, _ = monthly_stats(conn, "2026-04", "county", ALL, now=NOW)
    for by, found in rows.items():
        assert found[0].kpis == totals.kpis, by
    assert rows["department"][0].key is None  # police cases: no department
    # Judged on the 3rd, C is not yet overdue: only the handled A, B and F count.
    assert (early.kpis.open_overdue, early.kpis.handled_or_overdue) == (0, 3)
    assert april.kpis.accepted == 0 and april.kpis.acceptance_on_time_rate is None


def test_the_assessment_row_and_its_csv_carry_the_kpis(reports_engine, month) -> None:
    with reports_engine.connect() as conn:
        rows = assessment(conn, "2026-03", ALL, now=NOW)
    mine = next(r for r in rows if r.person_no == month["leader"])
    assert mine.figures.kpis.closure_rate == 0.5 and mine.figures.kpis.extended == 1
    table = list(csv.DictReader(io.StringIO(assessment_csv(rows).lstrip("\ufeff"))))
    line = next(r for r in table if r["人员编号 person_no"] == month["leader"])
    assert line["受理及时率 acceptance_on_time_rate"] == "0.75"
    assert line["按期处置率 handling_on_time_rate"] == "0.5"
    assert line["返工率 rework_rate"] == "0.3333"
    assert line["延期率 extension_rate"] == "0.25"
    assert line["结案率 closure_rate"] == "0.5"
    assert line["有效上报率 valid_report_rate"] == "0.6667"
    assert line["按时核查 verifications_on_time"] == "2"
