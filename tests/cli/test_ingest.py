"""`geogrid ingest` of sample reports in CSV, GeoJSON and GeoPackage, and `geogrid reassign`."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from sqlalchemy import Engine, text

from geogrid.reports.categories import seed_categories
from geogrid.sample.reports import generate_sample_reports
from tests.cli.runner import GEOGRID, geogrid_env, run_geogrid
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


def test_an_ingest_killed_half_way_then_run_again_stores_every_row_once(
    county_url: str, county_engine: Engine, tmp_path: Path
) -> None:
    # Rows without client_request_id, five of them written twice (the file holds them twice,
    # so they are stored twice); the process is killed once some chunks are committed.
    path = tmp_path / "no_ids.csv"
    summary = generate_sample_reports(SAMPLE_TINY, 20_000, 13, tmp_path / "with_ids.csv")
    rows = pd.read_csv(summary.path, dtype=str, keep_default_na=False)
    rows = rows.drop(columns=["client_request_id"])
    pd.concat([rows, rows.head(5)]).to_csv(path, index=False)
    expected = summary.count - summary.bad + 5
    args = ["ingest", str(path), "--chunk-size", "1000"]
    first = subprocess.Popen([*GEOGRID, *args], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=geogrid_env(county_url))  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while stored_count(county_engine) < 3000 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert first.poll() is None, "the first run ended before it could be killed"
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    killed_at = stored_count(county_engine)
    assert 3000 <= killed_at < expected
    again = run_geogrid(*args, GEOGRID_DATABASE_URL=county_url)
    assert f"{expected - killed_at:,} stored, {killed_at:,} already stored" in again.stdout
    with county_engine.connect() as conn:
        total, distinct = conn.execute(
            text("select count(*), count(distinct client_request_id) from reports")
        ).one()
    assert total == distinct == expected


def stored_count(engine: Engine) -> int:
    """How many reports are stored (committed)."""
    with engine.connect() as conn:
        return conn.execute(text("select count(*) from reports")).scalar_one()


def test_categories_list_shows_routing_from_the_shared_read(county_url: str) -> None:
    listed = run_geogrid("categories", "list", GEOGRID_DATABASE_URL=county_url)
    assert listed.returncode == 0, listed.stderr
    assert "report categories" in listed.stdout and "派出所" in listed.stdout


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
