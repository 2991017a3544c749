"""sessions: signed-in consoles (a cookie) and devices (the assistants' app)

A session stands for an API user: the station console's browser signs in once with the
user's token and then holds a session cookie; a phone signs in once and holds a device
secret. Only SHA-256 digests of the secrets are stored. A session ends when it expires,
when it is closed (sign-out) or revoked (`ended_at`), or when its user is revoked.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    now = sa.text("now()")
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=True),
        sa.Column("device_name", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=now, nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), server_default=now,
                  nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind in ('console', 'device')", name=op.f("ck_web_sessions_kind")),
        sa.ForeignKeyConstraint(["user_id"], ["api_users.id"], ondelete="CASCADE",
                                name=op.f("fk_web_sessions_user_id_api_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_web_sessions_secret_hash")),
    )  # fmt: skip
    op.create_index(op.f("ix_web_sessions_user_id"), "web_sessions", ["user_id"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("web_sessions")
