"""`geogrid load` as the county's GIS analyst runs it."""

from __future__ import annotations

from pathlib import Path

import pyogrio
from sqlalchemy import Engine

from geogrid.settings import Settings
from tests.boundary_files import broken_villages
from tests.cli.runner import run_geogrid


def test_dry_run_lists_layers_and_writes_nothing(
    settings: Settings, engine: Engine, sample_gpkg: Path
) -> None:
    result = run_geogrid("load", str(sample_gpkg), GEOGRID_HOME=str(settings.home))
    assert result.returncode == 0, result.stderr
    assert "dry run: nothing written" in result.stdout
    for role in ("county", "communities", "villages", "streets", "households", "people"):
        assert role in result.stdout


def test_broken_file_names_features_and_exits_1(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "villages.geojson"
    pyogrio.write_dataframe(broken_villages(), path)
    result = run_geogrid("load", str(path), GEOGRID_HOME=str(settings.home))
    assert result.returncode == 1
    assert "Self-intersection" in result.stdout and "fid 0" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_unreadable_file_is_one_line(settings: Settings, engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "村界.shp"
    path.write_bytes(b"\x00" * 10)
    result = run_geogrid("load", str(path), GEOGRID_HOME=str(settings.home))
    assert result.returncode == 1
    assert "cannot be read" in result.stderr
    assert "Traceback" not in result.stderr
