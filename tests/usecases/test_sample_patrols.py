"""The demo's sample patrols: walks along the leaders' grids through the patrols' own use
cases, work logs on most working days, nothing stored twice when run again."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from geogrid.patrols.coverage import coverage_by_unit
from geogrid.usecases.sample_patrols import make_sample_patrols
from tests.api.places import delete_patrol_rows

COUNTS = """select (select count(*) from patrols), (select count(*) from patrol_points),
  (select count(*) from work_logs),
  (select count(*) from patrols where stopped_at is null or track is null or st_isempty(track))"""


def test_sample_patrols_cover_the_leaders_grids_once(county_engine) -> None:
    delete_patrol_rows(county_engine)
    try:
        made = make_sample_patrols(county_engine, leaders=3, today=date(2026, 7, 5))
        assert made.month == "2026-06" and made.leaders == 3
        assert 20 <= made.patrols <= 60 and 30 <= made.logs <= 66  # ~3 a week, most workdays
        again = make_sample_patrols(county_engine, leaders=3, today=date(2026, 7, 5))
        with county_engine.connect() as conn:
            counts = conn.execute(text(COUNTS)).one()
            units = coverage_by_unit(conn, "2026-06", area=tuple(made.grids))
        assert counts == (made.patrols, made.points, made.logs, 0)
        assert (again.patrols, again.logs) == (made.patrols, made.logs)
        assert sum(u.patrols > 0 for u in units) >= 3 and max(u.share for u in units) > 0.2
    finally:
        delete_patrol_rows(county_engine)
