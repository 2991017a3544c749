"""Committed loads: every layer stored, a second load duplicates nothing, links are made;
a load with rejected features replaces nothing unless a partial replace is asked for."""

from __future__ import annotations

from pathlib import Path

import shapely
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
from geogrid.storage.sources import stored_outline
from geogrid.usecases.boundaries import load_boundaries
from tests.boundary_files import WEST, communities_frame


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
        assert not report.committed and _counts(engine)["source_households"] == 3
        report = load_boundaries(engine, [far], LoadOptions(), commit=True, partial=True)
        assert [p.feature for p in report.errors] == ["fid 1"]
        assert report.committed and report.layers[0].stored
        assert _counts(engine)["source_households"] == 1
    finally:
        _clear(engine)


def _bowtie_communities(tmp_path: Path) -> Path:
    """Two communities: the west one good, the east one a self-intersecting bow tie."""
    import pyogrio
    from shapely.geometry import Polygon

    frame = communities_frame()
    bowtie = Polygon([(119.41, 35.91), (119.49, 36.09), (119.49, 35.91), (119.41, 36.09)])
    frame.loc[1, "geometry"] = bowtie
    path = tmp_path / "communities.geojson"
    pyogrio.write_dataframe(frame, path)
    return path


def _streets_in_a_wrong_crs(tmp_path: Path) -> Path:
    """Streets drawn in degrees but labelled with the Gauss-Krueger zone (metres)."""
    import geopandas as gpd
    import pyogrio
    from shapely.geometry import LineString

    frame = gpd.GeoDataFrame({"街路巷名": ["人民路"]}, crs="EPSG:4549",
                             geometry=[LineString([(119.31, 36.0), (119.39, 36.0)])])  # fmt: skip
    path = tmp_path / "streets.geojson"
    pyogrio.write_dataframe(frame, path, layer="streets")
    return path


def test_a_load_whose_features_are_all_rejected_keeps_the_stored_layers(
    engine: Engine, sample_gpkg: Path, tmp_path: Path
) -> None:
    _clear(engine)
    try:
        load_boundaries(engine, [sample_gpkg], LoadOptions(), commit=True)
        before = _counts(engine)
        communities = _bowtie_communities(tmp_path)
        options = LoadOptions(role="communities")
        for path, opts in ((communities, options), (_streets_in_a_wrong_crs(tmp_path),
                                                    LoadOptions(role="streets"))):  # fmt: skip
            report = load_boundaries(engine, [path], opts, commit=True)
            assert report.errors and not report.committed, path
            assert _counts(engine) == before, path
        # With a partial replace, a layer with no accepted feature is still never emptied.
        streets = [_streets_in_a_wrong_crs(tmp_path)]
        options = LoadOptions(role="streets")
        report = load_boundaries(engine, streets, options, commit=True, partial=True)
        assert not report.committed and _counts(engine) == before
    finally:
        _clear(engine)


def test_a_partial_replace_stores_the_good_features(
    engine: Engine, sample_gpkg: Path, tmp_path: Path
) -> None:
    _clear(engine)
    try:
        load_boundaries(engine, [sample_gpkg], LoadOptions(), commit=True)
        path = _bowtie_communities(tmp_path)
        options = LoadOptions(role="communities")
        report = load_boundaries(engine, [path], options, commit=True, partial=True)
        assert [p.feature for p in report.errors] == ["fid 1"]
        assert report.committed
        with engine.connect() as conn:
            query = select(SourceCommunity.code, func.ST_AsText(SourceCommunity.geom))
            rows = conn.execute(query).all()
        assert [code for code, _ in rows] == ["370782001001"]
        assert shapely.from_wkt(rows[0][1]).equals(WEST)
    finally:
        _clear(engine)
