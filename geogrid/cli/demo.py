"""`geogrid demo`: the whole chain on the sample county, growing with each capability."""

from __future__ import annotations

from pathlib import Path

import typer

from geogrid.cli import grids as grid_commands
from geogrid.cli import load as load_commands
from geogrid.cli import sample as sample_commands
from geogrid.cli import staff as staff_commands
from geogrid.cli.common import console, engine, settings
from geogrid.storage.database import database_url


def demo(
    scale: str = typer.Option("full", help="Sample county scale: tiny, town or full."),
) -> None:
    """Database up, sample county made and loaded, grids built, staffed and exported."""
    url = database_url(settings())
    engine()  # migrates the embedded database on first use
    console.rule("[bold]1. database")
    console.print(f"database: {url}", soft_wrap=True)
    console.print(f"data directory: {settings().home}")
    path = _sample_file(scale)
    console.rule(f"[bold]2. boundary intake: {path.name}")
    load_commands.load([path], None, None, None, None, False, True)
    console.rule("[bold]3. grid build (three levels), validation, activation")
    grid_commands.build(1500, 30, 20, 40, 1.0, True, f"demo, {scale} sample county")
    console.rule("[bold]4. staffing from the people register")
    staff_commands.auto(None, None)
    staff_commands.report(None)
    console.rule("[bold]5. export")
    staff_commands.export(2, None, "gpkg", None, Path("maps") / "demo_grids_level2.gpkg")
    staff_commands.export(3, None, "gpkg", None, Path("maps") / "demo_units_level3.gpkg")
    console.print(
        f'try: psql "{url}" -c "select level, count(*) from grids group by 1"', soft_wrap=True
    )


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
