"""registry: standard addresses, the records at them, proposals, versions and checks

The basic-information registry (一标三实, issue 19): `registry_addresses` (the parts, a
stable code, a point and the grids it lies in), `registry_records` (housing, residents,
organisations, key persons; ID numbers only encrypted, hashed and masked),
`registry_proposals` (grid staff's changes waiting to be confirmed), `registry_versions`
(each confirmed change, before and after) and `registry_checks` (inspections and visits).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 05:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

from geogrid.vocabulary import (
    ASSIGNMENT_METHODS,
    PROPOSAL_STATUSES,
    RECORD_STATUSES,
    REGISTRY_KINDS,
)

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.text("now()")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} in ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    """Apply this revision."""
    _addresses()
    _records()
    _proposals()
    op.create_table(
        "registry_versions",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("proposal_id", sa.BigInteger(), nullable=True),
        sa.Column("before", postgresql.JSONB(), nullable=True),
        sa.Column("after", postgresql.JSONB(), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["registry_records.id"],
                                name=op.f("fk_registry_versions_record_id_registry_records")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_versions")),
        sa.UniqueConstraint("record_id", "revision",
                            name=op.f("uq_registry_versions_record_id_revision")),
    )  # fmt: skip
    op.create_index(op.f("ix_registry_versions_record_id"), "registry_versions", ["record_id"])
    op.create_table(
        "registry_checks",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["registry_records.id"],
                                name=op.f("fk_registry_checks_record_id_registry_records")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_checks")),
    )  # fmt: skip
    op.create_index(op.f("ix_registry_checks_record_id"), "registry_checks", ["record_id"])


def _addresses() -> None:
    op.create_table(
        "registry_addresses",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("street", sa.Text(), nullable=False),
        sa.Column("house_no", sa.String(length=16), nullable=False),
        sa.Column("estate", sa.Text(), nullable=False),
        sa.Column("building", sa.String(length=16), nullable=False),
        sa.Column("unit_no", sa.String(length=16), nullable=False),
        sa.Column("floor", sa.String(length=16), nullable=False),
        sa.Column("room", sa.String(length=16), nullable=False),
        sa.Column("full_text", sa.Text(), nullable=False),
        sa.Column("geom", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("unit_code", sa.String(length=32), nullable=True),
        sa.Column("grid_code", sa.String(length=32), nullable=True),
        sa.Column("community_code", sa.String(length=32), nullable=True),
        sa.Column("assignment_method", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.CheckConstraint(_one_of("assignment_method", ASSIGNMENT_METHODS),
                           name=op.f("ck_registry_addresses_method")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_addresses")),
        sa.UniqueConstraint("code", name=op.f("uq_registry_addresses_code")),
    )  # fmt: skip
    op.create_index("idx_registry_addresses_geom", "registry_addresses", ["geom"],
                    postgresql_using="gist")  # fmt: skip
    op.create_index("ix_registry_addresses_street_house_no", "registry_addresses",
                    ["street", "house_no"])  # fmt: skip
    op.create_index("ix_registry_addresses_full_text", "registry_addresses", ["full_text"],
                    postgresql_ops={"full_text": "text_pattern_ops"})  # fmt: skip
    op.create_index(op.f("ix_registry_addresses_unit_code"), "registry_addresses", ["unit_code"])
    op.create_index(op.f("ix_registry_addresses_community_code"), "registry_addresses",
                    ["community_code"])  # fmt: skip


def _records() -> None:
    op.create_table(
        "registry_records",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("address_id", sa.BigInteger(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("data", postgresql.JSONB(), nullable=False),
        sa.Column("id_number_enc", sa.LargeBinary(), nullable=True),
        sa.Column("id_number_hash", sa.String(length=64), nullable=True),
        sa.Column("id_number_mask", sa.String(length=24), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("last_checked_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.CheckConstraint(_one_of("kind", REGISTRY_KINDS), name=op.f("ck_registry_records_kind")),
        sa.CheckConstraint(_one_of("status", RECORD_STATUSES),
                           name=op.f("ck_registry_records_status")),
        sa.ForeignKeyConstraint(["address_id"], ["registry_addresses.id"],
                                name=op.f("fk_registry_records_address_id_registry_addresses")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_records")),
    )  # fmt: skip
    op.create_index(op.f("ix_registry_records_address_id"), "registry_records", ["address_id"])
    op.create_index("ix_registry_records_kind_due_on", "registry_records", ["kind", "due_on"])
    op.create_index("ix_registry_records_kind_id_hash", "registry_records",
                    ["kind", "id_number_hash"], unique=True,
                    postgresql_where=sa.text("status = 'current' and id_number_hash is not null"))  # fmt: skip


def _proposals() -> None:
    op.create_table(
        "registry_proposals",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=True),
        sa.Column("address_id", sa.BigInteger(), nullable=False),
        sa.Column("community_code", sa.String(length=32), nullable=True),
        sa.Column("change", postgresql.JSONB(), nullable=False),
        sa.Column("id_number_enc", sa.LargeBinary(), nullable=True),
        sa.Column("id_number_hash", sa.String(length=64), nullable=True),
        sa.Column("id_number_mask", sa.String(length=24), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("proposed_by", sa.Text(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint(_one_of("kind", REGISTRY_KINDS),
                           name=op.f("ck_registry_proposals_kind")),
        sa.CheckConstraint(_one_of("status", PROPOSAL_STATUSES),
                           name=op.f("ck_registry_proposals_status")),
        sa.ForeignKeyConstraint(["address_id"], ["registry_addresses.id"],
                                name=op.f("fk_registry_proposals_address_id_registry_addresses")),
        sa.ForeignKeyConstraint(["record_id"], ["registry_records.id"],
                                name=op.f("fk_registry_proposals_record_id_registry_records")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_proposals")),
    )  # fmt: skip
    op.create_index("ix_registry_proposals_pending", "registry_proposals", ["community_code"],
                    postgresql_where=sa.text("status = 'pending'"))  # fmt: skip


def downgrade() -> None:
    """Revert this revision."""
    for table in ("registry_checks", "registry_versions", "registry_proposals",
                  "registry_records", "registry_addresses"):  # fmt: skip
        op.drop_table(table)
