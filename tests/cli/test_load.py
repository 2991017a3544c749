"""`geogrid load` as the county's GIS analyst runs it."""

from __future__ import annotations

from pathlib import Path

import pyogrio
from sqlalchemy import Engine

from geogrid.inputs.load import LoadOptions
from geogrid.settings import Settings
from geogrid.usecases.boundaries import load_boundaries
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


def test_commit_with_rejected_features_writes_nothing_and_says_so(
    settings: Settings, engine: Engine, sample_gpkg: Path, tmp_path: Path
) -> None:
    from tests.usecases.test_boundaries import _bowtie_communities, _clear, _counts

    _clear(engine)
    try:
        load_boundaries(engine, [sample_gpkg], LoadOptions(), commit=True)
        before = _counts(engine)
        path = _bowtie_communities(tmp_path)
        home = {"GEOGRID_HOME": str(settings.home)}
        result = run_geogrid("load", str(path), "--role", "communities", "--commit", **home)
        assert result.returncode == 1
        assert "nothing written: the stored layers are unchanged" in result.stdout
        assert "communities (1); fix the errors, or add --partial" in result.stdout
        assert "dry run" not in result.stdout
        assert _counts(engine) == before
        result = run_geogrid("load", str(path), "--role", "communities", "--commit", "--partial",
                             **home)  # fmt: skip
        assert result.returncode == 1, "an error is still an error"
        assert "written to the database: communities (1)" in result.stdout
        assert "rejected, not written: 1 of communities" in result.stdout
        assert "dry run" not in result.stdout
        assert _counts(engine)["source_communities"] == 1
    finally:
        _clear(engine)
