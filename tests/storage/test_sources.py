"""Committed loads: every layer stored, a second load duplicates nothing, links are made."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, func, select, text

from geogrid.inputs.load import LoadOptions
from geogrid.storage.models import Person, Station, StationCommunity
from geogrid.storage.source_tables import (
    SourceCommunity,
    SourceCounty,
    SourceHousehold,
    SourceLoad,
    SourceStreet,
    SourceVillage,
)
from geogrid.storage.sources import load_boundaries, stored_outline


def _counts(engine: Engine) -> dict[str, int]:
    tables = [SourceCounty, SourceCommunity, SourceVillage, SourceStreet, SourceHousehold,
              Station, StationCommunity, Person]  # fmt: skip
    with engine.connect() as conn:
        return {t.__tablename__: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in tables}  # fmt: skip


def _clear(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text(
            "truncate source_county, source_communities, source_villages, source_streets, "
            "source_households, source_loads, station_communities, people, stations cascade"
        ))  # fmt: skip


def test_dry_run_writes_nothing_and_commit_twice_stores_once(
    engine: Engine, sample_gpkg: Path
) -> None:
    _clear(engine)
    try:
        dry = load_boundaries(engine, [sample_gpkg], LoadOptions())
        assert not dry.committed and dry.errors == []
        assert set(_counts(engine).values()) == {0}
        load_boundaries(engine, [sample_gpkg], LoadOptions(), commit=True)
        first = _counts(engine)
        report = load_boundaries(engine, [sample_gpkg], LoadOptions(), commit=True)
        assert report.committed
        assert _counts(engine) == first
        assert first == {"source_county": 1, "source_communities": 2, "source_villages": 2,
                         "source_streets": 2, "source_households": 3, "stations": 2,
                         "station_communities": 2, "people": 2}  # fmt: skip
        with engine.connect() as conn:
            name = conn.execute(select(SourceVillage.name).order_by(SourceVillage.code)).first()
            loads = conn.execute(select(func.count()).select_from(SourceLoad)).scalar_one()
        assert name == ("王家庄",)
        assert loads == 14  # 7 layers x 2 committed loads: provenance kept
        assert stored_outline(engine).area > 0
    finally:
        _clear(engine)


def test_stored_outline_rejects_features_outside_it(
    engine: Engine, sample_gpkg: Path, tmp_path: Path
) -> None:
    import geopandas as gpd
    import pyogrio
    from shapely.geometry import Point

    _clear(engine)
    try:
        load_boundaries(engine, [sample_gpkg], LoadOptions(), commit=True)
        far = tmp_path / "far.gpkg"
        frame = gpd.GeoDataFrame({"户数": [1, 2]}, geometry=[Point(119.4, 36.0), Point(100, 30)],
                                 crs="EPSG:4326")  # fmt: skip
        pyogrio.write_dataframe(frame, far, layer="households")
        report = load_boundaries(engine, [far], LoadOptions(), commit=True)
        assert [p.feature for p in report.errors] == ["fid 1"]
        assert _counts(engine)["source_households"] == 1
    finally:
        _clear(engine)
