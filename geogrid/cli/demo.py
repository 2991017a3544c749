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
from geogrid.cli import qgis as qgis_commands
from geogrid.cli import reports as report_commands
from geogrid.cli import sample as sample_commands
from geogrid.cli import serve as serve_commands
from geogrid.cli import staff as staff_commands
from geogrid.cli.common import console, engine, settings
from geogrid.errors import BuildError
from geogrid.storage.database import database_url
from geogrid.vocabulary import china_midnight, china_today

REPORTS = {"tiny": 5_000, "town": 30_000, "full": 100_000}
HISTORIES = {"tiny": 600, "town": 3_000, "full": 7_000}  # last month's cases walked: most of them
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
    _registry()
    _patrols()
    _team()  # after the registry and the patrols: their completeness and coverage are scored
    station = _maps_and_prints()
    _gis_analyst()
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
    summary = report_commands.ingest_with_progress(
        reports, IngestOptions(holidays_file=settings().holidays_file)
    )
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


def _team() -> None:
    from geogrid.cli import team as team_commands
    from geogrid.team.sample import sample_team

    month = f"{china_today().replace(day=1) - timedelta(days=1):%Y-%m}"  # the last full month
    console.rule(f"[bold]10. the assistants' team: {month}'s sample records, assessment, payroll")
    with engine().begin() as conn:
        made = sample_team(conn, month)
    console.print(f"sample records: {made}")
    lines = team_commands.month_assessment(month, None, confirm=False, by="demo")
    team_commands.print_assessment(month, lines)
    team_commands.print_payroll(team_commands.write_payroll_sheets(month, lines, MAPS / "payroll"))


def _registry() -> None:
    from geogrid.cli.registry import print_completeness
    from geogrid.registry.completeness import completeness
    from geogrid.registry.idnumbers import IdCipher, ensure_key_file
    from geogrid.usecases.sample_registry import load_sample_registry

    console.rule("[bold]8. the basic-information registry (一标三实): completeness per community")
    config = settings()
    if config.registry_key is None and config.registry_key_file is None:
        # The demo's own key, in the data directory (never in the repository).
        config = config.model_copy(update={"registry_key_file": ensure_key_file(
            config.home / "registry.key")})  # fmt: skip
    made = load_sample_registry(engine(), IdCipher.from_settings(config))
    if made.skipped:
        console.print("the registry already holds records: no sample added")
    else:
        kinds = ", ".join(f"{count:,} {kind}" for kind, count in sorted(made.records.items()))
        console.print(f"{made.addresses:,} standard addresses; records: {kinds}")
    month = china_today().strftime("%Y-%m")
    with engine().connect() as conn:
        print_completeness(completeness(conn, month, 1), month)


def _patrols() -> None:
    from geogrid.patrols.coverage import coverage_by_unit
    from geogrid.usecases.sample_patrols import make_sample_patrols

    console.rule("[bold]9. patrols (巡查): sample tracks along the streets, work logs, coverage")
    made = make_sample_patrols(engine())
    patrol_commands.print_sample(made)
    with engine().connect() as conn:
        units = coverage_by_unit(conn, made.month, area=tuple(made.grids) or None)
    patrol_commands.print_coverage(made.month, units, top=8)


def _maps_and_prints() -> str:
    from geogrid.storage.places import smallest_station

    with engine().connect() as conn:
        station = smallest_station(conn)
    console.rule(f"[bold]11. air-gapped web maps: county and station {station}")
    written = map_commands.write_maps(map_commands.MapOptions(stations=(station,), out=MAPS))
    map_commands.print_maps(written)
    console.rule(f"[bold]12. printed patrol maps: the atlas of station {station}")
    print_commands.write_prints(print_commands.PrintOptions(station=station))
    return station


def _gis_analyst() -> None:
    from geogrid.qgis.project import QgisOptions

    served = serve_commands.ServeOptions()
    base = f"http://{served.host}:{served.port}"
    console.rule("[bold]13. for the GIS analyst: a QGIS project, the OGC API, vector tiles")
    project = qgis_commands.write_project(QgisOptions(MAPS / "qgis", api_url=base))
    qgis_commands.print_project(project)
    qgis_commands.print_addresses(base)


def _serve(station: str) -> None:
    from geogrid.access.users import add_user, remove_users

    console.rule("[bold]14. serving the API, the station console and the phone app")
    names = {"demo-county": ("county_admin", None), f"demo-{station}": ("station", station)}
    with engine().begin() as conn:  # fresh demo tokens on every run (only digests are kept)
        remove_users(conn, list(names))
        tokens = {n: add_user(conn, n, role, station=code) for n, (role, code) in names.items()}
    base = "http://127.0.0.1:8000"
    admin, desk = tokens["demo-county"], tokens[f"demo-{station}"]
    _console_signin(base, station, admin, desk)
    console.print(f"API docs:    {base}/docs  and  {base}/redoc  (work offline)", soft_wrap=True)
    console.print(f"OGC API - Features landing page: {base}/v1/  (QGIS: add a WFS / OGC API "
                  f"- Features connection to {base}/v1 with the header "
                  f"Authorization: Bearer {admin})", soft_wrap=True)  # fmt: skip
    console.print(f'try: curl -H "Authorization: Bearer {admin}" '
                  f'"{base}/v1/lookup?lon=119.40&lat=36.00"', soft_wrap=True)  # fmt: skip
    _phone_app(base)
    serve_commands.run_server(serve_commands.ServeOptions(log_level="warning"))


def _console_signin(base: str, station: str, admin: str, desk: str) -> None:
    """The station console's address and a token to sign in with (typed into its form
    once, never put in a URL); the map pages open from a signed-in console."""
    console.print(f"station console: {base}/console/  sign in with the token of", soft_wrap=True)
    console.print(f"  station {station}:     {desk}", soft_wrap=True)
    console.print(f"  county office (综治中心): {admin}", soft_wrap=True)
    console.print(f"maps once signed in: {base}/maps/county.html (county), "
                  f"{base}/maps/stations/{station}.html", soft_wrap=True)  # fmt: skip


def _phone_app(base: str) -> None:
    """A grid leader's token for the phone app (网格通), signed in once per phone."""
    from geogrid.access.users import add_user, remove_users
    from geogrid.storage.duty import people_on_duty

    with engine().begin() as conn:
        leader = next(r for r in people_on_duty(conn, china_today()) if r.role == "grid_leader")
        remove_users(conn, ["demo-phone"])
        token = add_user(conn, "demo-phone", "grid_staff", person=leader.person_no)
    console.print(f"phone app:   {base}/app/  (grid leader {leader.name} of {leader.grid_code}: "
                  f"sign in with the token {token}; a phone, or Chromium's device mode; it "
                  "works offline after that)", soft_wrap=True)  # fmt: skip


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
