"""Fixtures for the sample county tests: the real outline and one tiny county per module."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from geogrid.sample import generate_sample_county

OUTLINE = Path(__file__).resolve().parents[2] / "boundaries" / "zhucheng_outline_gcj02.geojson"
FEATURE_LAYERS = ("county", "communities", "villages", "streets", "households", "stations")
METRES = "EPSG:4549"


@pytest.fixture(scope="session")
def outline() -> shapely.Geometry:
    """Zhucheng's outline, used as is (its GCJ-02 offset does not matter here)."""
    return shapely.from_geojson(OUTLINE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def tiny_gpkg(tmp_path_factory: pytest.TempPathFactory, outline: shapely.Geometry) -> Path:
    """A tiny sample county, written once per test module."""
    path = tmp_path_factory.mktemp("sample") / "tiny.gpkg"
    generate_sample_county(outline, "tiny", 2026, path)
    return path


@pytest.fixture(scope="module")
def tiny(tiny_gpkg: Path) -> dict[str, gpd.GeoDataFrame]:
    """The tiny county's feature layers in metres (EPSG:4549), and its people table."""
    return read_sample(tiny_gpkg)


def read_sample(path: Path) -> dict:
    """Every layer of a sample file: features converted to metres, people as a plain table."""
    layers = {
        name: pyogrio.read_dataframe(path, layer=name).to_crs(METRES) for name in FEATURE_LAYERS
    }
    layers["people"] = pyogrio.read_dataframe(path, layer="people")
    return layers
