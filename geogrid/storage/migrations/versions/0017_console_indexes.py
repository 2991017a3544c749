"""console_indexes: a station's open cases by deadline, for the console's case list

The console's list shows a desk's open cases soonest deadline first, 50 a page. Without
this index a station's page sorted all its open cases (58,125 of the busiest station's
381,250 reports in bench_kpis' million); with it the first pages are read off the index.
The inbox's index (0010) leads with the supervised flag, so it gives that order only per
flag, not across both.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The open statuses as at 0015 (verified awaits the desk's close).
OPEN = ("status in ('received', 'assigned', 'accepted', 'dispatched', 'in_progress', "
        "'resolved', 'rework', 'verified')")  # fmt: skip


def upgrade() -> None:
    """Apply this revision."""
    op.create_index("ix_reports_open_station_due", "reports", ["station_id", "due_at", "id"],
                    postgresql_where=sa.text(OPEN))  # fmt: skip


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_reports_open_station_due", table_name="reports")
