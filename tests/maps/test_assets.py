"""Local assets: every script and style comes from an installed package, none from a CDN."""

from __future__ import annotations

import json
from pathlib import Path

import folium
import pytest
from folium.plugins import HeatMap, MarkerCluster

from geogrid.maps import assets, fonts


def test_every_asset_is_an_installed_file() -> None:
    files = assets.asset_files()
    assert {"leaflet/leaflet.js", "leaflet/leaflet.css", "leaflet/images/layers.png",
            "markercluster/leaflet.markercluster.js", "leaflet-heat/leaflet-heat.min.js",
            "geogrid/geogrid-map.js"} <= set(files)  # fmt: skip
    assert all(path.is_file() and path.stat().st_size > 0 for path in files.values())
    assert b"Leaflet 1.9" in files["leaflet/leaflet.js"].read_bytes()[:200]


def test_copy_assets_writes_the_tree_once(tmp_path: Path) -> None:
    written = assets.copy_assets(tmp_path / "assets", cjk_font=False)  # the browser test makes it
    assert len(written) == len(assets.ASSETS)
    assert (tmp_path / "assets/leaflet/images/layers.png").is_file()
    stamp = (tmp_path / "assets/leaflet/leaflet.js").stat().st_mtime_ns
    assets.copy_assets(tmp_path / "assets", cjk_font=False)
    assert (tmp_path / "assets/leaflet/leaflet.js").stat().st_mtime_ns == stamp


def _plugin_map() -> folium.Map:
    fmap = folium.Map(tiles=None, maxZoom=18)
    HeatMap([[36.0, 119.4, 1.0]], name="热力").add_to(fmap)
    MarkerCluster(name="上报").add_to(fmap)
    folium.LayerControl().add_to(fmap)
    return fmap


def test_localize_leaves_no_cdn_in_a_folium_page() -> None:
    plain = _plugin_map().get_root().render()
    assert len(assets.external_urls(plain)) >= 10  # what folium would fetch on its own
    fmap = _plugin_map()
    assets.localize(fmap.get_root(), "/static/maps")
    page = fmap.get_root().render()
    assert assets.external_urls(page) == []
    assert "http://" not in page and "https://" not in page
    assert '<script src="/static/maps/leaflet/leaflet.js"></script>' in page
    assert "/static/maps/leaflet-heat/leaflet-heat.min.js" in page
    assert "jquery" not in page.lower() and "bootstrap" not in page.lower()


def test_relative_asset_base_names_files_beside_the_page() -> None:
    fmap = _plugin_map()
    assets.localize(fmap.get_root(), "assets")
    assert 'href="assets/markercluster/MarkerCluster.css"' in fmap.get_root().render()


def test_an_unknown_cdn_link_is_refused() -> None:
    fmap = folium.Map(tiles=None)
    # On the instance: folium's add_js_link would append to the class-wide list.
    fmap.default_js = [*fmap.default_js, ("mystery", "https://cdn.example.com/mystery.js")]
    with pytest.raises(assets.MapAssetError, match="mystery"):
        assets.localize(fmap, "assets")


def test_external_urls_finds_every_form_and_spares_the_allowed() -> None:
    page = """<script src="https://cdn.x.org/a.js"></script><link href='//cdn.y.org/b.css'>
    <img src="http://intranet.tiles/7/1/2.png"> url(//fonts.z.com/f.woff) // comment
    var a = 1; //not.a.url"""
    found = assets.external_urls(page, allowed=("http://intranet.tiles/",))
    assert found == ["https://cdn.x.org/a.js", "//cdn.y.org/b.css", "//fonts.z.com/f.woff"]


def test_a_missing_package_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    missing = assets.Asset("x/x.js", "xstatic.pkg.no_such_thing", "data/x.js")
    monkeypatch.setattr(assets, "ASSETS", (*assets.ASSETS, missing))
    with pytest.raises(assets.MapAssetError, match="no_such_thing"):
        assets.asset_files()


def test_gb2312_holds_the_common_characters() -> None:
    chars = fonts.gb2312_characters()
    assert len(chars) == 95 + 682 + 6763  # ASCII, GB 2312 symbols, both levels of hanzi
    assert all(c in chars for c in "诸城市网格长信息员派出所，（）")


def test_no_font_without_a_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "SOURCES", (tmp_path / "none.ttc",))
    assert fonts.write_cjk_font(tmp_path / "f.otf") is None
    assert assets.copy_assets(tmp_path / "assets")  # the rest is copied all the same


def test_vectorgrid_comes_from_the_locked_npm_install() -> None:
    files = assets.asset_files()
    script = files["vectorgrid/Leaflet.VectorGrid.bundled.min.js"]
    assert script.is_relative_to(assets.VENDOR / "node_modules" / "leaflet.vectorgrid")
    assert b"VectorGrid" in script.read_bytes() and b"Protobuf" in script.read_bytes()
    lock = json.loads((assets.VENDOR / "package-lock.json").read_text())
    locked = lock["packages"]["node_modules/leaflet.vectorgrid"]
    manifest = json.loads((assets.VENDOR / "package.json").read_text())
    assert manifest["dependencies"]["leaflet.vectorgrid"] == locked["version"]  # exact, no range
    assert locked["integrity"].startswith("sha512-")


def test_quickstart_installs_node_and_runs_the_npm_step() -> None:
    script = (Path(__file__).parents[2] / "quickstart.sh").read_text()
    assert "NODE_PACKAGES=(nodejs npm)" in script
    assert "VENDOR=geogrid/maps/vendor" in script
    assert "npm ci --omit=dev --ignore-scripts" in script and "\n  install_npm_packages\n" in script
    assert assets.NPM_INSTALL.endswith("npm ci --omit=dev --ignore-scripts")
    assert "node_modules/" in (Path(__file__).parents[2] / ".gitignore").read_text()


def test_a_missing_npm_install_names_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    missing = assets.Asset("x/x.js", "npm:no-such-thing", "dist/x.js")
    monkeypatch.setattr(assets, "ASSETS", (*assets.ASSETS, missing))
    with pytest.raises(assets.MapAssetError, match=r"no-such-thing.*npm ci --omit=dev"):
        assets.asset_files()
