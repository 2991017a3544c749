"""`geogrid demo`: the whole chain on the sample county, growing with each capability."""

from __future__ import annotations

from geogrid.cli.common import console, engine, settings
from geogrid.storage import schema
from geogrid.storage.database import database_url


def demo() -> None:
    """Run the demo: database up and migrated (then, as they land: sample, grids, reports)."""
    url = database_url(settings())
    reached = schema.upgrade(engine())
    console.rule("[bold]geogrid demo")
    console.print(f"database: {url}", soft_wrap=True)
    console.print(f"data directory: {settings().home}")
    console.print(f"schema at revision {reached}")
    console.print(f'try: psql "{url}" -c "select postgis_full_version()"', soft_wrap=True)
