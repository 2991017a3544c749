"""`geogrid export`: a grid level, or the reports, out to a file that QGIS, GDAL and Excel open.

`geogrid export --level N ...` writes grids as it always has; `geogrid export reports ...`
writes reports with the API's filters.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from pathlib import Path

import typer

from geogrid.cli.common import console, engine, version_or_active

app = typer.Typer(
    invoke_without_command=True,
    no_args_is_help=False,
    help="Write grids (default) or reports to a file; see `export reports --help`.",
)


@dataclass(frozen=True)
class ExportOptions:
    """Which level of which version, in what format and encoding, to which file."""

    level: int = 2
    version: int | None = None
    fmt: str = "gpkg"
    encoding: str | None = None
    out: Path | None = None


@app.callback()
def export(
    ctx: typer.Context,
    level: int = typer.Option(2, help="1 communities, 2 grids, 3 units."),
    version: int | None = typer.Option(None, help="Default: the active version."),
    fmt: str = typer.Option("gpkg", "--format", help="gpkg, geojson or shp."),
    encoding: str | None = typer.Option(None, help="Text encoding, e.g. gbk for a shapefile."),
    out: Path | None = typer.Option(None, help="Output file (default maps/grids_level<N>)."),
) -> None:
    """Write one grid level to a file that QGIS and GDAL open, Chinese names intact."""
    if ctx.invoked_subcommand is None:
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


@app.command("reports")
def reports(
    fmt: str = typer.Option("gpkg", "--format", help="gpkg, csv, geojson or xlsx."),
    out: Path = typer.Option(Path("maps/reports"), help="Output file (suffix added if none)."),
    crs: str = typer.Option("EPSG:4326", help="EPSG:4326, EPSG:4490 or e.g. EPSG:4549."),
    category: list[str] = typer.Option([], help="Category code (repeatable)."),
    status: list[str] = typer.Option([], help="Status (repeatable)."),
    route: list[str] = typer.Option([], help="station, department or triage (repeatable)."),
    method: list[str] = typer.Option([], help="Assignment method (repeatable)."),
    grid: str | None = typer.Option(None, help="Community, grid or unit code (12/15/18 digits)."),
    station: str | None = typer.Option(None, help="A station's code: its jurisdiction only."),
    period: str | None = typer.Option(None, help="A month (2026-06) or a day, China time."),
    reported_from: str | None = typer.Option(None, "--from", help="Reported at or after."),
    reported_to: str | None = typer.Option(None, "--to", help="Reported before."),
    bbox: str | None = typer.Option(None, help="minlon,minlat,maxlon,maxlat (WGS-84)."),
    redact: bool = typer.Option(False, help="Blank reporter and text of sensitive categories."),
    limit: int | None = typer.Option(None, help="At most this many, newest first."),
) -> None:
    """Write reports (newest first) with the API's filters as GeoPackage, CSV, GeoJSON or XLSX."""
    from geogrid.usecases.reports_export import (
        ReportExportOptions,
        export_reports,
        report_filter,
    )

    filters = report_filter(
        bbox=bbox, grid=grid, categories=tuple(category), statuses=tuple(status),
        methods=tuple(method), routes=tuple(route), period=period,
        reported_from=reported_from, reported_to=reported_to,
    )  # fmt: skip
    options = ReportExportOptions(out, fmt, crs, filters, station, redact, limit,
                                  actor=f"cli:{getpass.getuser()}")  # fmt: skip
    result = export_reports(engine(), options)
    console.print(f"{result.count:,} reports written to {result.path} (EPSG:{result.epsg})")
    if result.sensitive_shown:
        console.print(f"{result.sensitive_shown:,} of them of sensitive categories with their "
                      "personal details: recorded in the audit trail")  # fmt: skip
