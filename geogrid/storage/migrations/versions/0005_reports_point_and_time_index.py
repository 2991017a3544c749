"""reports: one GiST index on the point and the time instead of the point alone

The duplicate search of every report POST asks for the open reports near a point in the
last hours. With a GiST index on the point alone, PostgreSQL reads every report ever made
near it (a year of them) and throws away all but the last hours: measured on a town county
with 100,000 reports, 1.8 ms per group of eight POSTs, against 0.44 ms with the point and
the time in one index. btree_gist (PostgreSQL's contrib, a trusted extension) gives the
timestamp its GiST operator class. The bounding-box lists use the new index as they used
the old one (the point is its first column).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 17:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from geogrid.errors import DatabaseError

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    bind = op.get_bind()
    if bind.execute(sa.text("select 1 from pg_available_extensions where name = 'btree_gist'")
                    ).first() is None:  # fmt: skip
        raise DatabaseError(
            "the PostgreSQL server has no btree_gist extension, one of its contrib modules: "
            "install them (Debian's postgresql-15 package has them; elsewhere the "
            "postgresql-contrib package of the server's version)"
        )
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_index(
        "idx_reports_geom_reported_at", "reports", ["geom", "reported_at"], unique=False,
        postgresql_using="gist",
    )  # fmt: skip
    op.drop_index("idx_reports_geom", table_name="reports", postgresql_using="gist")


def downgrade() -> None:
    """Revert this revision (the extension stays: other objects may use it)."""
    op.create_index("idx_reports_geom", "reports", ["geom"], unique=False, postgresql_using="gist")
    op.drop_index("idx_reports_geom_reported_at", table_name="reports", postgresql_using="gist")
