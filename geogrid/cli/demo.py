"""`geogrid demo`: the whole chain on the sample county, growing with each capability.

Each step calls the same use case as its command, with an options object, and prints with
the same printing function; no step calls another Typer command.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import typer

from geogrid.cli import categories as category_commands
from geogrid.cli import export as export_commands
from geogrid.cli import grids as grid_commands
from geogrid.cli import load as load_commands
from geogrid.cli import maps as map_commands
from geogrid.cli import patrols as patrol_commands
from geogrid.cli import prints as print_commands
from geogrid.cli import reports as report_commands
from geogrid.cli import sample as sample_commands
from geogrid.cli import serve as serve_commands
from geogrid.cli import staff as staff_commands
from geogrid.cli.common import console, engine, settings
from geogrid.errors import BuildError
from geogrid.storage.database import database_url
from geogrid.vocabulary import china_midnight, china_today

REPORTS = {"tiny": 5_000, "town": 30_000, "full": 100_000}
HISTORIES = {"tiny": 150, "town": 300, "full": 300}  # cases walked through the loop
INBOX_SHOWN = 10
MAPS = Path("maps")


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
    _load_build_staff(path, scale)
    _reports(path, scale)
    _case_loop(scale)
    _patrols()
    station = _maps_and_prints()
    if serve:
        _serve(station)
    console.print(
        f'try: psql "{url}" -c "select level, count(*) from grids group by 1"', soft_wrap=True
    )


def _load_build_staff(path: Path, scale: str) -> None:
    from geogrid.building.build import BuildOptions
    from geogrid.inputs.load import LoadOptions
    from geogrid.usecases.staffing import auto_assign, staff_report

    console.rule(f"[bold]2. boundary intake: {path.name}")
    loaded = load_commands.load_with_progress([path], LoadOptions(), commit=True)
    load_commands.print_report(loaded, commit=True)
    if loaded.errors:
        raise typer.Exit(1)
    console.rule("[bold]3. grid build (three levels), validation, activation")
    built = grid_commands.build_with_progress(
        BuildOptions(), note=f"demo, {scale} sample county", activate=True
    )
    grid_commands.print_build(built)
    if built.version is None:
        raise BuildError("the demo build failed validation")
    console.rule("[bold]4. staffing from the people register")
    # People are put on duty from a year back, so a year of sample reports finds them.
    eng = engine()
    staff_commands.print_assignments(
        auto_assign(eng, built.version, china_today() - timedelta(days=366))
    )
    staff_commands.print_staffing(staff_report(eng, built.version))
    console.rule("[bold]5. export")
    for level, name in ((2, "demo_grids_level2.gpkg"), (3, "demo_units_level3.gpkg")):
        export_commands.write_export(export_commands.ExportOptions(level, out=MAPS / name))


def _reports(county: Path, scale: str) -> None:
    from geogrid.usecases.ingest import IngestOptions

    reports = MAPS / f"demo_reports_{scale}.csv"
    console.rule(f"[bold]6. a year of sample reports -> assignment and routing ({reports})")
    start = china_midnight(china_today())
    sample_commands.write_sample_reports(county, REPORTS[scale], 2026, reports, start)
    summary = report_commands.ingest_with_progress(reports, IngestOptions())
    report_commands.print_ingest(reports, summary)  # the sample's few bad rows: listed, not fatal
    category_commands.print_categories(category_commands.seeded_categories())


def _case_loop(scale: str) -> None:
    from geogrid.media.store import DiskStore
    from geogrid.reports.deadlines import calendar_of
    from geogrid.reports.inbox import inbox
    from geogrid.reports.lifecycle import events_of
    from geogrid.reports.queries import ReportScope
    from geogrid.reports.stats import monthly_stats
    from geogrid.usecases.photos import report_photos
    from geogrid.usecases.sample_histories import Walker, walk_histories

    console.rule("[bold]7. the case loop: sample histories, a station's inbox, a trail, KPIs")
    calendar = calendar_of(settings().holidays_file)
    done = walk_histories(engine(), DiskStore(settings().media_path), calendar,
                          limit=HISTORIES[scale])  # fmt: skip
    report_commands.print_histories(done)
    if done.example is None or done.month is None:
        return  # too few police cases old enough to walk: nothing more to show
    desk = Walker("demo", "station", station_id=done.station_id)
    with engine().connect() as conn:
        waiting = inbox(conn, desk, calendar=calendar, limit=INBOX_SHOWN)
        trail, photos = events_of(conn, done.example), report_photos(conn, done.example)
        _, stations = monthly_stats(conn, done.month, "station", ReportScope(everything=True))
    report_commands.print_inbox(done.station or "", waiting)
    report_commands.print_trail(done.example, trail, photos)
    report_commands.print_station_kpis(done.month, stations)


def _patrols() -> None:
    from geogrid.patrols.coverage import coverage_by_unit
    from geogrid.usecases.sample_patrols import make_sample_patrols

    console.rule("[bold]patrols (巡查): sample tracks along the streets, work logs, coverage")
    made = make_sample_patrols(engine())
    patrol_commands.print_sample(made)
    with engine().connect() as conn:
        units = coverage_by_unit(conn, made.month, area=tuple(made.grids) or None)
    patrol_commands.print_coverage(made.month, units, top=8)


def _maps_and_prints() -> str:
    from geogrid.storage.places import smallest_station

    with engine().connect() as conn:
        station = smallest_station(conn)
    console.rule(f"[bold]8. air-gapped web maps: county and station {station}")
    written = map_commands.write_maps(map_commands.MapOptions(stations=(station,), out=MAPS))
    map_commands.print_maps(written)
    console.rule(f"[bold]9. printed patrol maps: the atlas of station {station}")
    print_commands.write_prints(print_commands.PrintOptions(station=station))
    return station


def _serve(station: str) -> None:
    from geogrid.access.users import add_user, remove_users

    console.rule("[bold]10. the API, with the county map and a station map")
    names = {"demo-county": ("county_admin", None), f"demo-{station}": ("station", station)}
    with engine().begin() as conn:  # fresh demo tokens on every run (only digests are kept)
        remove_users(conn, list(names))
        tokens = {n: add_user(conn, n, role, station=code) for n, (role, code) in names.items()}
    base = "http://127.0.0.1:8000"
    admin, desk = tokens["demo-county"], tokens[f"demo-{station}"]
    console.print(f"county map:  {base}/maps/county.html?api_key={admin}", soft_wrap=True)
    console.print(f"station map: {base}/maps/stations/{station}.html?api_key={desk}",
                  soft_wrap=True)  # fmt: skip
    console.print(f"API docs:    {base}/docs  and  {base}/redoc  (work offline)", soft_wrap=True)
    console.print(f"OGC API - Features landing page: {base}/v1/  (QGIS: add a WFS / OGC API "
                  f"- Features connection to {base}/v1 with the header "
                  f"Authorization: Bearer {admin})", soft_wrap=True)  # fmt: skip
    console.print(f'try: curl -H "Authorization: Bearer {admin}" '
                  f'"{base}/v1/lookup?lon=119.40&lat=36.00"', soft_wrap=True)  # fmt: skip
    serve_commands.run_server(serve_commands.ServeOptions(log_level="warning"))


def _sample_file(scale: str) -> Path:
    """The committed sample (tiny, town), or the full one generated once into GEOGRID_HOME."""
    committed = sample_commands.sample_path(scale)
    if committed.exists():
        return committed
    target = settings().home / "sample" / f"zhucheng_{scale}.gpkg"
    if not target.exists():
        console.rule(f"[bold]generating the {scale} sample county")
        sample_commands.write_sample(scale, 2026, target)
    return target
