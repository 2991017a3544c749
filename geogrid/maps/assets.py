"""The scripts, style sheets and images a web map needs, from installed packages, never a CDN.

Leaflet and Leaflet.markercluster come from the XStatic-Leaflet and XStatic-Leaflet-MarkerCluster
wheels, Leaflet.heat from folium's own wheel (folium/templates/leaflet_heat.min.js), geogrid's
script and style sheet from this package, and Leaflet.VectorGrid (the console map's vector tiles;
no wheel on PyPI) from npm into geogrid/maps/vendor/node_modules by the setup (`NPM_INSTALL`).
A page names them under `asset_base`: a folder next to a saved file ("assets") or a prefix on
geogrid's own server ("/static/maps") serving a folder that `copy_assets` filled.
`copy_assets` adds the Chinese fallback font (geogrid.maps.fonts).
"""

from __future__ import annotations

import importlib.util
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geogrid.errors import ConfigurationError
from geogrid.maps import fonts

EXTERNAL_URL = re.compile(r"""(?:https?:)?//[A-Za-z0-9.\-]+(?::\d+)?/?[^\s"'<>)`]*""")


class MapAssetError(ConfigurationError):
    """A package that provides a web map's scripts or styles is not installed."""


@dataclass(frozen=True)
class Asset:
    """One file of a map page: where a page finds it and which installed file it is."""

    path: str  # under asset_base, as the page names it
    package: str  # an installed package whose folder holds the file ("npm:NAME": an npm one)
    source: str  # the file inside that folder


VENDOR = Path(__file__).parent / "vendor"  # package.json and package-lock.json of the npm ones
NPM_INSTALL = f"cd {VENDOR} && npm ci --omit=dev --ignore-scripts"  # what quickstart.sh runs
_LEAFLET = "xstatic.pkg.leaflet"
_CLUSTER = "xstatic.pkg.leaflet_markercluster"
_IMAGES = ("layers.png", "layers-2x.png", "marker-icon.png", "marker-icon-2x.png",
           "marker-shadow.png")  # fmt: skip
ASSETS: tuple[Asset, ...] = (
    Asset("leaflet/leaflet.js", _LEAFLET, "data/leaflet.js"),
    Asset("leaflet/leaflet.css", _LEAFLET, "data/leaflet.css"),
    *(Asset(f"leaflet/images/{name}", _LEAFLET, f"data/images/{name}") for name in _IMAGES),
    Asset("markercluster/leaflet.markercluster.js", _CLUSTER, "data/leaflet.markercluster.js"),
    Asset("markercluster/MarkerCluster.css", _CLUSTER, "data/MarkerCluster.css"),
    Asset("markercluster/MarkerCluster.Default.css", _CLUSTER, "data/MarkerCluster.Default.css"),
    Asset("leaflet-heat/leaflet-heat.min.js", "folium", "templates/leaflet_heat.min.js"),
    Asset(
        "vectorgrid/Leaflet.VectorGrid.bundled.min.js",
        "npm:leaflet.vectorgrid",
        "dist/Leaflet.VectorGrid.bundled.min.js",
    ),
    Asset("geogrid/geogrid-map.js", "geogrid.maps", "static/geogrid-map.js"),
    Asset("geogrid/geogrid-tiles.js", "geogrid.maps", "static/geogrid-tiles.js"),
    Asset("geogrid/geogrid-map.css", "geogrid.maps", "static/geogrid-map.css"),
)

# folium's and branca's names for their CDN links -> our file, or None for what our maps never
# use (jQuery, Bootstrap, Font Awesome: only folium's Icon and Popup elements need them).
LOCAL_JS: dict[str, str | None] = {
    "leaflet": "leaflet/leaflet.js",
    "jquery": None,
    "bootstrap": None,
    "awesome_markers": None,
    "leaflet-heat.js": "leaflet-heat/leaflet-heat.min.js",
    "markerclusterjs": "markercluster/leaflet.markercluster.js",
    "geogrid_js": "geogrid/geogrid-map.js",
}
LOCAL_CSS: dict[str, str | None] = {
    "leaflet_css": "leaflet/leaflet.css",
    "bootstrap_css": None,
    "glyphicons_css": None,
    "awesome_markers_font_css": None,
    "awesome_markers_css": None,
    "awesome_rotate_css": None,
    "markerclustercss": "markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "markercluster/MarkerCluster.Default.css",
    "geogrid_css": "geogrid/geogrid-map.css",
}


def _package_folder(package: str) -> Path:
    """The folder of an installed package, found without importing it."""
    if package.startswith("npm:"):
        folder = VENDOR / "node_modules" / package.removeprefix("npm:")
        if not folder.is_dir():
            raise MapAssetError(f"the web map assets need the npm package {package[4:]!r} "
                                f"installed: run {NPM_INSTALL} (quickstart.sh does)")  # fmt: skip
        return folder
    try:
        spec = importlib.util.find_spec(package)
    except ModuleNotFoundError:
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise MapAssetError(f"the web map assets need the Python package {package!r} installed")
    return Path(next(iter(spec.submodule_search_locations)))


def asset_files() -> dict[str, Path]:
    """Every file a map page may load: its path under `asset_base` -> the installed file."""
    files = {}
    for asset in ASSETS:
        path = _package_folder(asset.package) / asset.source
        if not path.is_file():
            raise MapAssetError(
                f"{asset.package} is installed but has no {asset.source}"
                + (f": run {NPM_INSTALL}" if asset.package.startswith("npm:") else "")
            )
        files[asset.path] = path
    return files


def copy_assets(dest: Path, *, cjk_font: bool = True) -> list[Path]:
    """Copy the map assets into `dest` (e.g. maps/assets); returns the files written or kept.

    With `cjk_font`, also the Chinese fallback font (made once, ~20 s; see geogrid.maps.fonts)
    when a Noto Sans CJK is installed to make it from.
    """
    written = []
    if cjk_font:
        font = fonts.write_cjk_font(dest / fonts.FONT_FILE)
        written += [font] if font else []
    for relative, source in asset_files().items():
        target = dest / relative
        # Same size and not older: an earlier copy of the same release, left as it is.
        if not (
            target.is_file()
            and target.stat().st_size == source.stat().st_size
            and target.stat().st_mtime >= source.stat().st_mtime
        ):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        written.append(target)
    return written


def asset_url(asset_base: str, relative: str) -> str:
    """The URL a page uses for one asset: `asset_base` joined to its relative path."""
    base = asset_base.rstrip("/")
    return f"{base}/{relative}" if base else relative


def localize(element: Any, asset_base: str) -> None:
    """Point the scripts and styles of a folium element tree at local files, in place."""
    for node in _walk(element):
        for attribute, table in (("default_js", LOCAL_JS), ("default_css", LOCAL_CSS)):
            links = getattr(node, attribute, None)
            if links:
                setattr(node, attribute, _local_links(links, table, asset_base))


def _local_links(
    links: list[tuple[str, str]], table: dict[str, str | None], asset_base: str
) -> list[tuple[str, str]]:
    local = []
    for name, url in links:
        if name not in table:
            raise MapAssetError(f"no local copy of {name!r} ({url}); add it to geogrid.maps.assets")
        if table[name] is not None:
            local.append((name, asset_url(asset_base, table[name])))
    return local


def _walk(element: Any):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def external_urls(html: str, allowed: tuple[str, ...] = ()) -> list[str]:
    """Every http(s):// or protocol-relative URL in a page, but those starting with `allowed`."""
    found = []
    for match in EXTERNAL_URL.finditer(html):
        url = match.group(0)
        if url.startswith("//") and not _protocol_relative(html, match.start()):
            continue
        if not any(url.startswith(prefix) for prefix in allowed if prefix):
            found.append(url)
    return found


def _protocol_relative(html: str, start: int) -> bool:
    """True when '//' at `start` begins a URL (after a quote, '(' or '='), not a JS comment."""
    return start > 0 and html[start - 1] in "\"'(="
