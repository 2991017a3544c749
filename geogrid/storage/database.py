"""Connecting to the store of record: the configured PostGIS server or the embedded one."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, create_engine, text
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
    """An engine on the database in use, checked to answer and to have PostGIS."""
    url = database_url(settings)
    engine = create_engine(sqlalchemy_url(url), pool_pre_ping=True, **engine_options)
    check_postgis(engine)
    return engine


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
