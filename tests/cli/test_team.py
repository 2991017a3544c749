"""`geogrid team`: the same use cases as the API, errors as messages with exit code 1."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, text

from geogrid.team.people import find_person
from geogrid.team.selection import StageDecision, record_stage
from geogrid.vocabulary import REVIEW_ASPECTS, SELECTION_STAGES
from tests.cli.runner import run_geogrid
from tests.team.conftest import a_grid, new_person


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False).replace("+psycopg", "")


def test_a_candidate_is_assigned_only_after_every_stage(county_engine: Engine):
    with county_engine.begin() as conn:
        grid = a_grid(conn, offset=2)
        new_person(conn, "CLI-T1", "命令行", grid[:12])
    url = _url(county_engine)
    try:
        refused = run_geogrid("team", "assign", "CLI-T1", grid, GEOGRID_DATABASE_URL=url)
        assert refused.returncode == 1 and "Traceback" not in refused.stderr
        assert "CLI-T1 命令行" in refused.stderr and "nomination" in refused.stderr
        with county_engine.begin() as conn:
            person = find_person(conn, "CLI-T1")
            for stage in SELECTION_STAGES:
                aspects = (
                    dict.fromkeys(REVIEW_ASPECTS, "良好") if stage == SELECTION_STAGES[1] else {}
                )
                record_stage(conn, person, StageDecision(stage, "passed", date(2026, 11, 2), "所长",
                                                         "", aspects))  # fmt: skip
        made = run_geogrid("team", "assign", "CLI-T1", grid, "--from", "2026-12-01",
                           GEOGRID_DATABASE_URL=url)  # fmt: skip
        assert made.returncode == 0, made.stderr
        assert f"CLI-T1 on {grid} as grid_leader" in made.stdout
    finally:
        with county_engine.begin() as conn:
            conn.execute(text("delete from people where person_no = 'CLI-T1'"))
