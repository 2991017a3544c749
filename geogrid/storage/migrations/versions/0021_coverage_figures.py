"""month_figures: the console map's patrol coverage per unit is a kind of stored figures too

The coverage layer's figures (every unit's share of its area within reach of the month's
patrol tracks) were computed in PostGIS on every view of /console/map/coverage.json (tracks
buffered, unioned and intersected: 20 ms on a county with few patrols, seconds with many).
They are stored as the kind 'coverage' beside the assessment's and the team's
(usecases/month_figures.py); this widens the kind's check.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _kinds(kinds: tuple[str, ...]) -> None:
    op.drop_constraint(op.f("ck_month_figures_kind"), "month_figures", type_="check")
    op.create_check_constraint(op.f("ck_month_figures_kind"), "month_figures",
                               f"kind in ({', '.join(repr(k) for k in kinds)})")  # fmt: skip


def upgrade() -> None:
    """Apply this revision."""
    _kinds(("assessment", "team", "coverage"))


def downgrade() -> None:
    """Revert this revision."""
    # The stored coverage is a cache of what the tracks give: computed again on the next view.
    op.execute(sa.text("delete from month_figures where kind = 'coverage'"))
    _kinds(("assessment", "team"))
