"""A session-wide database holding the tiny sample county: loaded, built, active, staffed.

It lives in its own database on the session's cluster, so tests that clear or reload the
main test database never touch it. Tests that add reports clean up after themselves or work
inside a rolled-back connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, text

from geogrid.building.build import BuildOptions
from geogrid.inputs.load import LoadOptions
from geogrid.storage import schema
from geogrid.usecases import boundaries, staffing, versions

COUNTY_DATABASE = "tiny_county"
SAMPLE_TINY = Path(__file__).parents[1] / "boundaries" / "sample" / "zhucheng_tiny.gpkg"
# People are on duty from this day, so sample reports of the past year find them.
STAFFED_FROM = date(2025, 1, 1)


@pytest.fixture(scope="session")
def county_engine(engine: Engine) -> Iterator[Engine]:
    """An engine on a database with the tiny sample county active and staffed."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"drop database if exists {COUNTY_DATABASE}"))
        conn.execute(text(f"create database {COUNTY_DATABASE}"))
    county = create_engine(engine.url.set(database=COUNTY_DATABASE))
    with county.begin() as conn:
        conn.execute(text("create extension if not exists postgis"))
    schema.upgrade(county)
    boundaries.load_boundaries(county, [SAMPLE_TINY], LoadOptions(), commit=True)
    # The same use case as `geogrid build --activate` and the demo.
    built = versions.build_version(county, BuildOptions(), activate=True, source="test")
    assert built.passed and built.activated, built.validation["errors"]
    staffing.auto_assign(county, built.version, STAFFED_FROM)
    yield county
    county.dispose()


@pytest.fixture
def county_conn(county_engine: Engine) -> Iterator[Connection]:
    """A connection on the staffed tiny county; everything it writes is rolled back."""
    with county_engine.connect() as conn:
        transaction = conn.begin()
        try:
            yield conn
        finally:
            transaction.rollback()
