"""`geogrid registry import` as a user runs it: a dry run by default, rows named, then stored."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text

from geogrid.reports.index import load_index
from tests.cli.runner import run_geogrid
from tests.registry.conftest import clear_registry, inside


def test_import_is_a_dry_run_naming_bad_rows_until_committed(county_engine: Engine,
                                                             tmp_path: Path) -> None:  # fmt: skip
    url = county_engine.url.render_as_string(hide_password=False)
    lon, lat = inside(load_index(county_engine), 0)
    path = tmp_path / "houses.csv"
    path.write_text(f"地址,经度,纬度,房屋用途,房主\n人民路8号,{lon},{lat},自住,甲\n"
                    f"人民路东头,{lon},{lat},自住,乙\n人民路9号,{lon},{lat},城堡,丙\n",
                    encoding="gbk")  # fmt: skip
    clear_registry(county_engine)
    try:
        dry = run_geogrid("registry", "import", str(path), "--kind", "housing",
                          GEOGRID_DATABASE_URL=url)  # fmt: skip
        assert dry.returncode == 0, dry.stderr
        assert "3 rows read, 1 would be imported (dry run" in dry.stdout
        assert "row 3: field 'address'" in dry.stdout and "row 4: field 'data.use'" in dry.stdout
        with county_engine.connect() as conn:
            assert conn.execute(text("select count(*) from registry_records")).scalar() == 0
        done = run_geogrid("registry", "import", str(path), "--kind", "housing", "--commit",
                           GEOGRID_DATABASE_URL=url)  # fmt: skip
        assert "3 rows read, 1 imported, 2 rejected" in done.stdout, done.stdout + done.stderr
        found = run_geogrid("registry", "search", "人民路8号", GEOGRID_DATABASE_URL=url)
        assert "人民路8号" in found.stdout and str(load_index(county_engine).units.codes[0]) in (
            found.stdout
        )
        bad = run_geogrid("registry", "import", str(path), "--kind", "castle",
                          GEOGRID_DATABASE_URL=url)  # fmt: skip
        assert bad.returncode == 1 and "kind: one of housing" in bad.stderr
    finally:
        clear_registry(county_engine)
