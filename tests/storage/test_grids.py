"""Grid versions in PostGIS: save, activate, diff, re-validate, staff, export."""

from __future__ import annotations

from pathlib import Path

import pyogrio
import pytest
import shapely
from sqlalchemy import Engine, text

from geogrid.building.build import build_grids
from geogrid.building.validate import validate_grids
from geogrid.errors import VersionError
from geogrid.export import export_grids
from geogrid.storage import grids, sources
from geogrid.storage.selection import file_vetted_people
from geogrid.storage.versions import active_version
from geogrid.usecases import versions
from geogrid.usecases.staffing import auto_assign, staff_report
from tests.building import handdrawn


def _clear(engine: Engine) -> None:
    with engine.begin() as conn:
        tables = ("grid_versions, grids, grid_assignments, people, stations, "
                  "station_communities, source_county, source_households")  # fmt: skip
        conn.execute(text(f"truncate {tables} cascade"))


_PROVENANCE = {"file": "h", "layer": "households", "crs": "EPSG:4326", "rejected": 0}


@pytest.fixture
def stored(engine: Engine):
    """The hand-drawn county built and stored as version N (and its households loaded)."""
    _clear(engine)
    sources_data = handdrawn.source_data()
    with engine.begin() as conn:
        conn.execute(text("insert into source_county (code, name, geom) values "
                          "('370782', '诸城市', st_multi(st_geomfromtext(:wkt, 4326)))"),
                     {"wkt": handdrawn.COUNTY.wkt})  # fmt: skip
    provenance = {"file": "h", "layer": "households", "crs": "EPSG:4326", "rejected": 0}
    with engine.begin() as conn:
        sources.store_layer(conn, "households", sources_data.households, provenance=provenance)
    built = build_grids(sources_data)
    version = versions.save_version(engine, built, validation=validate_grids(built), source="test")
    yield built, version
    _clear(engine)


def test_saved_version_round_trips_and_revalidates(engine: Engine, stored) -> None:
    built, version = stored
    again = versions.load_built(engine, version)
    assert again.inputs_as_built, "the inputs it was built from are still loaded"
    assert sorted(again.grids["code"]) == sorted(built.grids["code"])
    report = validate_grids(again)
    assert report["passed"], report["errors"]
    with engine.connect() as conn:
        sql = "select count(*) from grids where version_id = :v and level > 1 and parent_id is null"
        orphans = conn.execute(text(sql), {"v": version}).scalar()
    assert orphans == 0


def test_activate_retires_the_previous_and_diff_lists_changes(engine: Engine, stored) -> None:
    _, first = stored
    grids.activate(engine, first)
    previous = versions.previous_codes(engine)
    moved = build_grids(handdrawn.source_data(shift=0.001), previous=previous)
    second = versions.save_version(engine, moved, validation=validate_grids(moved), source="test")
    grids.activate(engine, second)
    with engine.connect() as conn:
        assert active_version(conn) == second
    statuses = {r["id"]: r["status"] for r in grids.version_rows(engine)}
    assert statuses == {first: "retired", second: "active"}
    change = grids.diff_versions(engine, first, second)
    assert change.changed, "the moved village boundary changes two grids"
    assert "370782001001" not in change.changed, "the town community did not change"
    with pytest.raises(VersionError, match="does not exist"):
        grids.diff_versions(engine, first, 999)


def test_staff_auto_fills_grids_from_the_register(engine: Engine, stored) -> None:
    _, version = stored
    units = validate_grids(stored[0])["levels"]["3"]["count"]
    with engine.begin() as conn:
        for i in range(units + 3):
            role = "grid_leader" if i < 3 else "information_officer"
            conn.execute(text("insert into people (person_no, name, phone, gender, roles, "
                              "vetting_status, active, community_code) values (:no, '张三', "
                              "'10000000000', '男', array[:role], 'passed', true, '370782101001')"),
                         {"no": f"P{i:04d}", "role": role})  # fmt: skip
        # As a register file's load does: vetted people are filed through every stage of
        # selection (storage/selection.py), which auto_assign requires.
        file_vetted_people(conn)
    made = auto_assign(engine, version)
    assert made[3] == units
    report = staff_report(engine, version)
    assert report.coverage[3] == (units, units)
    assert report.coverage[2][0] == 3 and report.idle_count == 0


def test_export_reads_back_with_chinese_names(engine: Engine, stored, tmp_path: Path) -> None:
    _, version = stored
    for fmt, encoding in (("gpkg", None), ("geojson", None), ("shp", "gbk")):
        path = tmp_path / f"level2.{fmt}"
        count = export_grids(engine, level=2, version=version, fmt=fmt, path=path,
                             encoding=encoding)  # fmt: skip
        frame = pyogrio.read_dataframe(path, encoding="GBK" if encoding else None)
        assert len(frame) == count
        assert {"王家庄", "李家村", "小河头"} <= set(frame["名称"])


def _load_another_county(engine: Engine) -> None:
    """The hand-drawn county's outline and households moved to 10E, 35S, as a user's load."""

    dx, dy = 10.0 - handdrawn.X0, -35.0 - handdrawn.Y0
    moved = handdrawn.households()
    moved = moved.set_geometry(moved.geometry.translate(dx, dy))
    with engine.begin() as conn:
        conn.execute(text("delete from source_county"))
        conn.execute(text("insert into source_county (code, name, geom) values "
                          "('999999', 'elsewhere', st_multi(st_geomfromtext(:wkt, 4326)))"),
                     {"wkt": shapely.affinity.translate(handdrawn.COUNTY, dx, dy).wkt})  # fmt: skip
        sources.store_layer(conn, "households", moved, provenance=_PROVENANCE)


def test_a_version_is_validated_against_its_own_inputs_after_others_are_loaded(
    engine: Engine, stored
) -> None:
    # Issue 15: a valid version failed `geogrid validate` once another county was loaded.
    built, version = stored
    _load_another_county(engine)
    again = versions.load_built(engine, version)
    assert not again.inputs_as_built
    assert again.grids.crs.to_epsg() == 4549, "its own zone, not the new county's"
    report = validate_grids(again)
    assert report["passed"], report["errors"]
    assert report["households"]["recounted"] is False
    assert report["households"]["total"] == built.level(3)["households"].sum()
    assert report["levels"]["3"]["count"] == len(built.level(3))
    # Standing on its own, a broken version still fails: a unit's count no longer adds up.
    with engine.begin() as conn:
        conn.execute(text("update grids set households = households + 1 where version_id = :v"
                          " and level = 3 and code = (select min(code) from grids"
                          " where version_id = :v and level = 3)"), {"v": version})  # fmt: skip
    broken = validate_grids(versions.load_built(engine, version))
    assert not broken["passed"]
    assert any("hold other than their parts" in e for e in broken["errors"]), broken["errors"]


def test_an_all_urban_county_builds_from_the_store_without_a_village_layer(engine: Engine) -> None:
    # Issue 15: an empty source_villages read back without a CRS crashed the build.

    town = handdrawn.communities().iloc[[0]].set_geometry([handdrawn.TOWN], crs=4326)
    households = handdrawn.households()
    households = households[households.geometry.x < handdrawn.X0 + 0.02]
    with engine.begin() as conn:
        conn.execute(text("truncate source_county, source_communities, source_villages, "
                          "source_streets, source_households"))  # fmt: skip
        conn.execute(text("insert into source_county (code, name, geom) values "
                          "('370782', '诸城市', st_multi(st_geomfromtext(:wkt, 4326)))"),
                     {"wkt": handdrawn.TOWN.wkt})  # fmt: skip
        for role, frame in (("communities", town), ("streets", handdrawn.streets()),
                            ("households", households)):  # fmt: skip
            sources.store_layer(conn, role, frame, provenance=_PROVENANCE | {"layer": role})
    read = versions.read_sources(engine)
    assert read.villages.empty
    built = build_grids(read)
    assert validate_grids(built)["passed"]
    assert set(built.level(2)["kind"]) == {"urban_block"}


def test_version_rows_count_each_versions_grids_once(engine: Engine, stored) -> None:
    """The counts per level are each version's own, read once per process: a second read
    asks the grids nothing, and a version made since is counted when first shown."""
    import re

    from sqlalchemy import event

    frame, first = stored
    rows = {r["id"]: r for r in grids.version_rows(engine)}
    want = {level: int((frame.grids["level"] == level).sum()) for level in (1, 2, 3)}
    assert (rows[first]["l1"], rows[first]["l2"], rows[first]["l3"]) == (want[1], want[2], want[3])
    sent: list[str] = []
    listen = lambda *args: sent.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        again = {r["id"]: r for r in grids.version_rows(engine)}
        assert again == rows and not any(re.search(r"\bgrids\b", s) for s in sent), sent
        second = versions.save_version(engine, frame, validation=validate_grids(frame),
                                       source="test")  # fmt: skip
        sent.clear()
        third = {r["id"]: r for r in grids.version_rows(engine)}
        assert (third[second]["l1"], third[second]["l2"], third[second]["l3"]) == (
            want[1], want[2], want[3])  # fmt: skip
        assert sum(bool(re.search(r"\bgrids\b", s)) for s in sent) == 1
    finally:
        event.remove(engine, "before_cursor_execute", listen)
