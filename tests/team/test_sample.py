"""Sample team records: written once per month, at the rates the module states."""

from __future__ import annotations

from sqlalchemy import text

from geogrid.team.metrics import assistants_of_month, training_source
from geogrid.team.sample import SampleTeam, sample_team


def test_a_month_of_sample_records_is_written_once(county_conn):
    made = sample_team(county_conn, "2026-06")
    assert made.selection_steps > 0 and made.sessions > 2 and made.meetings > 0
    assert sample_team(county_conn, "2026-06") == SampleTeam()
    people = assistants_of_month(county_conn, "2026-06")
    trained = training_source(county_conn, "2026-06")
    assert 0.7 < len(trained) / len(people) <= 1.0
    failed = county_conn.execute(text(
        "select count(*) from people p where p.vetting_status = 'failed' and not exists"
        " (select 1 from selection_steps s where s.person_id = p.id and s.outcome = 'failed')"
    )).scalar()  # fmt: skip
    assert failed == 0  # every failed candidate's history shows the stage they failed
