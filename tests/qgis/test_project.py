"""`geogrid qgis`: the project's XML, and every data source it names opened with GDAL.

QGIS itself is not installed by quickstart (Debian's python3-qgis and qgis-providers take
963 MB), so the project is checked the next strongest way: the XML parses, each layer's
source opens in GDAL (pyogrio) with the filter QGIS would apply, and holds the features the
database holds; the styles are the web maps' (colours, a Chinese label font, heatmaps).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pyogrio
import pytest
from sqlalchemy import text

from geogrid.errors import InputError, VersionError
from geogrid.maps.styles import CJK_FONTS, GROUP_COLORS, LEVELS
from geogrid.qgis.project import QgisOptions, write_project
from geogrid.qgis.styles import rgba
from tests.api.places import make_reports, station_places

API = "http://geogrid.test:8000"


@pytest.fixture
def project(reports_engine, county_index, tmp_path):
    """The project of the tiny county with the six known reports, and its parsed XML."""
    places = station_places(reports_engine, county_index)
    make_reports(reports_engine, county_index, places["370782P01"][0], places["370782P02"][0])
    options = QgisOptions(tmp_path / "qgis", api_url=API + "/", authcfg="gg12345")
    written = write_project(reports_engine, options)
    return written, ET.parse(written.path).getroot()


HEAT_SQL = (
    "select 'heat_' || c.heat_group, count(*) from reports r join report_categories c "
    "on c.id = r.category_id where c.heat_group is not null group by 1"
)


def database_counts(engine) -> dict[str, int]:
    """Features per data file (and per heat layer), counted in PostGIS."""
    with engine.connect() as conn:
        levels = dict(
            conn.execute(
                text(
                    "select 'grids_level' || level, count(*) from grids where version_id = "
                    "(select id from grid_versions where status = 'active') group by level"
                )
            ).all()
        )
        heat = dict(conn.execute(text(HEAT_SQL)).all())
        return levels | heat | {
            "reports": conn.execute(text("select count(*) from reports")).scalar_one(),
            "streets": conn.execute(text("select count(*) from source_streets")).scalar_one(),
            "stations": conn.execute(text(
                "select count(*) from stations where location is not null")).scalar_one(),
        }  # fmt: skip


def opened(folder: Path, layer: ET.Element) -> int:
    """Open a layer's source as QGIS would (relative path, layer name, subset): its count."""
    path, *parts = layer.findtext("datasource").split("|")
    options = dict(part.split("=", 1) for part in parts)
    name, subset = options["layername"], options.get("subset")
    frame = pyogrio.read_dataframe(folder / path, layer=name, where=subset, read_geometry=False)
    return len(frame)


def test_every_layer_opens_in_gdal_with_the_database_counts(project, reports_engine):
    written, root = project
    assert root.tag == "qgis" and written.path.name == "geogrid.qgs"
    assert root.findtext("projectCrs/spatialrefsys/authid") == "EPSG:4549" == f"EPSG:{written.epsg}"
    counts = database_counts(reports_engine)
    assert counts["reports"] == 6 and counts["heat_incident"] == 3, counts
    assert min(counts.values()) > 0, counts
    layers = {layer.findtext("id"): layer for layer in root.iter("maplayer")}
    for layer_id, layer in layers.items():
        if layer.get("type") == "vector-tile":
            continue
        assert layer.findtext("srs/spatialrefsys/authid") == "EPSG:4326", layer_id
        name = layer.findtext("datasource").split("|layername=")[1].split("|")[0]
        info = pyogrio.read_info(written.path.parent / f"{name}.gpkg", layer=name)
        assert info["crs"] == "EPSG:4326", layer_id
        expected = counts.get(layer_id.removeprefix("geogrid_"), counts[name])
        assert opened(written.path.parent, layer) == expected, layer_id
    tree = [node.get("id") for node in root.iter("layer-tree-layer")]
    assert sorted(tree) == sorted(layers) and len(tree) == 10
    # QGIS 3.22 renames a layer whose id is shorter than 10 characters: the tree loses it.
    assert min(len(layer_id) for layer_id in tree) >= 10


def test_levels_are_labelled_in_a_chinese_font_in_the_web_colours(project):
    written, root = project
    for level in (1, 2, 3):
        layer = next(
            m for m in root.iter("maplayer") if m.findtext("id") == f"geogrid_grids_level{level}"
        )
        assert layer.findtext("layername") == LEVELS[level][0]
        style = layer.find("labeling/settings/text-style")
        assert style.get("fieldName") == "name" and style.get("fontFamily") in CJK_FONTS
        outline = layer.find(".//symbol/layer/Option/Option[@name='outline_color']")
        assert outline.get("value") == rgba(LEVELS[level][1]["color"])
    names = pyogrio.read_dataframe(written.path.parent / "grids_level2.gpkg")["name"]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in name) for name in names)


def test_reports_by_group_and_the_two_heat_layers(project):
    _, root = project
    layers = {m.findtext("id").removeprefix("geogrid_"): m for m in root.iter("maplayer")}
    rules = layers["reports"].find("renderer-v2")
    assert rules.get("type") == "RuleRenderer"
    filters = [rule.get("filter") for rule in rules.iter("rule")]
    assert filters[-1] == "ELSE" and "'fire_hazard'" in filters[0] and len(filters) == 3
    colors = [o.get("value") for o in rules.iter("Option") if o.get("name") == "color"]
    assert colors == [rgba(GROUP_COLORS[g]) for g in ("hazard", "incident", "other")]
    for group in ("hazard", "incident"):
        heat = layers[f"heat_{group}"].find("renderer-v2")
        assert heat.get("type") == "heatmapRenderer" and heat.find("colorramp") is not None


def test_no_personal_data_and_no_token_in_the_files(project):
    written, root = project
    reports = pyogrio.read_dataframe(written.path.parent / "reports.gpkg")
    population = reports[reports["category"] == "population"]
    assert list(population["reporter"].fillna("")) == [""] and population["redacted"].all()
    for level in (1, 2, 3):
        fields = pyogrio.read_info(written.path.parent / f"grids_level{level}.gpkg")["fields"]
        assert "leader_tel" not in fields and "officer_tl" not in fields
    tiles = [m.findtext("datasource") for m in root.iter("maplayer")
             if m.get("type") == "vector-tile"]  # fmt: skip
    assert [source.split("&")[1] for source in tiles] == [
        f"url={API}/v1/tiles/WebMercatorQuad/%7Bz%7D/%7By%7D/%7Bx%7D",
        f"url={API}/v1/collections/reports/tiles/WebMercatorQuad/%7Bz%7D/%7By%7D/%7Bx%7D",
    ]
    assert all(source.endswith("&authcfg=gg12345") for source in tiles)
    assert "token" not in written.path.read_text(encoding="utf-8").lower()


def test_a_failed_run_leaves_the_previous_project_whole(project, reports_engine):
    written, _ = project
    before = {p.name: p.read_bytes() for p in written.path.parent.iterdir()}
    with reports_engine.begin() as conn:  # a version without grids: the first export fails
        empty = conn.execute(text("insert into grid_versions (status, source, note) values "
                                  "('draft', 'test', '') returning id")).scalar_one()  # fmt: skip
    try:
        with pytest.raises(VersionError, match="no level-1 grids"):
            write_project(reports_engine, QgisOptions(written.path.parent, version=empty))
    finally:
        with reports_engine.begin() as conn:
            conn.execute(text("delete from grid_versions where id = :v"), {"v": empty})
    after = {p.name: p.read_bytes() for p in written.path.parent.iterdir()}
    assert after == before and len(before) == 7


def test_bad_options_are_named(reports_engine, tmp_path):
    for options, field in ((QgisOptions(tmp_path, api_url="ftp://x"), "api_url"),
                           (QgisOptions(tmp_path, authcfg="Bearer abc"), "authcfg")):  # fmt: skip
        with pytest.raises(InputError) as caught:
            write_project(reports_engine, options)
        assert caught.value.field == field
    assert not (tmp_path / "geogrid.qgs").exists()
