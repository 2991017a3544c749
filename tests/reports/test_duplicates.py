"""Possible duplicates, through both of the open-report searches: a box around each new
report (a few of them: the API's single POSTs) and one box around them all (a file)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from geogrid.reports.duplicates import FEW_PROBES
from geogrid.reports.intake import submit_reports
from tests.intake_paths import submit_one
from tests.reports.conftest import inside_point

START = datetime.fromisoformat("2026-06-01T08:00:00+08:00")
METRE = 1 / 92_000  # degrees of longitude at 36 N, near enough for these distances


def at(hours: float) -> str:
    return (START + timedelta(hours=hours)).isoformat()


def hazard(lon: float, lat: float, hours: float) -> dict:
    return {"category": "fire_hazard", "lon": lon, "lat": lat, "reported_at": at(hours)}


@pytest.mark.parametrize("fillers", [0, FEW_PROBES + 6], ids=["few", "many"])
def test_the_earliest_open_report_near_and_recent_is_named(
    reports_engine: Engine, county_index, fillers: int
) -> None:
    lon, lat = inside_point(county_index, 4)
    first = submit_one(reports_engine, hazard(lon, lat, 0), index=county_index)
    second = submit_one(reports_engine, hazard(lon, lat, 2), index=county_index)
    far_lon, far_lat = inside_point(county_index, 0)
    # Reports elsewhere, two days apart, so that none repeats another: they only make the
    # batch large enough for the search over all the batch's box.
    filler = [hazard(far_lon, far_lat, -48.0 * (k + 1)) for k in range(fillers)]
    near = hazard(lon + 10 * METRE, lat, 5)
    away = hazard(lon + 80 * METRE, lat, 5)
    late = hazard(lon, lat, 30)
    result = submit_reports(reports_engine, [near, away, late, *filler], index=county_index)
    assert len(result.report_id) == 3 + fillers and result.accepted == 3 + fillers
    found = _duplicate_of(reports_engine)
    assert found[second] == first
    assert found[result.report_id[0]] == first, "the earliest of the open reports nearby"
    assert found[result.report_id[1]] is None, "80 m away"
    assert found[result.report_id[2]] is None, "30 h later: outside the 24 h window"
    assert result.duplicates == 1


def test_a_closed_report_is_not_repeated(reports_engine: Engine, county_index) -> None:
    lon, lat = inside_point(county_index, 4)
    first = submit_one(reports_engine, hazard(lon, lat, 0), index=county_index)
    with reports_engine.begin() as conn:
        conn.execute(text("update reports set status = 'closed' where id = :id"), {"id": first})
    again = submit_one(reports_engine, hazard(lon, lat, 1), index=county_index)
    assert _duplicate_of(reports_engine)[again] is None


def _duplicate_of(engine: Engine) -> dict[str, str | None]:
    with engine.connect() as conn:
        rows = conn.execute(text("select id::text, duplicate_of::text from reports")).all()
    return dict(rows)
