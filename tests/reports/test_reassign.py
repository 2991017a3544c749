"""A redraw moves reports: they keep their version until `reassign` puts them in the new one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import text

from geogrid.reports import reassign
from geogrid.reports.intake import submit_reports
from geogrid.reports.reassign import reassign_reports


def test_reassign_moves_reports_into_the_new_version(reports_engine, county_index, redrawn):
    rng = np.random.default_rng(3)
    centres = shapely.point_on_surface(county_index.units.geoms[:40])
    items = pd.DataFrame({"category": "dispute", "reported_at": "2026-03-01T10:00+08:00",
                          "lon": shapely.get_x(centres) + rng.normal(0, 1e-4, 40),
                          "lat": shapely.get_y(centres)})  # fmt: skip
    first = submit_reports(reports_engine, items, index=county_index)
    with reports_engine.begin() as conn:
        conn.execute(text("update reports set status = 'closed' where id = :i"),
                     {"i": first.report_id[0]})  # fmt: skip
        # handled, awaiting verification by its unit's assistant: still open, so it moves
        conn.execute(text("update reports set status = 'resolved' where id = :i"),
                     {"i": first.report_id[1]})  # fmt: skip
    result = reassign_reports(reports_engine, redrawn, open_only=True)
    assert result.examined == 39, "the closed report stays where it was; the handled one moves"
    assert 0 < result.moved <= 39 and sum(result.moves.values()) == result.moved
    with reports_engine.connect() as conn:
        rows = conn.execute(text(_CHECK), {"v": redrawn}).all()
    closed = next(r for r in rows if r[0] == first.report_id[0])
    assert closed[1] == county_index.version_id, "closed reports keep their version"
    moved_rows = [r for r in rows if r[0] != first.report_id[0]]
    assert all(r[1] == redrawn or r[2] is None for r in moved_rows)
    assert all(r[2] == r[3] for r in moved_rows if r[3] is not None)
    assert sum(r[4] for r in moved_rows) == result.moved, "one assignment event per move"


_CHECK = """
select r.id::text, r.version_id, u.code,
  (select code from grids g where g.version_id = :v and g.level = 3
   and st_intersects(g.geom, r.geom) order by code limit 1) as should,
  (select count(*) from report_events e where e.report_id = r.id) as events
from reports r left join grids u on u.id = r.level3_id
"""


def test_reassign_streams_in_chunks(reports_engine, county_index, redrawn, monkeypatch):
    """Chunks of 7 (the server-side cursor read a chunk at a time) give what one chunk does."""
    centres = shapely.point_on_surface(county_index.units.geoms[:30])
    items = pd.DataFrame({"category": "dispute", "reported_at": "2026-03-01T10:00+08:00",
                          "lon": shapely.get_x(centres),
                          "lat": shapely.get_y(centres)})  # fmt: skip
    submit_reports(reports_engine, items, index=county_index)
    monkeypatch.setattr(reassign, "CHUNK", 7)
    seen = []
    result = reassign_reports(reports_engine, redrawn, progress=lambda d, t: seen.append((d, t)))
    assert result.examined == 30 and seen == [(7, 30), (14, 30), (21, 30), (28, 30), (30, 30)]
    with reports_engine.connect() as conn:
        rows = conn.execute(text(_CHECK), {"v": redrawn}).all()
    assert all(r[1] == redrawn or r[2] is None for r in rows), "every report is in the new version"
    assert all(r[2] == r[3] for r in rows if r[3] is not None)
    assert reassign_reports(reports_engine, redrawn).examined == 0, "nothing left to move"


def test_a_pending_proposal_follows_its_report_to_its_new_unit(
    reports_engine, county_index, redrawn
):
    """A basic report's registry proposal is the officer's of the report's unit: when a
    redraw moves the report, its pending proposal moves with it; a decided one stays."""
    centres = shapely.point_on_surface(county_index.units.geoms[:20])
    items = pd.DataFrame({"category": "population", "reported_at": "2026-03-01T10:00+08:00",
                          "lon": shapely.get_x(centres),
                          "lat": shapely.get_y(centres)})  # fmt: skip
    submitted = submit_reports(reports_engine, items, index=county_index)
    ids = list(submitted.report_id)
    with reports_engine.begin() as conn:
        conn.execute(text("update registry_proposals set status = 'rejected' "
                          "where report_id = cast(:r as uuid)"), {"r": ids[0]})  # fmt: skip
        before = dict(conn.execute(text(_PROPOSALS)).all())
    result = reassign_reports(reports_engine, redrawn)
    assert result.moved > 0
    with reports_engine.connect() as conn:
        after = dict(conn.execute(text(_PROPOSALS)).all())
        units = dict(conn.execute(text(
            "select r.id::text, u.code from reports r left join grids u on u.id = r.level3_id"
        )).all())  # fmt: skip
    assert len(after) == 20
    assert after[ids[0]] == before[ids[0]], "a decided proposal keeps its unit"
    assert all(after[i] == units[i] for i in ids[1:]), "pending ones follow their report"
    assert any(after[i] != before[i] for i in ids[1:]), "the redraw moved some"


_PROPOSALS = "select report_id::text, unit_code from registry_proposals where kind = 'report'"
