"""The sample histories: ten police cases of February 2026 walked through the loop give each
kind (closed on time, overdue, reworked, extended, supervised, with photos) and the KPIs."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text

from geogrid.media.store import DiskStore
from geogrid.reports.deadlines import load_calendar
from geogrid.reports.lifecycle import events_of
from geogrid.reports.queries import ReportScope
from geogrid.reports.stats import monthly_stats
from geogrid.usecases.sample_histories import walk_histories
from tests.intake_paths import submit_one
from tests.reports.conftest import inside_point
from tests.reports.test_loop import at

NOW = at("2026-03-20T12:00")


def _cases(engine: Engine, index, count: int) -> list[str]:
    ids = []
    for n in range(count):
        lon, lat = inside_point(index, n % 3)
        ids.append(submit_one(engine, {"category": "public_security", "lon": lon, "lat": lat,
                                       "reported_at": f"2026-02-{2 + n:02d}T09:00:00+08:00"},
                              index=index))  # fmt: skip
    with engine.begin() as conn:
        conn.execute(text("update reports set received_at = reported_at"))
    return ids


def test_the_histories_give_every_kind(reports_engine: Engine, county_index, tmp_path: Path):
    _cases(reports_engine, county_index, 10)
    store = DiskStore(tmp_path / "media")
    done = walk_histories(reports_engine, store, load_calendar(), limit=10, now=NOW)
    assert dict(done.kinds) == {"closed_on_time": 6, "overdue": 1, "reworked": 1,
                                "extended": 1, "supervised": 1}  # fmt: skip
    assert done.photos == 4 and done.month == "2026-02" and done.example and not done.skipped
    with reports_engine.connect() as conn:
        statuses = dict(conn.execute(text("select status, count(*) from reports group by 1")).all())
        supervised = conn.execute(text("select count(*) from reports "
                                       "where supervised_at is not null")).scalar()  # fmt: skip
        linked = conn.execute(text("select count(*) from report_photos "
                                   "where step = 'handled'")).scalar()  # fmt: skip
        trail = events_of(conn, done.example)
        totals, _ = monthly_stats(conn, "2026-02", "county", ReportScope(everything=True),
                                  now=NOW)  # fmt: skip
    assert statuses == {"closed": 9, "in_progress": 1} and supervised == 1 and linked == 4
    assert [e.step for e in trail if e.step] == ["accept", "dispatch", "start", "handle",
                                                 "verify"]  # fmt: skip
    assert any(e.photo_ids for e in trail if e.step == "handle")
    k = totals.kpis
    assert (k.closed, k.open_overdue, k.reworked, k.extended) == (9, 1, 1, 1)
    assert k.handled_on_time == 9 and k.accepted_on_time == k.accepted == 10
