"""Reports out to GeoPackage, CSV, GeoJSON and XLSX: Chinese, CRS, field types, filters, audit."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from geogrid.errors import InputError
from geogrid.reports.queries import ReportFilter
from geogrid.usecases.reports_export import ReportExportOptions, export_reports, report_filter
from tests.api.places import MONTH, make_reports, station_places

ACTOR = "cli:exporttest"


@pytest.fixture
def known(reports_engine, county_index):
    """The six reports of tests.api.places.make_reports (one sensitive: population)."""
    places = station_places(reports_engine, county_index)
    yield make_reports(reports_engine, county_index, places["370782P01"][0],
                       places["370782P02"][0])  # fmt: skip
    with reports_engine.begin() as conn:
        conn.execute(text("delete from audit_log where user_name = :u"), {"u": ACTOR})


def export(engine, path: Path, fmt: str, **options):
    """Export with the test's actor."""
    return export_reports(engine, ReportExportOptions(path, fmt, actor=ACTOR, **options))


def audit_entries(engine) -> list[dict]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(
            text("select detail from audit_log where user_name = :u and action = 'export'"),
            {"u": ACTOR})]  # fmt: skip


def test_geopackage_has_the_crs_the_field_types_and_the_chinese(reports_engine, known, tmp_path):
    done = export(reports_engine, tmp_path / "r", "gpkg", crs="EPSG:4549")
    assert done.path == tmp_path / "r.gpkg" and done.count == 6 and done.epsg == 4549
    info = pyogrio.read_info(done.path, layer="reports")
    assert info["crs"] == "EPSG:4549" and info["geometry_type"] == "Point"
    types = dict(zip(info["fields"], info["dtypes"], strict=True))
    assert types["reported_at"].startswith("datetime64") and types["received_at"].startswith(
        "datetime64"
    )
    assert types["version_id"] == "int32" and types["distance_m"] == "float64"
    assert types["sensitive"] == "bool" and types["category_name"] == "object"
    frame = pyogrio.read_dataframe(done.path)
    assert set(frame["text"]) >= {"打架斗殴", "张三 身份证 370782...", "邻里纠纷"}
    assert "网格员甲" in set(frame["reporter"])  # the county's operator sees the details
    assert (frame["reported_at"] == pd.Timestamp("2026-06-01T02:00:00Z")).all()  # UTC in GPKG
    # Gauss-Krüger zone 40 (CM 120E): eastings near 500 km, northings near 4,000 km.
    assert frame.geometry.x.between(400_000, 600_000).all()
    assert frame.geometry.y.between(3_900_000, 4_100_000).all()
    assert list(frame.sort_values("lon")["lon"]) == sorted(frame["lon"])


def test_geopackage_in_wgs84_and_cgcs2000(reports_engine, known, tmp_path):
    for crs, epsg in (("EPSG:4326", 4326), ("EPSG:4490", 4490)):
        done = export(reports_engine, tmp_path / f"r{epsg}.gpkg", "gpkg", crs=crs)
        assert pyogrio.read_info(done.path)["crs"] == f"EPSG:{epsg}"
        frame = pyogrio.read_dataframe(done.path)
        assert (frame.geometry.x - frame["lon"]).abs().max() < 1e-6


def test_csv_is_utf8_with_a_bom_and_keeps_the_chinese(reports_engine, known, tmp_path):
    done = export(reports_engine, tmp_path / "r.csv", "csv", crs="EPSG:4549")
    raw = done.path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert len(rows) == 6 and {"x_epsg4549", "y_epsg4549"} <= set(rows[0])
    assert {r["text"] for r in rows} >= {"盗窃", "焚烧秸秆"}
    assert all(r["reported_at"].endswith("+08:00") for r in rows)
    assert 400_000 < float(rows[0]["x_epsg4549"]) < 600_000


def test_geojson_reads_back_in_gdal_with_its_crs(reports_engine, known, tmp_path):
    done = export(reports_engine, tmp_path / "r.geojson", "geojson")
    data = json.loads(done.path.read_text(encoding="utf-8"))
    assert len(data["features"]) == 6 and "crs" not in data
    assert "打架斗殴" in {f["properties"]["text"] for f in data["features"]}
    assert data["features"][0]["properties"]["reported_at"] == "2026-06-01T10:00:00+08:00"
    projected = export(reports_engine, tmp_path / "g.geojson", "geojson", crs="EPSG:4549")
    assert pyogrio.read_info(projected.path)["crs"] == "EPSG:4549"
    frame = pyogrio.read_dataframe(projected.path)
    assert "邻里纠纷" in set(frame["text"]) and frame.geometry.x.min() > 400_000


def test_xlsx_has_chinese_headers_times_and_numbers(reports_engine, known, tmp_path):
    done = export(reports_engine, tmp_path / "r", "xlsx", filters=ReportFilter(
        categories=("public_security",)))  # fmt: skip
    assert done.path.suffix == ".xlsx" and done.count == 2
    rows = list(load_workbook(done.path, read_only=True)["reports"].values)
    header = rows[0]
    assert header[0] == "编号 id" and "上报时间 reported_at" in header
    body = [dict(zip(header, row, strict=False)) for row in rows[1:]]  # trailing blanks cut
    assert {r["内容 text"] for r in body} == {"打架斗殴", "盗窃"}
    assert all(r["上报时间 reported_at"].hour == 10 for r in body)  # 10:00 China time
    assert all(isinstance(r["网格版本 version_id"], int) for r in body)


def test_filters_apply_and_a_station_sees_its_own(reports_engine, known, tmp_path):
    def count(**options) -> int:
        return export(reports_engine, tmp_path / "f.csv", "csv", **options).count

    assert count(filters=report_filter(routes=("station",))) == 2  # security
    assert count(filters=report_filter(routes=("registry",))) == 1  # population: a proposal
    assert count(filters=report_filter(period=MONTH)) == 6
    assert count(filters=report_filter(period="2026-07")) == 0
    assert count(station="370782P01") == 3
    assert count(station="370782P02", filters=report_filter(categories=("environment",))) == 1
    assert count(limit=4) == 4


def test_sensitive_details_are_audited_or_redacted(reports_engine, known, tmp_path):
    export(reports_engine, tmp_path / "a.csv", "csv")
    assert audit_entries(reports_engine) == [
        {"sensitive": 1, "format": "csv", "file": "a.csv", "station": None}]  # fmt: skip
    redacted = export(reports_engine, tmp_path / "b.csv", "csv", redact=True)
    assert redacted.sensitive_shown == 0 and len(audit_entries(reports_engine)) == 1
    rows = list(csv.DictReader(redacted.path.read_text("utf-8-sig").splitlines()))
    population = [r for r in rows if r["category"] == "population"]
    assert population[0]["reporter"] == "" and population[0]["redacted"] == "True"


@pytest.mark.parametrize(
    ("options", "names"),
    [({"fmt": "pdf"}, "--format 'pdf'"), ({"crs": "gcj02"}, "--crs 'gcj02'"),
     ({"crs": "EPSG:99999"}, "--crs 'EPSG:99999'"), ({"station": "370782P99"}, "--station"),
     ({"filters": ReportFilter(categories=("ufo",))}, "category 'ufo'"),
     ({"limit": 0}, "--limit 0")],
)  # fmt: skip
def test_bad_options_name_themselves_and_write_nothing(reports_engine, tmp_path, options, names):
    fmt = options.pop("fmt", "csv")
    with pytest.raises(InputError, match=names):
        export(reports_engine, tmp_path / "bad", fmt, **options)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("text", "names"),
    [({"period": "2026-13"}, "--period '2026-13'"), ({"reported_from": "yesterday"}, "--from"),
     ({"bbox": "119,36,118"}, "--bbox"), ({"statuses": ("lost",)}, "status 'lost'"),
     ({"grid": "3707"}, "grid '3707'"), ({"period": "2026-06", "reported_to": "2026-07-01"},
                                         "--period and --from/--to")],
)  # fmt: skip
def test_bad_filters_name_the_option(text, names):
    with pytest.raises(InputError, match=names):
        report_filter(**text)


def test_an_empty_selection_still_makes_a_typed_layer(reports_engine, known, tmp_path):
    done = export(reports_engine, tmp_path / "none.gpkg", "gpkg", crs="EPSG:4490",
                  filters=report_filter(period="2020-01"))  # fmt: skip
    info = pyogrio.read_info(done.path, layer="reports")
    assert done.count == 0 and info["features"] == 0 and info["crs"] == "EPSG:4490"
    assert dict(zip(info["fields"], info["dtypes"], strict=True))["version_id"] == "int32"


def test_xlsx_goes_on_to_a_new_sheet_when_one_is_full(reports_engine, known, tmp_path, monkeypatch):
    monkeypatch.setattr("geogrid.reports.export.XLSX_MAX_ROWS", 4)  # Excel's is 1,048,575
    done = export(reports_engine, tmp_path / "r.xlsx", "xlsx")
    book = load_workbook(done.path, read_only=True)
    assert book.sheetnames == ["reports", "reports_5"]
    sizes = [len(list(book[name].values)) for name in book.sheetnames]
    assert sizes == [5, 3]  # a header on each, 4 + 2 reports
