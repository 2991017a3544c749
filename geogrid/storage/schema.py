"""Schema management: Alembic migrations run from inside geogrid, no alembic.ini needed."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from geoalchemy2 import alembic_helpers
from sqlalchemy import Connection, Engine, text

from geogrid.errors import DatabaseError
from geogrid.storage.metadata import METADATA

MIGRATIONS = Path(__file__).parent / "migrations"
_POSTGIS_TABLES = {"spatial_ref_sys"}
# Migrations that rewrite a table (a stored generated column added): the rewrite leaves the
# table's visibility map empty, so index-only reads fetch every row from the table until a
# VACUUM, which autovacuum, counting no dead rows, may put off for long. Vacuumed after.
REWRITTEN = {"0018": "reports", "0022": "reports"}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Leave PostGIS's own tables and GeoAlchemy2's implicit spatial indexes to them."""
    if type_ == "table" and name in _POSTGIS_TABLES:
        return False
    return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for geogrid's migrations, bound to a connection when given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Migrate the database up to `revision`; returns the revision it is at afterwards."""
    before = current_revision(engine) or ""
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)
    after = current_revision(engine) or ""
    rewritten = sorted({table for done, table in REWRITTEN.items() if before < done <= after})
    if rewritten:  # outside a transaction, as VACUUM must be
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in rewritten:
                conn.execute(text(f"vacuum (analyze) {table}"))
    return after


def downgrade(engine: Engine, revision: str) -> str | None:
    """Migrate the database down to `revision` ('base' removes every geogrid table)."""
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), revision)
    return current_revision(engine)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, None when it has no geogrid tables."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    """The newest revision that this version of geogrid ships."""
    head = _scripts().get_current_head()
    assert head is not None, "geogrid ships at least one migration"
    return head


def ensure_schema(engine: Engine, *, migrate: bool) -> None:
    """Make sure the schema is at head: migrate it, or say how when not allowed to."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    if current is not None and not _known(current):
        raise DatabaseError(
            f"the database schema is at {current}, a revision this geogrid does not know "
            f"(its newest is {head}): a newer geogrid made it; run that one, or upgrade"
        )
    if not migrate:
        raise DatabaseError(
            f"the database schema is at {current or 'empty'}, this geogrid needs {head}: "
            "run geogrid db upgrade"
        )
    upgrade(engine)


def schema_differences(engine: Engine) -> list:
    """What autogenerate would change: empty when the models and the migrations agree."""
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": include_object, "compare_type": True}
        )
        return compare_metadata(context, METADATA)


def is_known_revision(revision: str) -> bool:
    """True when this geogrid ships `revision` (False for one a newer geogrid made)."""
    return _known(revision)


def _known(revision: str) -> bool:
    try:
        return _scripts().get_revision(revision) is not None
    except CommandError:
        return False


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())
