"""`geogrid ingest` of sample reports in CSV, GeoJSON and GeoPackage, and `geogrid reassign`."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from sqlalchemy import Engine, text

from geogrid.reports.categories import seed_categories
from geogrid.sample.reports import generate_sample_reports
from tests.cli.runner import run_geogrid
from tests.county import SAMPLE_TINY


@pytest.fixture
def county_url(county_engine: Engine) -> str:
    """The county database's URL for a geogrid subprocess; no reports before or after."""
    with county_engine.begin() as conn:
        seed_categories(conn)
        conn.execute(text("delete from report_events; delete from reports"))
    yield county_engine.url.render_as_string(hide_password=False).replace("+psycopg", "")
    with county_engine.begin() as conn:
        conn.execute(text("delete from report_events; delete from reports"))


def test_ingest_prints_methods_and_routes_and_names_rejected_lines(
    county_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "reports.csv"
    summary = generate_sample_reports(SAMPLE_TINY, 3000, 11, path)
    done = run_geogrid("ingest", str(path), GEOGRID_DATABASE_URL=county_url)
    assert done.returncode == 1, "rejected rows make the exit code 1"
    out = done.stdout
    stored = summary.count - summary.bad
    assert f"{stored:,} stored" in out and f"{summary.bad:,} rejected" in out
    for word in ("inside", "nearest", "unassigned", "station", "department", "triage"):
        assert word in out
    assert "rejected line " in out and "field 'l" in out
    again = run_geogrid("ingest", str(path), GEOGRID_DATABASE_URL=county_url)
    assert f"0 stored, {stored:,} already stored" in again.stdout, "a rerun is safe"


def test_ingest_reads_geojson_and_geopackage_points(county_url: str, tmp_path: Path) -> None:
    rows = pd.read_csv(generate_sample_reports(SAMPLE_TINY, 200, 12, tmp_path / "r.csv").path,
                       dtype=str, keep_default_na=False)  # fmt: skip
    rows = rows[(rows["crs"] == "EPSG:4326") & (rows["lon"] != "")].copy()
    rows = rows[pd.to_numeric(rows["lon"], errors="coerce").abs() <= 180]
    frame = gpd.GeoDataFrame(
        rows.drop(columns=["lon", "lat", "crs"]),
        geometry=gpd.points_from_xy(rows["lon"].astype(float), rows["lat"].astype(float)),
        crs=4326,
    )
    frame.to_file(tmp_path / "r.geojson")
    frame.assign(client_request_id=frame["client_request_id"] + "-g").to_file(tmp_path / "r.gpkg")
    for name in ("r.geojson", "r.gpkg"):
        done = run_geogrid("ingest", str(tmp_path / name), GEOGRID_DATABASE_URL=county_url)
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"{len(frame):,} stored" in done.stdout


def test_ingest_of_a_missing_file_is_one_line(county_url: str, tmp_path: Path) -> None:
    done = run_geogrid("ingest", str(tmp_path / "none.csv"), GEOGRID_DATABASE_URL=county_url)
    assert done.returncode == 1 and "no such file" in done.stderr
    assert "Traceback" not in done.stderr


def test_ingest_refuses_a_row_with_a_nul_naming_it_and_stores_the_rest(
    county_url: str, county_engine: Engine, tmp_path: Path
) -> None:
    rows = pd.read_csv(generate_sample_reports(SAMPLE_TINY, 40, 13, tmp_path / "r.csv").path,
                       dtype=str, keep_default_na=False)  # fmt: skip
    rows = rows[(rows["crs"] == "EPSG:4326") & (rows["lon"] != "")].head(3).copy()
    rows["client_request_id"] = ["nul-1", "nul-2", "nul-3"]
    rows["text"] = ["good one", "bad \x00 byte", "good two"]
    path = tmp_path / "nul.csv"
    rows.to_csv(path, index=False)
    assert b"\x00" in path.read_bytes()
    done = run_geogrid("ingest", str(path), GEOGRID_DATABASE_URL=county_url)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "rejected line 3" in done.stdout and "field 'text'" in done.stdout, done.stdout
    assert "NUL" in done.stdout
    with county_engine.connect() as conn:
        stored = conn.execute(text("select client_request_id from reports order by 1")).scalars()
        assert list(stored) == ["nul-1", "nul-3"]
