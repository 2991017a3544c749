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
    """An engine on the database in use (starting the embedded cluster when needed)."""
    from geogrid.storage.database import make_engine

    return make_engine(settings())
