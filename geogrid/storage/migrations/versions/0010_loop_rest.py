"""loop rest: indexes for the monthly statistics and a station's inbox; stored deadlines

The monthly figures and KPIs read, for each of a month's reports, what its trail says
(reports/kpis.py `trail_of`: which steps, late or not, the first resolved and closed). With
the step, status, time and deadline in the index beside the report id, each report's look-up
is an index-only scan instead of a visit to every event row (bench/bench_kpis.py). Notes and
instructions (no step, no status) are left out of it.

A station's inbox lists its open cases supervised first, then by deadline: an index in that
order lets it read the first hundred instead of sorting every open case. For that every
open case keeps its deadline in the row: the intake now stores the acceptance deadline of a
new report, and reports received before it that wait for acceptance get theirs here, in
calendar hours from receipt (as 0006 did for the open cases then; an urgent one half).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRAIL = "step is not null or to_status is not null"
OPEN = ("status in ('received', 'assigned', 'accepted', 'dispatched', 'in_progress', "
        "'resolved', 'rework')")  # fmt: skip
BACKFILL = """
update reports r set due_at = r.received_at + make_interval(hours => case when r.urgent
    then ceil(c.accept_hours * 0.5)::int else c.accept_hours end)
from report_categories c
where c.id = r.category_id and r.due_at is null and r.status in ('received', 'assigned')"""


def upgrade() -> None:
    """Apply this revision."""
    op.create_index("ix_report_events_trail", "report_events", ["report_id"],
                    postgresql_include=["step", "to_status", "at", "due_before"],
                    postgresql_where=sa.text(TRAIL))  # fmt: skip
    op.execute(BACKFILL)
    op.create_index("ix_reports_open_station_inbox", "reports",
                    ["station_id", sa.text("(supervised_at is null)"), "due_at", "id"],
                    postgresql_where=sa.text(OPEN))  # fmt: skip


def downgrade() -> None:
    """Revert this revision (the stored deadlines stay: 0008 reads them as before)."""
    op.drop_index("ix_reports_open_station_inbox", table_name="reports")
    op.drop_index("ix_report_events_trail", table_name="report_events")
