"""media: evidence photos (their facts; the bytes live in the media store) and their links

`photos` is keyed by the SHA-256 of a photo's bytes, so a retried upload finds its row;
`report_photos` links a photo to one step of a report (the report itself, handled,
verified), unique per report, photo and step, with why the photo was flagged if it was
(taken far from the report's point or long before it).

Revision ID: 0007
Revises: 0006 (the lead re-chains it after 0006 at merge)
Create Date: 2026-12-07 03:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    now = sa.text("now()")
    op.create_table(
        "photos",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("mime", sa.String(length=32), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("exif_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("exif_lon", sa.Double(), nullable=True),
        sa.Column("exif_lat", sa.Double(), nullable=True),
        sa.Column("uploaded_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=now, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photos")),
    )
    op.create_table(
        "report_photos",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("report_id", sa.UUID(), nullable=False),
        sa.Column("photo_id", sa.String(length=64), nullable=False),
        sa.Column("step", sa.String(length=16), server_default="report", nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=True),
        sa.Column("flag", sa.Text(), nullable=True),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=now, nullable=False),
        sa.ForeignKeyConstraint(["photo_id"], ["photos.id"],
                                name=op.f("fk_report_photos_photo_id_photos")),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], ondelete="CASCADE",
                                name=op.f("fk_report_photos_report_id_reports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_photos")),
        sa.UniqueConstraint("report_id", "photo_id", "step",
                            name=op.f("uq_report_photos_report_id_photo_id_step")),
    )  # fmt: skip
    op.create_index(op.f("ix_report_photos_report_id"), "report_photos", ["report_id"])
    op.create_index(op.f("ix_report_photos_photo_id"), "report_photos", ["photo_id"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("report_photos")
    op.drop_table("photos")
