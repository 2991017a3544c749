"""close step: the status `verified` (核查通过，待结案) between a passed verification and 结案

A passed verification no longer closes a case: it waits, verified, for the desk that runs it
to close it (the loop's `close` step, reports/loop.py). The reports' status check gains the
word, and the partial indexes on open cases take it in, so a desk's inbox finds its cases
to close on the same index as the rest of its open cases. Cases closed before this stay
closed (their verification closed them under the old rule).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 08:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_BEFORE = ("received", "assigned", "accepted", "dispatched", "in_progress", "resolved",
               "rework")  # fmt: skip
FINAL = ("closed", "rejected", "duplicate")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} in ({', '.join(repr(v) for v in values)})"


def _statuses(open_statuses: tuple[str, ...]) -> None:
    op.drop_constraint(op.f("ck_reports_status"), "reports", type_="check")
    op.create_check_constraint(op.f("ck_reports_status"), "reports",
                               _in("status", open_statuses + FINAL))  # fmt: skip
    # if_exists: a database whose operator dropped one (to load in bulk, say) still moves on
    op.drop_index("ix_reports_open_station_inbox", table_name="reports", if_exists=True)
    op.drop_index("ix_reports_open_due", table_name="reports", if_exists=True)
    where = sa.text(_in("status", open_statuses))
    op.create_index("ix_reports_open_due", "reports", ["due_at"], postgresql_where=where)
    op.create_index("ix_reports_open_station_inbox", "reports",
                    ["station_id", sa.text("(supervised_at is null)"), "due_at", "id"],
                    postgresql_where=where)  # fmt: skip


def upgrade() -> None:
    """Apply this revision."""
    _statuses((*OPEN_BEFORE, "verified"))


def downgrade() -> None:
    """Revert this revision: a case waiting for its close is closed, as its passed
    verification closed it before this revision."""
    op.execute("update reports set status = 'closed' where status = 'verified'")
    _statuses(OPEN_BEFORE)
