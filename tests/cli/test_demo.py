"""`geogrid demo --scale tiny` runs the whole chain in a fresh data directory."""

from __future__ import annotations

from pathlib import Path

from geogrid.maps.assets import external_urls
from tests.cli.runner import run_geogrid


def test_the_tiny_demo_builds_ingests_maps_and_prints(tmp_path: Path) -> None:
    home = tmp_path / "home"
    try:
        done = run_geogrid("demo", "--scale", "tiny", "--no-serve", GEOGRID_HOME=str(home),
                           cwd=str(tmp_path))  # fmt: skip
    finally:
        run_geogrid("db", "stop", GEOGRID_HOME=str(home))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    for step in ("boundary intake", "grid build", "staffing", "sample reports",
                 "web maps", "atlas"):  # fmt: skip
        assert step in out, step
    assert "stored" in out and "inside" in out and "station" in out
    # The case loop: histories of every kind, a station's inbox, a trail with its photo, KPIs.
    loop = (
        "histories:",
        "closed on time",
        "overdue",
        "reworked",
        "extended",
        "supervised",
        "inbox of station",
        "overdue by",
        "trail of case",
        "KPIs per station",
    )
    for line in loop:
        assert line in out, line
    assert "handle -> resolved" in out and "photos:" in out and "on step handled" in out
    assert "verify -> verified" in out and "close -> closed" in out and "结案率" in out
    # The team: the last full month's sample records, assessment and payroll sheets.
    assert "the assistants' team" in out and "assistants, subsidy" in out
    assert "payroll sheets:" in out and list((tmp_path / "maps" / "payroll").glob("*.xlsx"))
    # Patrols: sample walks and work logs of last month, and the units' coverage.
    assert "patrols (巡查)" in out and "track points" in out and "work logs" in out
    assert "units patrolled" in out
    maps = tmp_path / "maps"
    county = (maps / "county.html").read_text(encoding="utf-8")
    assert external_urls(county) == [] and "二级网格" in county
    assert list(maps.glob("station_*.html")) and list(maps.glob("atlas_*.pdf"))
    # The GIS analyst's way in: the QGIS project and the addresses a client starts from.
    assert f"QGIS project: {Path('maps/qgis/geogrid.qgs')}" in out
    assert (maps / "qgis" / "geogrid.qgs").exists() and (maps / "qgis" / "reports.gpkg").exists()
    tiles = "tiles/WebMercatorQuad/{z}/{y}/{x}"
    for address in ("landing page: http", "/v1/\n", "/docs", f"/v1/{tiles}",
                    f"/v1/collections/reports/{tiles}"):  # fmt: skip
        assert address in out, address
