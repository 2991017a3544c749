"""Test session fixtures: a real embedded PostGIS cluster, started once per session.

Each database test runs inside a transaction that is rolled back afterwards. A test that
cannot reach its database fails (the fixture raises); nothing here skips.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from geogrid.settings import Settings
from geogrid.storage import embedded, schema
from geogrid.storage.database import make_engine

# The API's fixtures (the tiny county, its users of every role, a TestClient, a served
# geogrid) are defined once for every folder that needs them (api, app, console, team):
# a second definition would make a second set of users and revoke the first one's tokens.
pytest_plugins = ("tests.api.fixtures",)


def pytest_configure(config: pytest.Config) -> None:
    """No test touches the real data directory: whatever reads GEOGRID_HOME from the
    environment (the CLI, a served API, a bench) gets an empty folder of this session's
    instead of ~/.local/share/geogrid, whose leftover photos or cluster would leak in."""
    os.environ["GEOGRID_HOME"] = tempfile.mkdtemp(prefix="geogrid-test-home-")


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for a private cluster in this session's tmp folder (fsync off: speed), with
    a registry key made for this session (never one in the repository)."""
    from geogrid.registry.idnumbers import new_key

    # Stored month figures recomputed on every view: a test reads what it has just written
    # (tests/team/test_month_store.py tests the max age itself).
    return Settings(home=tmp_path_factory.mktemp("geogrid-home"), db_fsync=False,
                    registry_key=new_key(), figures_max_age_s=0)  # fmt: skip


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    """An engine on the session's cluster, migrated to the newest schema."""
    eng = make_engine(settings)
    schema.upgrade(eng)
    yield eng
    eng.dispose()
    embedded.stop(embedded.cluster_for(settings))


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            yield conn
        finally:
            transaction.rollback()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    """An ORM session on the rolled-back connection; commits become savepoints."""
    with Session(bind=connection, join_transaction_mode="create_savepoint") as orm_session:
        yield orm_session


# Boundary files shaped like real ones, shared by the intake and storage tests.
from tests.boundary_files import gbk_shapefile, sample_gpkg  # noqa: E402, F401
from tests.county import county_conn, county_engine  # noqa: E402, F401
