"""open_column: whether a report is an open case, as a generated column the partial indexes
on open cases are made on

Five partial indexes hold the open cases (`status in (...)`, eight statuses). For every
read of open cases PostgreSQL proved its own `status in (...)` against each of them: 0.24
ms of planning for a plain read of a station's open cases whose execution took 0.04, and
a case list page refers to the open cases three or four times. A stored generated
`is_open` (every writer, COPY included, fills it unawares) with the indexes made on
`where is_open` takes 0.05 ms to plan (the reads say `is_open` themselves). The grid's and
the unit's open-case indexes also carry the station (a station's count of a grid's open
cases off the index alone). Adding the column rewrites the table once (45 s on a million
reports), and storage/schema.py vacuums it after.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 16:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The open statuses as at 0015 (verified awaits the desk's close).
OPEN = ("status in ('received', 'assigned', 'accepted', 'dispatched', 'in_progress', "
        "'resolved', 'rework', 'verified')")  # fmt: skip
# The open cases' partial indexes: name, columns (0010, 0015, 0017, 0019).
INDEXES = (
    ("ix_reports_open_due", ["due_at"]),
    ("ix_reports_open_station_inbox", ["station_id", sa.text("(supervised_at is null)"), "due_at",
                                       "id"]),
    ("ix_reports_open_station_due", ["station_id", "due_at", "id"]),
    ("ix_reports_open_level2_due", ["level2_id", "due_at"]),
    ("ix_reports_open_level3_due", ["level3_id", "due_at"]),
)  # fmt: skip
# A grid's and a unit's open cases carry their station: a station's count of a grid's open
# cases is read off the index alone (0.5 ms against 3.9 for the busiest station's grid).
WITH_STATION = ("ix_reports_open_level2_due", "ix_reports_open_level3_due")


def _indexes(where: str, *, with_station: bool) -> None:
    for name, columns in INDEXES:
        op.drop_index(name, table_name="reports", if_exists=True)
        included = ["station_id"] if with_station and name in WITH_STATION else []
        op.create_index(name, "reports", columns, postgresql_where=sa.text(where),
                        postgresql_include=included)  # fmt: skip


def upgrade() -> None:
    """Apply this revision."""
    op.add_column("reports", sa.Column("is_open", sa.Boolean(),
                                       sa.Computed(OPEN, persisted=True), nullable=True))  # fmt: skip
    _indexes("is_open", with_station=True)
    # storage/schema.py vacuums the rewritten table afterwards (its visibility map is empty)


def downgrade() -> None:
    """Revert this revision."""
    _indexes(OPEN, with_station=False)
    op.drop_column("reports", "is_open")
