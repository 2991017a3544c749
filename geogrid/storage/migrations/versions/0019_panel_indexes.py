"""panel_indexes: a grid's and a unit's open cases by deadline, a unit's reports by month

The console map's panel lists a grid's open cases due first, counts them and shows the
month's figures of the grid or unit. Reports had an index on the level-2 grid alone and
none on the unit, so a unit's panel read its station's open cases (127 ms at a million
reports) to find its own few. storage/report_grid_indexes.py holds them for the models.
An index made beforehand (CREATE INDEX CONCURRENTLY, so a big table is not locked while it
builds) is kept.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The open statuses as at 0015 (verified awaits the desk's close).
OPEN = ("status in ('received', 'assigned', 'accepted', 'dispatched', 'in_progress', "
        "'resolved', 'rework', 'verified')")  # fmt: skip


def upgrade() -> None:
    """Apply this revision."""
    op.create_index("ix_reports_open_level2_due", "reports", ["level2_id", "due_at"],
                    postgresql_where=sa.text(OPEN), if_not_exists=True)  # fmt: skip
    op.create_index("ix_reports_open_level3_due", "reports", ["level3_id", "due_at"],
                    postgresql_where=sa.text(OPEN), if_not_exists=True)  # fmt: skip
    op.create_index("ix_reports_level3_id_reported_at", "reports", ["level3_id", "reported_at"],
                    if_not_exists=True)  # fmt: skip


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_reports_level3_id_reported_at", table_name="reports")
    op.drop_index("ix_reports_open_level3_due", table_name="reports")
    op.drop_index("ix_reports_open_level2_due", table_name="reports")
