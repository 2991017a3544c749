"""The sample histories: ten police cases of February 2026 walked through the loop give each
kind (closed on time, overdue, reworked, extended, supervised, awaiting close, with photos)
and the KPIs."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text

from geogrid.media.store import DiskStore
from geogrid.reports.deadlines import load_calendar
from geogrid.reports.inbox import inbox
from geogrid.reports.lifecycle import events_of
from geogrid.reports.queries import ReportScope
from geogrid.reports.stats import monthly_stats
from geogrid.usecases.sample_histories import Walker, walk_histories
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
        conn.execute(text("update reports set received_at = reported_at, due_at = null"))
    return ids


def test_the_histories_give_every_kind(reports_engine: Engine, county_index, tmp_path: Path):
    _cases(reports_engine, county_index, 10)
    store = DiskStore(tmp_path / "media")
    done = walk_histories(reports_engine, store, load_calendar(), limit=10, now=NOW)
    assert dict(done.kinds) == {"closed_on_time": 5, "overdue": 1, "reworked": 1,
                                "extended": 1, "supervised": 1, "awaiting_close": 1}  # fmt: skip
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
    assert statuses == {"closed": 8, "verified": 1, "in_progress": 1}
    assert supervised == 1 and linked == 4
    assert [e.step for e in trail if e.step] == ["accept", "dispatch", "start", "handle",
                                                 "verify", "close"]  # fmt: skip
    close = trail[-1]
    assert (close.actor, close.from_status, close.to_status) == ("派出所值班", "verified", "closed")
    assert any(e.photo_ids for e in trail if e.step == "handle")
    k = totals.kpis
    # The case awaiting its close is verified, not closed: 结案率 8 of 10.
    assert (k.closed, k.open_overdue, k.reworked, k.extended) == (8, 1, 1, 1)
    assert (k.verified, k.closure_rate) == (9, 0.8)
    assert k.handled_on_time == 9 and k.accepted_on_time == k.accepted == 10


def test_the_station_shown_is_one_with_an_overdue_case(reports_engine: Engine, county_index,
                                                       tmp_path: Path):  # fmt: skip
    # The demo prints the inbox of the histories' station and says "overdue by": that station
    # is one where a case was left overdue, not the example closed case's station.
    _cases(reports_engine, county_index, 10)
    with reports_engine.begin() as conn:  # the first case walked (the example) elsewhere
        conn.execute(text(
            "update reports set station_id = (select min(s.id) from stations s "
            "where s.id <> reports.station_id) where id = (select id from reports "
            "order by md5(id::text || '16') limit 1)"))  # fmt: skip
    done = walk_histories(reports_engine, DiskStore(tmp_path / "media"), load_calendar(),
                          limit=10, now=NOW)  # fmt: skip
    with reports_engine.connect() as conn:
        overdue = conn.execute(
            text(
                "select station_id, s.code from reports r join stations s "
                "on s.id = r.station_id where r.status = 'in_progress'"
            )
        ).one()
        example = conn.execute(text("select station_id from reports where id = :id"),
                               {"id": done.example}).scalar()  # fmt: skip
        waiting = inbox(conn, Walker("demo", "station", station_id=done.station_id),
                        calendar=load_calendar(), now=NOW)  # fmt: skip
    assert example != overdue.station_id
    assert (done.station_id, done.station) == tuple(overdue)
    assert any(item.overdue and item.waiting == "attention" for item in waiting)


def test_department_cases_refusals_and_returns_go_round_too(reports_engine: Engine, county_index,
                                                            tmp_path: Path):  # fmt: skip
    for n in range(20):  # every other case a fire hazard: the fire brigade's to handle
        lon, lat = inside_point(county_index, n % 3)
        category = "fire_hazard" if n % 2 else "public_security"
        submit_one(reports_engine, {"category": category, "lon": lon, "lat": lat,
                                    "reported_at": f"2026-02-{2 + n:02d}T09:00:00+08:00"},
                   index=county_index)  # fmt: skip
    done = walk_histories(reports_engine, DiskStore(tmp_path / "media"), load_calendar(),
                          limit=20, now=NOW)  # fmt: skip
    assert not done.skipped and sum(done.kinds.values()) == 20
    assert done.kinds["refused"] == done.kinds["returned"] == 1
    with reports_engine.connect() as conn:
        rows = conn.execute(text(
            "select r.route, r.status, array_agg(e.step order by e.at, e.id) as steps, "
            "array_agg(e.actor order by e.at, e.id) as actors from reports r "
            "join report_events e on e.report_id = r.id group by r.id")).all()  # fmt: skip
        totals, _ = monthly_stats(conn, "2026-02", "county", ReportScope(everything=True),
                                  now=NOW)  # fmt: skip
    department = [r for r in rows if "责任单位" in r.actors]
    assert department and all(r.actors[r.steps.index("handle")] == "责任单位" for r in department
                              if "handle" in r.steps)  # fmt: skip
    assert any(r.steps[:2] == ["return", "accept"] and r.actors[1] == "县级分流" for r in rows)
    assert sum(r.status == "rejected" for r in rows) == 1
    for r in rows:  # whoever handled a case never verified it
        handlers = {a for a, s in zip(r.actors, r.steps, strict=True) if s == "handle"}
        assert not handlers & {a for a, s in zip(r.actors, r.steps, strict=True) if s == "verify"}
    closing = [r for r in rows if "close" in r.steps]
    assert closing and all(
        r.actors[r.steps.index("close")] == r.actors[r.steps.index("dispatch")] for r in closing
    ), "the desk that dispatched a case closes it"
    assert done.kinds["awaiting_close"] == sum(r.status == "verified" for r in rows) == 1
    assert totals.kpis.closure_rate >= 0.8, "most of the month's cases are closed"
