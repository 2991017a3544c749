"""`geogrid print`: patrol map PDFs, a station's atlas or one grid's sheet."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from geogrid.cli.common import console, engine
from geogrid.cli.maps import MAPS
from geogrid.errors import InputError


@dataclass(frozen=True)
class PrintOptions:
    """What to print (a station's atlas or one grid's sheet), on what paper, to where."""

    station: str | None = None
    grid: str | None = None
    paper: str = "A4"
    version: int | None = None
    out: Path | None = None


def print_(
    station: str | None = typer.Option(None, help="A station code: its atlas."),
    grid: str | None = typer.Option(None, help="A level-2 grid code: its sheet."),
    paper: str = typer.Option("A4", help="A4 or A3."),
    version: int | None = typer.Option(None, help="Grid version (default: active)."),
    out: Path | None = typer.Option(None, help="Output PDF (default maps/...)."),
) -> None:
    """Print a station atlas (overview, index, a sheet per grid) or one grid's sheet (PDF)."""
    write_prints(PrintOptions(station, grid, paper, version, out))


def write_prints(options: PrintOptions) -> Path:
    """Write the atlas or the sheet the options ask for, say what was written; its path."""
    from geogrid.prints import write_grid_sheet, write_station_atlas

    station, grid, version, paper = options.station, options.grid, options.version, options.paper
    if (station is None) == (grid is None):
        raise InputError("give either --station CODE or --grid CODE", field="station")
    with engine().connect() as conn:
        if grid:
            target = options.out or MAPS / f"grid_{grid}.pdf"
            sheet = write_grid_sheet(conn, grid, target, version=version, paper=paper)
            console.print(f"{target}: {sheet.paper} {sheet.orientation}, 1:{sheet.scale:,}")
            return target
        target = options.out or MAPS / f"atlas_{station}.pdf"
        with _bar() as progress:
            task = progress.add_task(f"atlas {station}", total=None)
            atlas = write_station_atlas(
                conn, station, target, version=version, paper=paper,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )  # fmt: skip
    console.print(f"{target}: {atlas.pages} pages ({atlas.grids} grid sheets, overview, index)")
    return target


def _bar() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console)  # fmt: skip
