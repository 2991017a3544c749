"""The registry's tables (一标三实): standard addresses, the records at them, proposed
changes, each record's versions and the checks (inspections, visits) made of it.

One record table holds the four kinds (housing, residents, organisations, key persons):
their common facts are columns (the address, the category a cycle is set by, the due day),
their own facts a JSONB document. ID numbers are stored encrypted, with a keyed hash for
finding the same person again and a masked form for showing; never in clear.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from geogrid.storage.models import SRID, Base, one_of
from geogrid.vocabulary import (
    ASSIGNMENT_METHODS,
    PROPOSAL_KINDS,
    PROPOSAL_STATUSES,
    RECORD_STATUSES,
    REGISTRY_KINDS,
)


class RegistryAddress(Base):
    """A standard address (标准地址): its parts, stable code, point and the grids it lies in."""

    __tablename__ = "registry_addresses"
    __table_args__ = (
        CheckConstraint(one_of("assignment_method", ASSIGNMENT_METHODS), name="method"),
        Index("ix_registry_addresses_street_house_no", "street", "house_no"),
        # The search's prefix match on the whole address (text_pattern_ops: LIKE 'x%').
        Index("ix_registry_addresses_full_text", "full_text",
              postgresql_ops={"full_text": "text_pattern_ops"}),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    county_code: Mapped[str] = mapped_column(String(6))
    street: Mapped[str] = mapped_column(Text)  # 街路巷 (or the natural village)
    house_no: Mapped[str] = mapped_column(String(16))  # 门牌号
    estate: Mapped[str] = mapped_column(Text, default="")  # 小区
    building: Mapped[str] = mapped_column(String(16), default="")  # 楼栋
    unit_no: Mapped[str] = mapped_column(String(16), default="")  # 单元
    floor: Mapped[str] = mapped_column(String(16), default="")  # 楼层
    room: Mapped[str] = mapped_column(String(16), default="")  # 户/室
    full_text: Mapped[str] = mapped_column(Text)
    geom = mapped_column(Geometry("POINT", srid=SRID, spatial_index=True), nullable=False)
    # Where it lies, by the reports' spatial join, in the version named (kept after a redraw).
    version_id: Mapped[int | None] = mapped_column(Integer)
    unit_code: Mapped[str | None] = mapped_column(String(32), index=True)
    grid_code: Mapped[str | None] = mapped_column(String(32))
    community_code: Mapped[str | None] = mapped_column(String(32), index=True)
    assignment_method: Mapped[str] = mapped_column(String(16), default="unassigned")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class RegistryRecord(Base):
    """A confirmed record: a house, resident, organisation or key person at an address."""

    __tablename__ = "registry_records"
    __table_args__ = (
        CheckConstraint(one_of("kind", REGISTRY_KINDS), name="kind"),
        CheckConstraint(one_of("status", RECORD_STATUSES), name="status"),
        Index("ix_registry_records_kind_due_on", "kind", "due_on"),
        # A person lives at one address at a time: one current record per kind and ID number.
        Index("ix_registry_records_kind_id_hash", "kind", "id_number_hash", unique=True,
              postgresql_where=sql_text("status = 'current' and id_number_hash is not null")),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    address_id: Mapped[int] = mapped_column(ForeignKey("registry_addresses.id"), index=True)
    category: Mapped[str] = mapped_column(String(32), default="")  # what sets the cycle
    data: Mapped[dict] = mapped_column(JSONB, default=dict)
    id_number_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    id_number_hash: Mapped[str | None] = mapped_column(String(64))
    id_number_mask: Mapped[str | None] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(8), default="current")
    started_on: Mapped[date] = mapped_column(Date)  # arrival, registration
    ended_on: Mapped[date | None] = mapped_column(Date)  # departure, closing
    last_checked_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)  # next inspection or visit
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_by: Mapped[str] = mapped_column(Text, default="")


class RegistryProposal(Base):
    """A change proposed by grid staff; it becomes the record only once confirmed (核实).

    A basic-information report is one too (kind `report`, with the report's id): it has no
    address or facts until the confirming officer completes it, so its unit is kept here.
    """

    __tablename__ = "registry_proposals"
    __table_args__ = (
        CheckConstraint(one_of("kind", PROPOSAL_KINDS), name="kind"),
        CheckConstraint(one_of("status", PROPOSAL_STATUSES), name="status"),
        Index("ix_registry_proposals_pending", "community_code",
              postgresql_where=sql_text("status = 'pending'")),
        Index("ux_registry_proposals_request", "proposed_by", "client_request_id", unique=True,
              postgresql_where=sql_text("client_request_id is not null")),
        Index("ux_registry_proposals_report_id", "report_id", unique=True,
              postgresql_where=sql_text("report_id is not null")),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[int | None] = mapped_column(ForeignKey("registry_records.id"))
    address_id: Mapped[int | None] = mapped_column(ForeignKey("registry_addresses.id"))
    community_code: Mapped[str | None] = mapped_column(String(32))
    unit_code: Mapped[str | None] = mapped_column(String(32))  # where it lies without an address
    report_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))  # the report it was
    change: Mapped[dict] = mapped_column(JSONB)
    id_number_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    id_number_hash: Mapped[str | None] = mapped_column(String(64))
    id_number_mask: Mapped[str | None] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    proposed_by: Mapped[str] = mapped_column(Text)
    proposed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    source: Mapped[str] = mapped_column(String(64), default="")  # api, import, report:<id>
    client_request_id: Mapped[str | None] = mapped_column(String(64))  # a phone's retry: one row
    decided_by: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text, default="")


class RegistryVersion(Base):
    """One confirmed change of a record: who, when, and the record before and after."""

    __tablename__ = "registry_versions"
    __table_args__ = (UniqueConstraint("record_id", "revision"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("registry_records.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor: Mapped[str] = mapped_column(Text)
    proposal_id: Mapped[int | None] = mapped_column(BigInteger)
    before: Mapped[dict | None] = mapped_column(JSONB)
    after: Mapped[dict] = mapped_column(JSONB)


class RegistryCheck(Base):
    """An inspection of a rental or organisation, or a visit to a key person, on a day."""

    __tablename__ = "registry_checks"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("registry_records.id"), index=True)
    checked_on: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
