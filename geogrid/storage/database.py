"""Connecting to the store of record: the configured PostGIS server or the embedded one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError

from geogrid.errors import DatabaseError, PostGISMissingError
from geogrid.settings import Settings
from geogrid.storage import embedded


def database_url(settings: Settings) -> str:
    """The libpq URL of the database in use, starting the embedded cluster when needed."""
    if settings.database_url:
        return settings.database_url
    return embedded.ensure_running(embedded.cluster_for(settings)).url


def sqlalchemy_url(url: str) -> str:
    """The same URL with the psycopg 3 driver named, as SQLAlchemy wants it."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    raise DatabaseError(f"not a PostgreSQL URL: {url[:30]!r}")


def make_engine(settings: Settings, **engine_options) -> Engine:
    """An engine on the database in use, checked to answer and to have PostGIS; each of its
    connections plans every statement for its own values (see `custom_plans`)."""
    url = database_url(settings)
    engine = create_engine(sqlalchemy_url(url), pool_pre_ping=True, **engine_options)
    event.listen(engine, "connect", custom_plans)
    check_postgis(engine)
    return engine


def custom_plans(dbapi_connection, _record=None) -> None:
    """Plan each statement for the values it is run with, never a generic plan.

    psycopg prepares a statement run five times on a connection, and PostgreSQL then may
    plan it once for any values. Our data is skewed (one station holds 38 % of the county's
    reports; a level-2 grid 3,129 open cases, a unit a handful), and a generic plan picked
    by average costs is badly wrong for the big ones: a grid's open-case count went from
    1.3 ms to 36-44 ms on its sixth run, and a page of the case list to 1.3 s. Planning
    each run costs a fraction of a millisecond on these statements."""
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    dbapi_connection.execute("set plan_cache_mode = force_custom_plan")
    dbapi_connection.autocommit = autocommit


@contextmanager
def planned_as_written(conn: Connection) -> Iterator[None]:
    """Plan the statements run inside in the join order they are written in, for the rest
    of the block: for a row read by its key with a chain of look-ups (one report with its
    category, grids, people, station and department) the written order is the best one,
    and searching all orders of ten tables cost 3.0 ms of planning for 0.16 ms of work
    (0.36 ms written). Needs a transaction (SET LOCAL); the setting is put back after."""
    conn.execute(_WRITTEN_ORDER)
    try:
        yield
    finally:
        conn.execute(_ANY_ORDER)


_WRITTEN_ORDER = text("set local join_collapse_limit = 1")
_ANY_ORDER = text("set local join_collapse_limit to default")


def check_postgis(engine: Engine) -> None:
    """Fail with a clear message when the server is unreachable or lacks PostGIS."""
    try:
        with engine.connect() as conn:
            installed = conn.execute(
                text("select 1 from pg_extension where extname = 'postgis'")
            ).first()
            available = conn.execute(
                text("select 1 from pg_available_extensions where name = 'postgis'")
            ).first()
    except OperationalError as exc:
        raise DatabaseError(
            f"cannot connect to the database at {engine.url.render_as_string(hide_password=True)}"
            f": {str(exc.orig).strip().splitlines()[0]}"
        ) from None
    if installed is None and available is None:
        raise PostGISMissingError(
            f"the server at {engine.url.render_as_string(hide_password=True)} has no PostGIS "
            "extension. " + embedded.POSTGIS_INSTALL_HINT
        )


def server_versions(conn: Connection) -> tuple[str, str]:
    """The PostgreSQL and PostGIS versions of the server behind the connection."""
    server = conn.execute(text("show server_version")).scalar_one()
    postgis = conn.execute(text("select postgis_lib_version()")).scalar_one()
    return server, postgis
