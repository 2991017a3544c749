"""`geogrid export`: one grid level out to a file that QGIS and GDAL open."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import typer

from geogrid.cli.common import console, engine, version_or_active


@dataclass(frozen=True)
class ExportOptions:
    """Which level of which version, in what format and encoding, to which file."""

    level: int = 2
    version: int | None = None
    fmt: str = "gpkg"
    encoding: str | None = None
    out: Path | None = None


def export(
    level: int = typer.Option(2, help="1 communities, 2 grids, 3 units."),
    version: int | None = typer.Option(None, help="Default: the active version."),
    fmt: str = typer.Option("gpkg", "--format", help="gpkg, geojson or shp."),
    encoding: str | None = typer.Option(None, help="Text encoding, e.g. gbk for a shapefile."),
    out: Path | None = typer.Option(None, help="Output file (default maps/grids_level<N>)."),
) -> None:
    """Write one grid level to a file that QGIS and GDAL open, Chinese names intact."""
    write_export(ExportOptions(level, version, fmt, encoding, out))


def write_export(options: ExportOptions) -> Path:
    """Write the level the options ask for, say how many grids went where; the file's path."""
    from geogrid.export import export_grids

    eng, level = engine(), options.level
    number = version_or_active(eng, options.version)
    path = options.out or Path("maps") / f"grids_v{number}_level{level}"
    count = export_grids(eng, level=level, version=number, fmt=options.fmt, path=path,
                         encoding=options.encoding)  # fmt: skip
    console.print(f"{count:,} level-{level} grids of version {number} written to {path}")
    return path
