"""`geogrid maps` (air-gapped web maps into maps/) and `geogrid print` (patrol map PDFs)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from geogrid.cli.common import console, engine
from geogrid.errors import InputError

MAPS = Path("maps")


def maps(
    station: list[str] = typer.Option([], help="Station code(s) for station maps."),
    all_stations: bool = typer.Option(False, "--all-stations", help="A map for every station."),
    county: bool = typer.Option(True, help="Write the county map too."),
    date_from: str | None = typer.Option(None, "--from", help="Reports from this day."),
    date_to: str | None = typer.Option(None, "--to", help="Reports up to this day."),
    month: str | None = typer.Option(None, help="Choropleth month (any day in it)."),
    group: list[str] = typer.Option(
        [], help="Report groups to show: hazard, incident, other (default: all)."
    ),
    tile_url: str | None = typer.Option(None, help="An intranet tile server's URL template."),
    out: Path = typer.Option(MAPS, help="Folder for the pages (assets go to out/assets)."),
) -> None:
    """Write the county map and station maps as HTML pages that need no internet."""
    from sqlalchemy import text

    from geogrid.maps.reports import REPORT_GROUPS
    from geogrid.maps.web import county_map_html, station_map_html, write_map

    options = {"date_from": _day(date_from, "from"), "date_to": _day(date_to, "to"),
               "month": _day(month, "month"), "tile_url": tile_url,
               "groups": tuple(group) or REPORT_GROUPS}  # fmt: skip
    with engine().connect() as conn:
        codes = list(station)
        if all_stations:
            codes = list(conn.execute(text("select code from stations order by code")).scalars())
        pages = []
        if county:
            pages.append((out / "county.html", county_map_html(conn, **options)))
        for code in codes:
            pages.append((out / f"station_{code}.html", station_map_html(conn, code, **options)))
    for path, page in pages:
        write_map(page, path)
        console.print(f"{path}: {len(page.encode()) / 1e6:.2f} MB, assets in {path.parent}/assets")


def print_maps(
    station: str | None = typer.Option(None, help="A station code: its atlas."),
    grid: str | None = typer.Option(None, help="A level-2 grid code: its sheet."),
    paper: str = typer.Option("A4", help="A4 or A3."),
    version: int | None = typer.Option(None, help="Grid version (default: active)."),
    out: Path | None = typer.Option(None, help="Output PDF (default maps/...)."),
) -> None:
    """Print a station atlas (overview, index, a sheet per grid) or one grid's sheet (PDF)."""
    from geogrid.prints import write_grid_sheet, write_station_atlas

    if (station is None) == (grid is None):
        raise InputError("give either --station CODE or --grid CODE", field="station")
    with engine().connect() as conn:
        if grid:
            target = out or MAPS / f"grid_{grid}.pdf"
            sheet = write_grid_sheet(conn, grid, target, version=version, paper=paper)
            console.print(f"{target}: {sheet.paper} {sheet.orientation}, 1:{sheet.scale:,}")
            return
        target = out or MAPS / f"atlas_{station}.pdf"
        with _bar() as progress:
            task = progress.add_task(f"atlas {station}", total=None)
            atlas = write_station_atlas(
                conn, station, target, version=version, paper=paper,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )  # fmt: skip
    console.print(f"{target}: {atlas.pages} pages ({atlas.grids} grid sheets, overview, index)")


def _day(value: str | None, name: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise InputError(f"--{name} {value!r} is not a date (YYYY-MM-DD)", field=name) from None


def _bar() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console)  # fmt: skip
