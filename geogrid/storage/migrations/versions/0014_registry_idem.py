"""registry_idem: a client request id on registry proposals, unique per proposer

The phone app's outbox sends a basic-information item as a registry proposal and retries
after a cut; the proposal's `client_request_id`, unique per proposer, makes a repeat
return the proposal already stored instead of filing it twice (as reports do).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 06:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the column and its unique index (only where a client sent one)."""
    op.add_column("registry_proposals", sa.Column("client_request_id", sa.String(64)))
    op.create_index("ux_registry_proposals_request", "registry_proposals",
                    ["proposed_by", "client_request_id"], unique=True,
                    postgresql_where=sa.text("client_request_id is not null"))  # fmt: skip


def downgrade() -> None:
    """Drop them."""
    op.drop_index("ux_registry_proposals_request", table_name="registry_proposals")
    op.drop_column("registry_proposals", "client_request_id")
