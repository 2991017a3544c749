"""loop rest: a covering index for the monthly statistics' read of every case's trail

The monthly figures and KPIs read, for each of a month's reports, what its trail says
(reports/kpis.py `trail_of`: which steps, late or not, the first resolved and closed). With
the step, status, time and deadline in the index beside the report id, each report's look-up
is an index-only scan instead of a visit to every event row (bench/bench_kpis.py). Notes and
instructions (no step, no status) are left out of it.

Revision ID: 0014
Revises: 0008
Create Date: 2026-12-07 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRAIL = "step is not null or to_status is not null"


def upgrade() -> None:
    """Apply this revision."""
    op.create_index("ix_report_events_trail", "report_events", ["report_id"],
                    postgresql_include=["step", "to_status", "at", "due_before"],
                    postgresql_where=sa.text(TRAIL))  # fmt: skip


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_report_events_trail", table_name="report_events")
