"""`geogrid qgis`: a QGIS project beside GeoPackages of the grids, streets, stations, reports.

The project (geogrid.qgs) names its data by relative paths, so the folder can be copied to
the analyst's machine as a whole; its CRS is the county's Gauss-Krüger zone (CGCS2000,
EPSG:4549 for Zhucheng), in which QGIS measures in metres. With `api_url` it also holds the
API's vector tiles (grid levels and report density); the token they need lives in QGIS's
own authentication store, named by `authcfg`, never in the project file.
"""

from __future__ import annotations

import os
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path

import pyogrio
import pyproj
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine

from geogrid.errors import InputError
from geogrid.geo.crs import projected_crs_for
from geogrid.qgis.layers import LEVEL_FILES, DataFile, write_data
from geogrid.qgis.styles import project_layers
from geogrid.qgis.tiles import density_tiles, grid_tiles
from geogrid.storage.categories import category_rows
from geogrid.storage.versions import known_version
from geogrid.vocabulary import HEAT_GROUPS

PROJECT_FILE = "geogrid.qgs"
STAGE = ".geogrid-qgis.part"  # where a run writes its data before moving it in
DATA_CRS = 4326  # the GeoPackages keep the database's WGS-84 lon/lat
TILE_CRS = 3857
TEMPLATES = Path(__file__).parent / "templates"
AUTHCFG_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


@dataclass(frozen=True)
class QgisOptions:
    """Where to write, which version, and optionally the API whose tiles to add."""

    folder: Path = Path("maps/qgis")
    version: int | None = None  # None: the active version
    api_url: str | None = None  # e.g. http://geogrid.local:8000
    authcfg: str | None = None  # the id of a QGIS authentication configuration
    actor: str = "cli"


@dataclass(frozen=True)
class QgisProject:
    """The project written: its path, CRS, and each layer's name with its feature count
    (None: drawn from another layer's data or from the API)."""

    path: Path
    epsg: int
    layers: dict[str, int | None]


def write_project(engine: Engine, options: QgisOptions) -> QgisProject:
    """Write the data and the project; the project file is replaced only when complete."""
    api_url = _checked(options)
    with engine.connect() as conn:
        version = known_version(conn, options.version)
        groups = {group: [r.code for r in category_rows(conn) if r.heat_group == group]
                  for group in HEAT_GROUPS}  # fmt: skip
    data = _write_staged(engine, options, version)
    lon, lat = _centre(options.folder, data[LEVEL_FILES[1]])
    epsg = projected_crs_for(lon, lat)
    layers = project_layers(data, groups, lat)
    if api_url:
        layers[2:2] = [density_tiles(api_url, options.authcfg),
                       grid_tiles(api_url, options.authcfg)]  # fmt: skip
    for layer in layers:
        layer["crs"] = crs_xml(TILE_CRS if layer["provider"] == "vectortile" else DATA_CRS)
    text = render(f"geogrid 网格 v{version}", crs_xml(epsg), layers)
    path = options.folder / PROJECT_FILE
    partial = path.with_name(f".{path.name}.part")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
    return QgisProject(path, epsg, {layer["name"]: layer.get("count") for layer in layers})


def render(title: str, project_crs: dict, layers: list[dict]) -> str:
    """The project's XML from the template."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["j2"]),
                      trim_blocks=False, lstrip_blocks=False)  # fmt: skip
    return env.get_template("project.qgs.j2").render(
        title=title, project_crs=project_crs, layers=layers
    )


def crs_xml(epsg: int) -> dict:
    """What a QGIS <spatialrefsys> holds for an EPSG code (QGIS reads the WKT first)."""
    crs = pyproj.CRS.from_epsg(epsg)
    with warnings.catch_warnings():  # a PROJ string is lossy; QGIS reads the WKT before it
        warnings.simplefilter("ignore", UserWarning)
        proj4 = crs.to_proj4()
    return {"wkt": crs.to_wkt(), "proj4": proj4, "srid": epsg,
            "authid": f"EPSG:{epsg}", "description": crs.name,
            "geographic": crs.is_geographic}  # fmt: skip


def _write_staged(engine: Engine, options: QgisOptions, version: int) -> dict[str, DataFile]:
    """Write the data into a folder beside the old files, and move them in once all are
    written: a failed run leaves the previous project and its data whole."""
    stage = options.folder / STAGE
    shutil.rmtree(stage, ignore_errors=True)
    try:
        data = write_data(engine, stage, version, options.actor)
        for written in data.values():
            os.replace(stage / written.file, options.folder / written.file)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return data


def _checked(options: QgisOptions) -> str | None:
    """The API's address without a trailing slash; InputError naming a bad option."""
    url = options.api_url
    if url is not None and not url.startswith(("http://", "https://")):
        raise InputError(f"--api-url {url!r} is not an http(s) address", field="api_url")
    if options.authcfg is not None and not (
        len(options.authcfg) == 7 and set(options.authcfg) <= AUTHCFG_CHARS
    ):
        raise InputError(f"--authcfg {options.authcfg!r} is not a QGIS authentication "
                         "configuration id (7 letters or digits)", field="authcfg")  # fmt: skip
    return url.rstrip("/") if url else None


def _centre(folder: Path, communities: DataFile) -> tuple[float, float]:
    """The lon/lat centre of the communities (the county), from the file written."""
    minx, miny, maxx, maxy = pyogrio.read_info(folder / communities.file, force_total_bounds=True)[
        "total_bounds"
    ]
    return (minx + maxx) / 2, (miny + maxy) / 2
