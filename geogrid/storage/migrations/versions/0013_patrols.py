"""patrols: work logs, patrols with their track points and batches, check-ins (issue 18)

`work_logs` holds one log per person and China day with the client request ids applied to
it; `patrols` one row per patrol (unique per person and client id) with the track built
from its points; `patrol_batches` the batches of points received (unique per patrol and
client batch id, so a resent batch stores nothing); `patrol_points` the points, without a
foreign key or spatial index so that a batch goes in fast; `check_ins` a check-in with its
photos and the unit it fell in.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.text("now()")


def _geometry(kind: str) -> Geometry:
    return Geometry(geometry_type=kind, srid=4326, dimension=2, spatial_index=False,
                    from_text="ST_GeomFromEWKT", name="geometry")  # fmt: skip


def _codes(name: str, length: int = 32) -> sa.Column:
    return sa.Column(name, postgresql.ARRAY(sa.String(length=length)), server_default="{}",
                     nullable=False)  # fmt: skip


def _person(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["person_id"], ["people.id"],
                                   name=op.f(f"fk_{table}_person_id_people"))  # fmt: skip


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "work_logs",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _codes("photo_ids", 64),
        sa.Column("places", postgresql.JSONB(astext_type=sa.Text()), server_default="[]",
                  nullable=False),
        _codes("grid_codes"),
        _codes("request_ids", 128),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        _person("work_logs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_logs")),
        sa.UniqueConstraint("person_id", "day", name=op.f("uq_work_logs_person_id_day")),
    )  # fmt: skip
    op.create_index("ix_work_logs_day", "work_logs", ["day"])
    op.create_geospatial_table(
        "patrols",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=128), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        _codes("grid_codes"),
        sa.Column("points", sa.Integer(), server_default="0", nullable=False),
        sa.Column("track", _geometry("MULTILINESTRING"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        _person("patrols"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrols")),
        sa.UniqueConstraint("person_id", "client_id",
                            name=op.f("uq_patrols_person_id_client_id")),
    )  # fmt: skip
    op.create_geospatial_index("idx_patrols_track", "patrols", ["track"], unique=False,
                               postgresql_using="gist", postgresql_ops={})  # fmt: skip
    op.create_index("ix_patrols_started_at", "patrols", ["started_at"])
    op.create_table(
        "patrol_batches",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("patrol_id", sa.BigInteger(), nullable=False),
        sa.Column("client_batch_id", sa.String(length=128), nullable=False),
        sa.Column("stored", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=NOW,
                  nullable=False),
        sa.ForeignKeyConstraint(["patrol_id"], ["patrols.id"], ondelete="CASCADE",
                                name=op.f("fk_patrol_batches_patrol_id_patrols")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_batches")),
        sa.UniqueConstraint("patrol_id", "client_batch_id",
                            name=op.f("uq_patrol_batches_patrol_id_client_batch_id")),
    )  # fmt: skip
    op.create_geospatial_table(
        "patrol_points",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("patrol_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("geom", _geometry("POINT"), nullable=False),
        sa.Column("accuracy_m", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_points")),
        sa.UniqueConstraint("patrol_id", "at", name=op.f("uq_patrol_points_patrol_id_at")),
    )
    op.create_geospatial_table(
        "check_ins",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("client_request_id", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("geom", _geometry("POINT"), nullable=False),
        sa.Column("accuracy_m", sa.Double(), nullable=True),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        _codes("photo_ids", 64),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("unit_code", sa.String(length=32), nullable=True),
        sa.Column("method", sa.String(length=16), nullable=False),
        _codes("grid_codes"),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        _person("check_ins"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_ins")),
        sa.UniqueConstraint("person_id", "client_request_id",
                            name=op.f("uq_check_ins_person_id_client_request_id")),
    )  # fmt: skip
    op.create_index("ix_check_ins_at", "check_ins", ["at"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_check_ins_at", table_name="check_ins")
    op.drop_geospatial_table("check_ins")
    op.drop_geospatial_table("patrol_points")
    op.drop_table("patrol_batches")
    op.drop_index("ix_patrols_started_at", table_name="patrols")
    op.drop_geospatial_index("idx_patrols_track", table_name="patrols",
                             postgresql_using="gist", column_name="track")  # fmt: skip
    op.drop_geospatial_table("patrols")
    op.drop_index("ix_work_logs_day", table_name="work_logs")
    op.drop_table("work_logs")
