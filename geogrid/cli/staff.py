"""`geogrid staff ...` and `geogrid export`: people on grids, and grids out to files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.table import Table

from geogrid.cli.common import console, engine
from geogrid.errors import InputError

app = typer.Typer(help="Who is responsible for which grid.", no_args_is_help=True)
LEVEL_NAMES = {1: "communities (社区民警)", 2: "grids (网格长)", 3: "units (网格信息员)"}


def _version(eng, version: int | None) -> int:
    """The version given with --version (it must exist), or the active one."""
    from geogrid.storage.versions import known_version

    with eng.connect() as conn:
        return known_version(conn, version)


@app.command()
def auto(
    version: int | None = typer.Option(None, help="Default: the active version."),
    from_day: str | None = typer.Option(
        None, "--from", help="First day on duty, YYYY-MM-DD (default: today)."
    ),
) -> None:
    """Fill every unstaffed grid from the register (own community first, vetted first)."""
    from geogrid.usecases.staffing import auto_assign

    try:
        first = date.fromisoformat(from_day) if from_day else None
    except ValueError:
        raise InputError(f"--from {from_day!r} is not a date (YYYY-MM-DD)", field="from") from None
    eng = engine()
    made = auto_assign(eng, _version(eng, version), first)
    for level, count in made.items():
        console.print(f"{LEVEL_NAMES[level]}: {count:,} assignments made")


@app.command()
def report(version: int | None = typer.Option(None, help="Default: the active version.")) -> None:
    """Grids without a person, people without a grid, and vetting status."""
    from geogrid.usecases.staffing import staff_report

    eng = engine()
    result = staff_report(eng, _version(eng, version))
    table = Table(title="staffing", title_justify="left")
    for column in ("level", "staffed", "grids", "coverage", "first unstaffed"):
        table.add_column(column)
    for level, (staffed, total) in result.coverage.items():
        share = f"{staffed / total:.1%}" if total else "-"
        first = " ".join(result.unstaffed[level][:3])
        table.add_row(LEVEL_NAMES[level], f"{staffed:,}", f"{total:,}", share, first)
    console.print(table)
    console.print(f"people without a grid: {result.idle_count:,}")
    for person_no, name, role in result.idle_people[:10]:
        console.print(f"  {person_no} {name} ({role})")
    vetting = ", ".join(f"{k} {v:,}" for k, v in result.vetting.items())
    console.print(f"vetting: {vetting}")


def export(
    level: int = typer.Option(2, help="1 communities, 2 grids, 3 units."),
    version: int | None = typer.Option(None, help="Default: the active version."),
    fmt: str = typer.Option("gpkg", "--format", help="gpkg, geojson or shp."),
    encoding: str | None = typer.Option(None, help="Text encoding, e.g. gbk for a shapefile."),
    out: Path | None = typer.Option(None, help="Output file (default maps/grids_level<N>)."),
) -> None:
    """Write one grid level to a file that QGIS and GDAL open, Chinese names intact."""
    from geogrid.export import export_grids

    eng = engine()
    number = _version(eng, version)
    path = out or Path("maps") / f"grids_v{number}_level{level}"
    count = export_grids(eng, level=level, version=number, fmt=fmt, path=path, encoding=encoding)
    console.print(f"{count:,} level-{level} grids of version {number} written to {path}")
