"""month_figures: a month's computed assessment rows and team lines per scope

The console's assessment (675 assistants at the busiest station of bench_kpis' million
reports) and team month pages worked a month of reports and their trails out on every view
(0.5 s and 1.4 s). The figures are stored per kind, scope (the county or a station's code)
and month with the time they were computed; the pages read them and have them recomputed
when older than GEOGRID_FIGURES_MAX_AGE_S (team/month_store.py).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "month_figures",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("rows", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind in ('assessment', 'team')", name=op.f("ck_month_figures_kind")),
        sa.PrimaryKeyConstraint("kind", "scope", "month", name=op.f("pk_month_figures")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("month_figures")
