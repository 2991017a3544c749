"""Alembic environment: runs on the connection that geogrid.storage.schema hands over."""

from alembic import context
from geoalchemy2 import alembic_helpers

from geogrid.storage.metadata import METADATA
from geogrid.storage.schema import include_object


def run_migrations_online() -> None:
    """Run migrations on config.attributes['connection'] (no engine is built here)."""
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=METADATA,
        include_object=include_object,
        process_revision_directives=alembic_helpers.writer,
        render_item=alembic_helpers.render_item,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
