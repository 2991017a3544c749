"""The data a QGIS project shows, written as GeoPackages beside it by the exports we have.

The three grid levels come from `geogrid.export.export_grids` (without phone numbers), the
reports from `usecases.reports_export.export_reports` with the personal details of sensitive
categories blanked (so writing the project reads no personal data and the files may be passed
on), streets and stations from the tables the prints draw them from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
from sqlalchemy import Engine, select

from geogrid.export import export_grids
from geogrid.storage.models import Station
from geogrid.storage.source_tables import SourceStreet
from geogrid.usecases.reports_export import ReportExportOptions, export_reports

LEVEL_FILES = {1: "grids_level1", 2: "grids_level2", 3: "grids_level3"}
STREETS, STATIONS, REPORTS = "streets", "stations", "reports"


@dataclass(frozen=True)
class DataFile:
    """One GeoPackage the project names: its file (relative to the project), layer, count."""

    name: str  # the file's stem, also its layer's name
    geometry: str  # Polygon, Line or Point (QGIS's geometry names)
    count: int

    @property
    def file(self) -> str:
        """The file's name beside the project."""
        return f"{self.name}.gpkg"


def write_data(engine: Engine, folder: Path, version: int, actor: str) -> dict[str, DataFile]:
    """Write every layer's GeoPackage into folder; layer name -> what was written."""
    folder.mkdir(parents=True, exist_ok=True)
    found = {}
    for level, name in LEVEL_FILES.items():
        count = export_grids(engine, level=level, version=version, fmt="gpkg",
                             path=folder / f"{name}.gpkg", phones=False)  # fmt: skip
        found[name] = DataFile(name, "Polygon", count)
    options = ReportExportOptions(folder / f"{REPORTS}.gpkg", "gpkg", "EPSG:4326",
                                  redact=True, actor=actor)  # fmt: skip
    found[REPORTS] = DataFile(REPORTS, "Point", export_reports(engine, options).count)
    found[STREETS] = DataFile(STREETS, "Line", _write_streets(engine, folder))
    found[STATIONS] = DataFile(STATIONS, "Point", _write_stations(engine, folder))
    return found


def _write_streets(engine: Engine, folder: Path) -> int:
    query = select(SourceStreet.name, SourceStreet.geom).order_by(SourceStreet.id)
    return _write(engine, query, folder / f"{STREETS}.gpkg", "MultiLineString")


def _write_stations(engine: Engine, folder: Path) -> int:
    query = (
        select(Station.code, Station.name, Station.location.label("geom"))
        .where(Station.location.is_not(None))
        .order_by(Station.code)
    )
    return _write(engine, query, folder / f"{STATIONS}.gpkg", "Point")


def _write(engine: Engine, query, path: Path, geometry_type: str) -> int:
    """Write a query's rows (an empty layer keeps its geometry type and CRS)."""
    with engine.connect() as conn:
        frame = gpd.read_postgis(query, conn, geom_col="geom", crs="EPSG:4326")
    frame = frame.rename_geometry("geometry")
    frame.to_file(path, driver="GPKG", engine="pyogrio", geometry_type=geometry_type)
    return len(frame)
