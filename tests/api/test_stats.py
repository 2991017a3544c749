"""Monthly statistics and the assessment table over HTTP, scoped by role."""

from __future__ import annotations

import csv
import io

import pytest

from geogrid.api.schemas.stats import AssessmentOut, MonthlyStatsOut
from tests.api.fixtures import auth
from tests.api.places import STATS_MONTH, delete_reports, make_month_of_reports, person_on


@pytest.fixture(scope="module")
def month_reports(county):
    """March 2025's six reports (places.make_month_of_reports)."""
    ids = make_month_of_reports(county.engine, county.index, county.p01, county.p02)
    yield ids
    delete_reports(county.engine, ids)


def stats(client, token: str, by: str) -> MonthlyStatsOut:
    """GET /v1/stats/monthly for March 2025."""
    answer = client.get("/v1/stats/monthly", params={"month": STATS_MONTH, "by": by},
                        headers=auth(token))  # fmt: skip
    assert answer.status_code == 200, answer.text
    return MonthlyStatsOut.model_validate(answer.json())


def test_county_totals_count_every_figure(client, users, month_reports):
    totals = stats(client, users.admin, "county").totals
    names = ("reports", "hazards", "disputes", "disputes_mediated", "cases_assisted",
             "resolved", "open", "unassigned_backlog")  # fmt: skip
    assert [getattr(totals, n) for n in names] == [6, 1, 3, 1, 2, 2, 4, 1]
    assert totals.by_category == {"public_security": 2, "dispute": 3, "fire_hazard": 1}
    assert totals.median_hours_to_resolve is not None and totals.median_hours_to_resolve >= 0


def test_rows_per_station_grid_assistant_and_category(client, county, users, month_reports):
    by_station = {r.key: r.reports for r in stats(client, users.admin, "station").rows}
    assert by_station == {"370782P01": 4, "370782P02": 1, None: 1}
    by_grid = {r.key: r.reports for r in stats(client, users.admin, "grid").rows}
    assert by_grid[county.p01.grid] == 4 and by_grid[None] == 1
    leader = person_on(county.engine, county.p01.grid, "grid_leader")[1]
    officer = person_on(county.engine, county.p01.unit, "information_officer")[1]
    by_person = {r.key: r.reports for r in stats(client, users.admin, "assistant").rows}
    assert by_person[leader] == 4 and by_person[officer] == 4
    by_category = {r.key: r.reports for r in stats(client, users.admin, "category").rows}
    assert by_category == {"dispute": 3, "fire_hazard": 1, "public_security": 2}


def test_each_role_counts_only_its_scope(client, users, month_reports):
    assert stats(client, users.p01, "county").totals.reports == 4
    assert {r.key for r in stats(client, users.p02, "station").rows} == {"370782P02"}
    assert stats(client, users.staff01, "county").totals.reports == 4
    assert stats(client, users.staff02, "county").totals.reports == 1
    assert stats(client, users.fire, "county").totals.by_category == {"fire_hazard": 1}


def test_the_assessment_lists_every_assistant_of_the_area(client, county, users, month_reports):
    leader = person_on(county.engine, county.p01.grid, "grid_leader")[1]
    answer = client.get("/v1/stats/assessment", params={"month": STATS_MONTH},
                        headers=auth(users.p01))  # fmt: skip
    table = AssessmentOut.model_validate(answer.json())
    rows = {r.person_no: r for r in table.rows}
    assert rows[leader].figures.reports == 4 and rows[leader].figures.cases_assisted == 2
    assert {r.station for r in table.rows} == {"370782P01"}
    assert any(r.figures.reports == 0 for r in table.rows), "assistants without reports too"
    mine = client.get("/v1/stats/assessment", params={"month": STATS_MONTH},
                      headers=auth(users.staff01)).json()  # fmt: skip
    assert [r["person_no"] for r in mine["rows"]] == [leader]
    assert client.get("/v1/stats/assessment", params={"month": STATS_MONTH},
                      headers=auth(users.fire)).status_code == 403  # fmt: skip


def test_the_assessment_as_csv_opens_in_excel(client, county, users, month_reports):
    answer = client.get("/v1/stats/assessment", params={"month": STATS_MONTH, "format": "csv"},
                        headers=auth(users.p01))  # fmt: skip
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.text.startswith("\ufeff人员编号 person_no,姓名 name")
    rows = list(csv.reader(io.StringIO(answer.text)))
    for kpi in ("受理及时率", "按期处置率", "返工率", "延期率", "结案率", "有效上报率"):
        assert any(title.startswith(kpi + " ") for title in rows[0]), kpi
    assert len(rows) == 1 + len(client.get("/v1/stats/assessment", params={"month": STATS_MONTH},
                                           headers=auth(users.p01)).json()["rows"])  # fmt: skip


@pytest.mark.parametrize("month", ["2025-13", "2025-3", "March"])
def test_a_bad_month_names_the_field(client, users, month):
    answer = client.get("/v1/stats/monthly", params={"month": month}, headers=auth(users.admin))
    assert answer.status_code in (400, 422) and answer.json()["field"] == "month"
