"""The source case's result table for a period and area, and its printed page."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from geogrid.prints.team_figures import write_figures_pdf
from geogrid.team.actions import ActionIn, record_action
from geogrid.team.figures import source_figures
from geogrid.team.people import find_person
from tests.prints import pdf_info, pdf_text


def test_the_figures_count_villages_assistants_and_people_adjusted(county_conn, tmp_path):
    first, last = date(2026, 1, 1), date(2026, 6, 30)
    county = source_figures(county_conn, first, last)
    villages = county_conn.execute(text(
        "select count(*) from grids g join grid_versions v on v.id = g.version_id"
        " where v.status = 'active' and g.level = 2 and g.kind = 'rural_village'")
    ).scalar()  # fmt: skip
    assert county.villages == villages > 0
    assert county.villages_with_assistant <= villages
    assert county.villages_without_crime <= villages
    assert county.assistants > 0 and 30 < county.average_age < 70
    leader_no, community = county_conn.execute(text(
        "select p.person_no, p.community_code from grid_assignments a join people p"
        " on p.id = a.person_id join grids g on g.code = a.grid_code"
        " where a.role = 'grid_leader' and g.kind = 'rural_village' limit 1")).one()  # fmt: skip
    leader = find_person(county_conn, leader_no)
    record_action(county_conn, leader, ActionIn("dismissal", date(2026, 6, 1), "复审不合格", "x"))
    after = source_figures(county_conn, first, last)
    assert after.adjusted == county.adjusted + 1
    assert after.villages_with_assistant == county.villages_with_assistant - 1
    there = source_figures(county_conn, first, last, (community,))
    assert there.adjusted == 1 and there.villages < county.villages
    pdf = write_figures_pdf(after, "诸城市一村一警务助理工作成效", tmp_path / "figures.pdf")
    assert pdf_info(pdf)["Pages"] == "1"
    printed = pdf_text(pdf)
    assert "诸城市一村一警务助理工作成效" in printed and "考核调整" in printed
    assert f"{after.villages_with_assistant:,} / {after.villages:,}" in printed
