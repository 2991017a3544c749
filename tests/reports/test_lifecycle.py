"""The lifecycle: allowed and refused changes, events, notes and grid instructions."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from geogrid.errors import NotFoundError, TransitionError
from geogrid.reports.lifecycle import add_note, change_status, events_of, instruct_grid
from tests.intake_paths import submit_one
from tests.reports.conftest import inside_point


@pytest.fixture
def report_id(reports_engine: Engine, county_index) -> str:
    """One assigned report."""
    lon, lat = inside_point(county_index, 0)
    item = {"category": "dispute", "lon": lon, "lat": lat, "reported_at": "2026-05-01T09:00"}
    return submit_one(reports_engine, item, index=county_index)


def test_a_report_walks_to_closed_with_an_event_per_step(reports_engine, report_id) -> None:
    with reports_engine.begin() as conn:
        for step in ("dispatched", "in_progress", "resolved", "verified", "closed"):
            change_status(conn, report_id, step, actor="民警 王", note=f"to {step}")
        add_note(conn, report_id, "已调解", actor="网格长 李")
        add_note(conn, report_id, "请回访", actor="派出所", instruction=True)
        trail = events_of(conn, report_id)
    assert [(e.from_status, e.to_status) for e in trail[:5]] == [
        ("assigned", "dispatched"), ("dispatched", "in_progress"),
        ("in_progress", "resolved"), ("resolved", "verified"), ("verified", "closed"),
    ]  # fmt: skip
    assert [e.kind for e in trail[5:]] == ["note", "instruction"]
    assert trail[0].actor == "民警 王" and trail[0].at is not None


def test_refused_changes_say_what_is_allowed(reports_engine, report_id) -> None:
    with reports_engine.begin() as conn:
        with pytest.raises(TransitionError, match="can go to dispatched"):
            change_status(conn, report_id, "closed", actor="x")
        change_status(conn, report_id, "rejected", actor="x")
        with pytest.raises(TransitionError, match="it is final"):
            change_status(conn, report_id, "assigned", actor="x")
        with pytest.raises(TransitionError, match="unknown status"):
            change_status(conn, report_id, "lost", actor="x")


def test_missing_reports_and_grids_are_not_found(reports_engine) -> None:
    with reports_engine.begin() as conn:
        with pytest.raises(NotFoundError):
            change_status(conn, "00000000-0000-4000-8000-000000000000", "closed", actor="x")
        with pytest.raises(NotFoundError):
            add_note(conn, "not-a-uuid", "x", actor="x")
        with pytest.raises(NotFoundError, match="no grid"):
            instruct_grid(conn, "999", "巡逻", actor="派出所")


def test_a_station_instructs_the_assistants_of_a_grid(reports_engine, county_index) -> None:
    code = county_index.levels[2].codes[0]
    with reports_engine.connect() as conn:
        number = instruct_grid(conn, code, "本周重点排查出租房屋", actor="密州派出所")
        saved = conn.execute(text("select grid_code, text from grid_instructions where id = :i"),
                             {"i": number}).one()  # fmt: skip
        conn.rollback()
    assert saved == (code, "本周重点排查出租房屋")
