"""The intake core against PostGIS: batches, retries, coordinates, routing, duplicates."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from geogrid.errors import ConflictError, InputError
from geogrid.geo.crs import wgs84_to_bd09, wgs84_to_gcj02
from geogrid.reports import intake
from geogrid.reports.intake import submit_reports
from tests.intake_paths import submit_one
from tests.reports.conftest import inside_point

WHEN = "2026-06-01T10:00:00+08:00"


def item(lon: float, lat: float, **extra) -> dict:
    """A report item in WGS-84 with a category and a time."""
    return {"category": "public_security", "lon": lon, "lat": lat, "reported_at": WHEN} | extra


def stored(engine: Engine, report_id: str) -> dict:
    """One stored report with its unit code, station and department codes."""
    with engine.connect() as conn:
        return dict(conn.execute(text(
            "select r.*, u.code as unit_code, d.code as department_code, c.code as category "
            "from reports r left join grids u on u.id = r.level3_id "
            "left join departments d on d.id = r.department_id "
            "join report_categories c on c.id = r.category_id where r.id = :id"),
            {"id": report_id}).mappings().one())  # fmt: skip


def test_one_report_is_assigned_staffed_and_routed_to_the_station(
    reports_engine: Engine, county_index
) -> None:
    lon, lat = inside_point(county_index, 5)
    row = stored(reports_engine, submit_one(reports_engine, item(lon, lat), index=county_index))
    assert row["unit_code"] == county_index.units.codes[5]
    assert row["assignment_method"] == "inside" and row["status"] == "assigned"
    assert row["route"] == "station" and row["station_id"] is not None
    assert row["leader_id"] and row["officer_id"] and row["police_id"], "the roster is full"
    assert (row["received_x"], row["received_y"], row["received_crs"]) == (lon, lat, "EPSG:4326")


def test_routing_rules_security_department_and_triage(reports_engine, county_index) -> None:
    lon, lat = inside_point(county_index, 3)
    result = submit_reports(reports_engine, pd.DataFrame([
        item(lon, lat, category="dispute"), item(lon, lat, category="environment"),
        item(lon, lat, category="civil_affairs"), item(lon + 1, lat, category="dispute"),
        item(lon + 1, lat, category="environment"), item(lon, lat, category="special_group"),
        item(lon + 1, lat, category="population"),
    ]), index=county_index)  # fmt: skip
    rows = [stored(reports_engine, i) for i in result.report_id]
    assert [r["route"] for r in rows] == ["station", "department", "department", "triage",
                                          "triage", "registry", "registry"]  # fmt: skip
    assert [r["department_code"] for r in rows] == [None, "environment", "civil_affairs", None,
                                                    None, None, None]  # fmt: skip
    assert rows[1]["police_id"] is None, "a department report has no police officer"
    assert rows[3]["assignment_method"] == "unassigned" and rows[3]["status"] == "received"
    # basic information goes to the registry, assigned or not, as a proposal, not a case
    assert [r["status"] for r in rows[5:]] == ["registry", "registry"]
    assert result.routes == {"station": 1, "department": 2, "triage": 2, "registry": 2}


def test_a_security_report_where_no_station_covers_goes_to_triage(
    reports_engine, county_index
) -> None:
    lon, lat = inside_point(county_index, 0)
    with reports_engine.begin() as conn:
        conn.execute(text("delete from station_communities where community_code = :c"),
                     {"c": county_index.units.codes[0][:12]})  # fmt: skip
    try:
        from geogrid.reports.index import load_index

        row = stored(reports_engine, submit_one(reports_engine, item(lon, lat),
                                                index=load_index(reports_engine)))  # fmt: skip
        assert (row["route"], row["station_id"]) == ("triage", None)
    finally:
        with reports_engine.begin() as conn:
            conn.execute(text("insert into station_communities select c.code, s.id from "
                              "source_communities c join stations s on s.code = c.station_code "
                              "on conflict do nothing"))  # fmt: skip


def test_retry_with_same_body_repeats_and_with_another_body_conflicts(
    reports_engine, county_index
) -> None:
    lon, lat = inside_point(county_index, 2)
    first = submit_one(reports_engine, item(lon, lat, client_request_id="phone-1/42"),
                       index=county_index)  # fmt: skip
    again = submit_one(reports_engine, item(lon, lat, client_request_id="phone-1/42"),
                       index=county_index)  # fmt: skip
    assert again == first
    with pytest.raises(ConflictError, match="different body") as caught:
        submit_one(reports_engine, item(lon, lat, client_request_id="phone-1/42", text="x"),
                   index=county_index)  # fmt: skip
    assert caught.value.field == "client_request_id"
    with reports_engine.connect() as conn:
        assert conn.execute(text("select count(*) from reports")).scalar() == 1


def test_a_batch_keeps_the_good_items_around_a_bad_one(reports_engine, county_index) -> None:
    lon, lat = inside_point(county_index, 1)
    batch = pd.DataFrame([item(lon, lat, client_request_id="b-1"),
                          item(lon, lat, client_request_id="b-2", category="no_such_thing"),
                          item(lon, lat, client_request_id="b-3"),
                          item(lon, lat, client_request_id="b-1")])  # fmt: skip
    result = submit_reports(reports_engine, batch, index=county_index)
    assert list(result.outcome) == ["accepted", "rejected", "accepted", "repeated"]
    assert result.report_id[3] == result.report_id[0], "a repeat inside the batch"
    assert [(e.row, e.field) for e in result.errors] == [(1, "category")]
    assert "unknown category 'no_such_thing'" in str(result.errors[0])


def test_gcj02_and_bd09_reports_land_where_the_wgs84_point_does(
    reports_engine, county_index
) -> None:
    lon, lat = inside_point(county_index, 7)
    (glon,), (glat,) = wgs84_to_gcj02([lon], [lat])
    (blon,), (blat,) = wgs84_to_bd09([lon], [lat])
    result = submit_reports(reports_engine, pd.DataFrame([
        item(glon, glat, crs="gcj02"), item(blon, blat, crs="bd09"),
        item(glon, glat, crs="EPSG:4490"),
    ]), index=county_index)  # fmt: skip
    rows = [stored(reports_engine, i) for i in result.report_id]
    assert rows[0]["unit_code"] == rows[1]["unit_code"] == county_index.units.codes[7]
    assert (rows[0]["received_crs"], rows[0]["received_x"]) == ("gcj02", glon)
    assert rows[1]["received_crs"] == "bd09"
    with reports_engine.connect() as conn:
        x, y = conn.execute(text("select st_x(geom), st_y(geom) from reports where id = :i"),
                            {"i": result.report_id[0]}).one()  # fmt: skip
    assert (x, y) == pytest.approx((lon, lat), abs=1e-6)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"lon": float("nan")}, "lon", "NaN"),
        ({"lon": "NaN"}, "lon", "not a number: 'NaN'"),
        ({"lon": "east"}, "lon", "not a number: 'east'"),
        ({"lon": None}, "lon", "missing"),
        ({"lon": 0.0, "lat": 0.0}, "lon", "missing GPS fix"),
        ({"lat": 119.4, "lon": 36.0}, "lat", "swapped"),
        ({"lon": 200.0}, "lon", "out of range"),
        ({"category": "weather"}, "category", "unknown category"),
        ({"crs": "EPSG:999999"}, "crs", "unknown coordinate system"),
        ({"reported_at": "yesterday"}, "reported_at", "ISO 8601"),
        ({"reported_at": "2999-01-01T00:00:00Z"}, "reported_at", "future"),
    ],
)
def test_a_bad_report_names_its_field(reports_engine, county_index, change, field, words):
    lon, lat = inside_point(county_index, 0)
    with pytest.raises(InputError, match=words) as caught:
        submit_one(reports_engine, item(lon, lat) | change, index=county_index)
    assert caught.value.field == field


def test_a_missing_field_is_named(reports_engine, county_index) -> None:
    with pytest.raises(InputError, match="category: missing"):
        submit_one(reports_engine, {"lon": 119.4, "lat": 36.0}, index=county_index)


def test_a_repeat_nearby_within_a_day_is_flagged_not_merged(reports_engine, county_index):
    lon, lat = inside_point(county_index, 4)
    first = submit_one(reports_engine, item(lon, lat, category="fire_hazard"),
                       index=county_index)  # fmt: skip
    later = item(lon + 0.0001, lat, category="fire_hazard", reported_at="2026-06-01T15:00+08:00")
    other = item(lon, lat, category="population", reported_at="2026-06-01T15:00+08:00")
    result = submit_reports(reports_engine, pd.DataFrame([later, other]), index=county_index)
    assert result.duplicates == 1
    rows = [stored(reports_engine, i) for i in result.report_id]
    assert str(rows[0]["duplicate_of"]) == first and rows[0]["status"] == "assigned"
    assert rows[1]["duplicate_of"] is None, "basic information is never a duplicate"


def test_text_with_tabs_newlines_and_backslashes_round_trips(reports_engine, county_index):
    lon, lat = inside_point(county_index, 0)
    lon += 1.234567890123e-9  # all 17 digits must survive
    awkward = '第一行\t制表\\反斜杠\r\n第二行\a "引号", 逗号 \\N'
    odd = item(lon, lat, text=awkward, reporter="")
    one = submit_one(reports_engine, odd, index=county_index)
    many = submit_reports(reports_engine, pd.DataFrame([odd] * 300), index=county_index)
    for report, path in ((one, "the few-rows path"), (many.report_id[299], "the bulk path")):
        row = stored(reports_engine, report)
        assert row["text"] == awkward and row["reporter"] == "", path
        assert row["received_x"] == lon and row["received_y"] == lat, path


def test_every_door_assigns_staffs_and_routes_alike(reports_engine, county_index) -> None:
    # The API writer (async steps), a batch (blocking steps) and a file-sized batch (reads
    # asked one after the other) run one pipeline: the same item gets the same columns.
    lon, lat = inside_point(county_index, 6)
    items = [item(lon, lat, category=c) for c in ("dispute", "environment")]
    alone = [submit_one(reports_engine, i, index=county_index) for i in items]
    batch = submit_reports(reports_engine, items, index=county_index).report_id.tolist()
    many = submit_reports(reports_engine, pd.DataFrame(items * 600), index=county_index)
    columns = ("category", "level3_id", "leader_id", "officer_id", "police_id", "station_id",
               "department_id", "route", "assignment_method", "status")  # fmt: skip
    for k in range(2):
        rows = [stored(reports_engine, r) for r in (alone[k], batch[k], many.report_id[k])]
        assert len({tuple(row[c] for c in columns) for row in rows}) == 1, items[k]["category"]
    assert len(many.report_id) > intake.ASK_TOGETHER, "the file-sized path was taken"


def test_a_files_urgent_column_is_read_and_a_bad_cell_named(reports_engine, county_index,
                                                            tmp_path) -> None:  # fmt: skip
    from geogrid.usecases.ingest import IngestOptions, ingest_reports

    lon, lat = inside_point(county_index, 2)
    path = tmp_path / "reports.csv"
    rows = [f"fire_hazard,{lon},{lat},2026-06-01T10:00,{n},{flag}"
            for n, flag in enumerate(("是", "否", "", "TRUE", "maybe"))]  # fmt: skip
    path.write_text("类别,经度,纬度,时间,内容,紧急\n" + "\n".join(rows) + "\n", encoding="utf-8")
    summary = ingest_reports(reports_engine, path, IngestOptions())
    assert summary.outcomes["accepted"] == 4 and summary.outcomes["rejected"] == 1
    [(_, row, error)] = summary.errors  # row: the line of the file, its header line 1
    assert (row, error.field) == (6, "urgent") and "'maybe'" in error.message
    with reports_engine.connect() as conn:
        flags = dict(conn.execute(text("select text, urgent from reports")).all())
    assert flags == {"0": True, "1": False, "2": False, "3": True}
    with reports_engine.connect() as conn:
        # The acceptance deadline is stored at intake (fire hazard: 2 working hours; urgent 1).
        hours = dict(conn.execute(text("select text, due_at - received_at from reports")).all())
    assert hours["0"] <= hours["1"] and all(h.total_seconds() > 0 for h in hours.values())
