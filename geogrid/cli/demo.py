"""`geogrid demo`: the whole chain on the sample county, growing with each capability."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from pathlib import Path

import typer

from geogrid.cli import api as api_commands
from geogrid.cli import grids as grid_commands
from geogrid.cli import load as load_commands
from geogrid.cli import maps as map_commands
from geogrid.cli import reports as report_commands
from geogrid.cli import sample as sample_commands
from geogrid.cli import staff as staff_commands
from geogrid.cli.common import console, engine, settings
from geogrid.storage.database import database_url
from geogrid.vocabulary import (
    BUILD_TOLERANCE_M,
    GPS_TOLERANCE_M,
    TOWN_GRID_HOUSEHOLDS,
    UNIT_HOUSEHOLDS,
    UNIT_HOUSEHOLDS_HIGH,
    UNIT_HOUSEHOLDS_LOW,
    china_today,
)

REPORTS = {"tiny": 5_000, "town": 30_000, "full": 100_000}


def demo(
    scale: str = typer.Option("full", help="Sample county scale: tiny, town or full."),
    serve: bool = typer.Option(True, help="End by serving the API and maps (Ctrl-C stops)."),
) -> None:
    """Database up, sample county made and loaded, grids built, staffed and exported;
    a year of sample reports ingested and routed; maps and a station atlas written."""
    url = database_url(settings())
    engine()  # migrates the embedded database on first use
    console.rule("[bold]1. database")
    console.print(f"database: {url}", soft_wrap=True)
    console.print(f"data directory: {settings().home}")
    path = _sample_file(scale)
    console.rule(f"[bold]2. boundary intake: {path.name}")
    load_commands.load([path], None, None, None, None, False, True, False)
    console.rule("[bold]3. grid build (three levels), validation, activation")
    sizes = (TOWN_GRID_HOUSEHOLDS, UNIT_HOUSEHOLDS, UNIT_HOUSEHOLDS_LOW, UNIT_HOUSEHOLDS_HIGH)
    grid_commands.build(*sizes, BUILD_TOLERANCE_M, True, f"demo, {scale} sample county")
    console.rule("[bold]4. staffing from the people register")
    # People are put on duty from a year back, so a year of sample reports finds them.
    staff_commands.auto(None, (china_today() - timedelta(days=366)).isoformat())
    staff_commands.report(None)
    console.rule("[bold]5. export")
    staff_commands.export(2, None, "gpkg", None, Path("maps") / "demo_grids_level2.gpkg")
    staff_commands.export(3, None, "gpkg", None, Path("maps") / "demo_units_level3.gpkg")
    _reports(path, scale)
    station = _maps_and_prints()
    if serve:
        _serve(station)
    console.print(
        f'try: psql "{url}" -c "select level, count(*) from grids group by 1"', soft_wrap=True
    )


def _reports(county: Path, scale: str) -> None:
    reports = Path("maps") / f"demo_reports_{scale}.csv"
    console.rule(f"[bold]6. a year of sample reports -> assignment and routing ({reports})")
    report_commands.sample_reports(REPORTS[scale], 2026, county, reports, None)
    with contextlib.suppress(typer.Exit):  # the sample's few bad rows are listed, not fatal
        report_commands.ingest(reports, None, GPS_TOLERANCE_M, 200_000)
    report_commands.categories_list()


def _maps_and_prints() -> str:
    from sqlalchemy import text

    with engine().connect() as conn:
        station = conn.execute(text(_SMALL_STATION)).scalar()
    console.rule(f"[bold]7. air-gapped web maps: county and station {station}")
    map_commands.maps([station], False, True, None, None, None, [], None, Path("maps"))
    console.rule(f"[bold]8. printed patrol maps: the atlas of station {station}")
    map_commands.print_maps(station, None, "A4", None, None)
    return station


def _serve(station: str) -> None:
    from sqlalchemy import text

    from geogrid.access.users import add_user

    console.rule("[bold]9. the API, with the county map and a station map")
    names = {"demo-county": ("county_admin", None), f"demo-{station}": ("station", station)}
    with engine().begin() as conn:  # fresh demo tokens on every run (only digests are kept)
        conn.execute(text("delete from api_users where name = any(:n)"), {"n": list(names)})
        tokens = {n: add_user(conn, n, role, station=code) for n, (role, code) in names.items()}
    base = "http://127.0.0.1:8000"
    admin, desk = tokens["demo-county"], tokens[f"demo-{station}"]
    console.print(f"county map:  {base}/maps/county.html?api_key={admin}", soft_wrap=True)
    console.print(f"station map: {base}/maps/stations/{station}.html?api_key={desk}",
                  soft_wrap=True)  # fmt: skip
    console.print(f"API docs:    {base}/docs  (Authorization: Bearer {admin})", soft_wrap=True)
    console.print(f'try: curl -H "Authorization: Bearer {admin}" '
                  f'"{base}/v1/lookup?lon=119.40&lat=36.00"', soft_wrap=True)  # fmt: skip
    api_commands.serve("127.0.0.1", 8000, 1, "warning")


# The station with the fewest level-2 grids that still has a few: a quick but real atlas.
_SMALL_STATION = """
select s.code from stations s join station_communities sc on sc.station_id = s.id
join grids g on left(g.code, 12) = sc.community_code and g.level = 2
join grid_versions v on v.id = g.version_id and v.status = 'active'
group by s.code having count(*) >= 5 order by count(*), s.code limit 1
"""


def _sample_file(scale: str) -> Path:
    """The committed sample (tiny, town), or the full one generated once into GEOGRID_HOME."""
    committed = sample_commands.sample_path(scale)
    if committed.exists():
        return committed
    target = settings().home / "sample" / f"zhucheng_{scale}.gpkg"
    if not target.exists():
        console.rule(f"[bold]generating the {scale} sample county")
        sample_commands.sample(scale=scale, seed=2026, out=target, outline=sample_commands.OUTLINE)
    return target
