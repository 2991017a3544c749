"""`geogrid maps`: air-gapped web maps of the county and of stations, into maps/."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import typer

from geogrid.cli.common import console, engine
from geogrid.errors import InputError

MAPS = Path("maps")


@dataclass(frozen=True)
class MapOptions:
    """Which pages to write, what they show, and where they go."""

    stations: tuple[str, ...] = ()
    all_stations: bool = False
    county: bool = True
    date_from: date | None = None
    date_to: date | None = None
    month: date | None = None
    groups: tuple[str, ...] = ()  # empty: every report group
    tile_url: str | None = None
    out: Path = field(default=MAPS)


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
    options = MapOptions(
        tuple(station), all_stations, county, _day(date_from, "from"), _day(date_to, "to"),
        _day(month, "month"), tuple(group), tile_url, out,
    )  # fmt: skip
    print_maps(write_maps(options))


def write_maps(options: MapOptions) -> list[tuple[Path, int]]:
    """Write the pages the options ask for; each page's path and size in bytes."""
    from geogrid.maps.reports import REPORT_GROUPS
    from geogrid.maps.web import county_map_html, station_map_html, write_map
    from geogrid.storage.places import station_codes

    shown = {"date_from": options.date_from, "date_to": options.date_to,
             "month": options.month, "tile_url": options.tile_url,
             "groups": options.groups or REPORT_GROUPS}  # fmt: skip
    out = options.out
    with engine().connect() as conn:
        codes = station_codes(conn) if options.all_stations else list(options.stations)
        pages = []
        if options.county:
            pages.append((out / "county.html", county_map_html(conn, **shown)))
        for code in codes:
            pages.append((out / f"station_{code}.html", station_map_html(conn, code, **shown)))
    for path, page in pages:
        write_map(page, path)
    return [(path, len(page.encode())) for path, page in pages]


def print_maps(written: list[tuple[Path, int]]) -> None:
    """One line per page written: its size and where its assets are."""
    for path, size in written:
        console.print(f"{path}: {size / 1e6:.2f} MB, assets in {path.parent}/assets")


def _day(value: str | None, name: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise InputError(f"--{name} {value!r} is not a date (YYYY-MM-DD)", field=name) from None
