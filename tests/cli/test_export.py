"""`geogrid export`: grid levels as before, and `geogrid export reports` with its filters."""

from __future__ import annotations

from pathlib import Path

import pyogrio
from openpyxl import load_workbook
from sqlalchemy import Engine, text

from geogrid.reports.categories import seed_categories
from geogrid.reports.index import load_index
from tests.api.places import delete_reports, make_reports, station_places
from tests.cli.runner import run_geogrid


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False).replace("+psycopg", "")


def test_export_reports_and_grids_from_the_command_line(county_engine: Engine, tmp_path: Path):
    with county_engine.begin() as conn:
        seed_categories(conn)
    index = load_index(county_engine)
    places = station_places(county_engine, index)
    made = make_reports(county_engine, index, places["370782P01"][0], places["370782P02"][0])
    url = _url(county_engine)
    try:
        done = run_geogrid("export", "reports", "--format", "xlsx", "--out", str(tmp_path / "r"),
                           "--category", "public_security", "--period", "2026-06",
                           GEOGRID_DATABASE_URL=url)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "2 reports written to" in done.stdout
        rows = list(load_workbook(tmp_path / "r.xlsx", read_only=True)["reports"].values)
        assert {row[rows[0].index("内容 text")] for row in rows[1:]} == {"打架斗殴", "盗窃"}

        bad = run_geogrid("export", "reports", "--status", "lost", "--out", str(tmp_path / "x"),
                          GEOGRID_DATABASE_URL=url)  # fmt: skip
        assert bad.returncode == 1 and "unknown status 'lost'" in bad.stderr
        assert "Traceback" not in bad.stderr and not list(tmp_path.glob("x*"))
    finally:
        delete_reports(county_engine, made.all())
        with county_engine.begin() as conn:
            conn.execute(text("delete from audit_log where user_name like 'cli:%'"))
    # The grid export keeps its flags: no subcommand means grids.
    grids = run_geogrid("export", "--level", "1", "--format", "geojson", "--out",
                        str(tmp_path / "communities"), GEOGRID_DATABASE_URL=url)  # fmt: skip
    assert grids.returncode == 0, grids.stderr
    assert pyogrio.read_info(tmp_path / "communities.geojson")["features"] > 0
