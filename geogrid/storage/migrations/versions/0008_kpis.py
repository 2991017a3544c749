"""kpis: each loop event keeps the deadline that was in force when its step was taken

`report_events.due_before` is the case's deadline just before the step (for accepting or
refusing: the acceptance limit), written by the loop when the step is taken, so "within the
limit" is one comparison (`at <= due_before`) at every read of the monthly KPIs. Events
from before this revision have none: the KPIs count a step without a known deadline as on
time. An index on (step, report_id) serves the KPIs' per-report look-ups.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 04:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.add_column("report_events", sa.Column("due_before", sa.DateTime(timezone=True),
                                             nullable=True))  # fmt: skip
    op.create_index("ix_report_events_report_id_step", "report_events", ["report_id", "step"],
                    postgresql_where=sa.text("step is not null"))  # fmt: skip


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_report_events_report_id_step", table_name="report_events")
    op.drop_column("report_events", "due_before")
