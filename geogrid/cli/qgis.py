"""`geogrid qgis`: a QGIS project with the grids, streets, stations and reports, styled."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from geogrid.cli.common import console, engine

if TYPE_CHECKING:  # the project's modules are imported when the command runs
    from geogrid.qgis.project import QgisOptions, QgisProject


def qgis(
    out: Path = typer.Option(Path("maps/qgis"), help="Folder for the project and its data."),
    version: int | None = typer.Option(None, help="Grid version (default: the active one)."),
    api_url: str | None = typer.Option(
        None, help="Add the API's vector tiles, e.g. http://geogrid.local:8000."
    ),
    authcfg: str | None = typer.Option(
        None, help="Id of the QGIS authentication configuration holding your API token."
    ),
) -> None:
    """Write maps/qgis/geogrid.qgs and its GeoPackages: open it in QGIS (3.22 or later)."""
    from geogrid.qgis.project import QgisOptions

    options = QgisOptions(out, version, api_url, authcfg, actor=f"cli:{getpass.getuser()}")
    print_project(write_project(options))


def write_project(options: QgisOptions) -> QgisProject:
    """Write the project the options ask for (the demo calls this too)."""
    from geogrid.qgis.project import write_project as write

    return write(engine(), options)


def print_project(project: QgisProject) -> None:
    """Say where the project is, its CRS and each layer's features."""
    console.print(f"QGIS project: {project.path} (EPSG:{project.epsg})")
    for name, count in project.layers.items():
        shown = "drawn from the reports or the API" if count is None else f"{count:,} features"
        console.print(f"  {name}: {shown}")


def print_addresses(base: str) -> None:
    """The addresses a GIS client starts from: OGC landing page, docs, tile templates."""
    console.print(f"OGC API - Features landing page: {base}/v1/", soft_wrap=True)
    console.print(f"API docs: {base}/docs and {base}/redoc (offline)", soft_wrap=True)
    console.print(f"vector tiles (grid levels): {base}/v1/tiles/WebMercatorQuad/{{z}}/{{y}}/{{x}}",
                  soft_wrap=True)  # fmt: skip
    console.print("report density tiles: "
                  f"{base}/v1/collections/reports/tiles/WebMercatorQuad/{{z}}/{{y}}/{{x}}",
                  soft_wrap=True)  # fmt: skip
