"""What every command shares: the console and the settings/engine it works with."""

from __future__ import annotations

from rich.console import Console
from sqlalchemy import Engine

from geogrid.settings import Settings, get_settings

console = Console(highlight=False)


def settings() -> Settings:
    """The settings of this CLI process."""
    return get_settings()


def engine() -> Engine:
    """An engine on the database in use, its schema at the newest revision.

    The embedded cluster is migrated on first use; a configured server is not touched
    behind its owner's back: geogrid says to run `geogrid db upgrade` instead.
    """
    from geogrid.storage.database import make_engine
    from geogrid.storage.schema import ensure_schema

    eng = make_engine(settings())
    ensure_schema(eng, migrate=settings().database_url is None)
    return eng


def version_or_active(eng: Engine, version: int | None) -> int:
    """The version given with --version (it must exist), or the active one."""
    from geogrid.storage.versions import known_version

    with eng.connect() as conn:
        return known_version(conn, version)
