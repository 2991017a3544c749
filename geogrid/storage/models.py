"""The tables of the store of record (SQLAlchemy 2 declarative models with GeoAlchemy2).

Grid codes follow the Chinese convention of nested division codes (GB/T 2260 county code,
then the 12-digit statistical code of the community, as DB11/T 2157-2023 extends it for grids):

    370782 001 001 001 001
    |      |   |   |   `-- level-3 unit (三级网格) inside its grid,    3 digits -> 18 digits
    |      |   |   `------ level-2 grid (二级网格) inside its community, 3 digits -> 15 digits
    |      |   `---------- community (社区, level 1) inside its town,   3 digits -> 12 digits
    |      `-------------- township or street (镇街),                   3 digits -> 9 digits
    `--------------------- county division code (诸城市 370782),        6 digits

Enumerations are text columns with CHECK constraints rather than PostgreSQL enum types, so a
new value is a one-line migration.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy import (
    text as sql_text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from geogrid.storage.text_grams import STORED as TEXT_GRAMS
from geogrid.vocabulary import (
    API_ROLES,
    ASSIGNMENT_METHODS,
    CATEGORY_KINDS,
    EVENT_KINDS,
    GRID_KINDS,
    HEAT_GROUPS,
    REPORT_STATUSES,
    ROUTES,
    STAFF_ROLES,
    VERSION_STATUSES,
    VETTING_STATUSES,
)

SRID = 4326


def one_of(column: str, values: tuple[str, ...]) -> str:
    """The CHECK condition that `column` holds one of `values` (a vocabulary word list)."""
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} in ({quoted})"


# An open case: every status before "closed" (the loop's OPEN), as the reports' generated
# is_open holds it.
OPEN_SQL = one_of("status", REPORT_STATUSES[: REPORT_STATUSES.index("closed")])

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every geogrid table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class GridVersion(Base):
    """One generation of grids; a redraw makes a new version and old ones stay."""

    __tablename__ = "grid_versions"
    __table_args__ = (CheckConstraint(one_of("status", VERSION_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    validation: Mapped[dict | None] = mapped_column(JSONB)


class Grid(Base):
    """A polygon of one level (1 community, 2 grid, 3 unit) in one version."""

    __tablename__ = "grids"
    __table_args__ = (
        UniqueConstraint("version_id", "code"),
        CheckConstraint("level between 1 and 3", name="level"),
        CheckConstraint(one_of("kind", GRID_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("grid_versions.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[int] = mapped_column(SmallInteger)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=SRID, spatial_index=True), nullable=False)
    area_m2: Mapped[float] = mapped_column(Double)
    households: Mapped[int] = mapped_column(Integer, default=0)


class Department(Base):
    """A responsible department (责任单位) that non-security reports are routed to."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(32), default="")


class Station(Base):
    """A police station (派出所); its jurisdiction is a set of whole communities."""

    __tablename__ = "stations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(Text)
    phone: Mapped[str] = mapped_column(String(32), default="")
    location = mapped_column(Geometry("POINT", srid=SRID, spatial_index=True))


class StationCommunity(Base):
    """One community (by its stable 12-digit code) in a station's jurisdiction."""

    __tablename__ = "station_communities"

    community_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    station_id: Mapped[int] = mapped_column(
        ForeignKey("stations.id", ondelete="CASCADE"), index=True
    )


class ReportCategory(Base):
    """A kind of report: basic information or dynamic information, security or not."""

    __tablename__ = "report_categories"
    __table_args__ = (
        CheckConstraint(one_of("kind", CATEGORY_KINDS), name="kind"),
        CheckConstraint(one_of("heat_group", HEAT_GROUPS), name="heat_group"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(8))
    is_security: Mapped[bool] = mapped_column(Boolean, default=False)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    # Which heatmap a category feeds (hazards or incidents); none for the others.
    heat_group: Mapped[str | None] = mapped_column(String(16))
    # Details visible to the station and the county only (population, rental housing ...).
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    sort_order: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    # Time limits of the case loop: accept within working hours, handle and verify within
    # working days (README "The case loop").
    accept_hours: Mapped[int] = mapped_column(SmallInteger, default=4, server_default="4")
    handle_days: Mapped[int] = mapped_column(SmallInteger, default=5, server_default="5")
    verify_days: Mapped[int] = mapped_column(SmallInteger, default=2, server_default="2")


class Person(Base):
    """Someone in the register: grid leader, information officer or community police."""

    __tablename__ = "people"
    __table_args__ = (CheckConstraint(one_of("vetting_status", VETTING_STATUSES), name="vet"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_no: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(Text)
    phone: Mapped[str] = mapped_column(String(32), default="")
    gender: Mapped[str] = mapped_column(String(8), default="")
    age: Mapped[int | None] = mapped_column(SmallInteger)
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    vetting_status: Mapped[str] = mapped_column(String(16), default="pending")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    community_code: Mapped[str | None] = mapped_column(String(32))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))


class GridAssignment(Base):
    """A person responsible for a grid (by stable code) in a role, for a period."""

    __tablename__ = "grid_assignments"
    __table_args__ = (
        CheckConstraint(one_of("role", STAFF_ROLES), name="role"),
        CheckConstraint("valid_to is null or valid_to >= valid_from", name="period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    grid_code: Mapped[str] = mapped_column(String(32), index=True)
    role: Mapped[str] = mapped_column(String(32))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)


class Report(Base):
    """An incoming geotagged report, as received and as assigned and routed.

    Reports are the one table that grows by millions, written in bulk with COPY. Its
    references to grids, people, stations and departments are plain ids checked by the
    intake, which reads them from the same database, rather than foreign keys: per-row FK
    triggers cut COPY to a fraction of its speed (measured: bench/bench_ingest.py), and grid
    versions and people are never deleted, only retired. Indexes are the ones the API and
    maps filter by.
    """

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint(one_of("status", REPORT_STATUSES), name="status"),
        CheckConstraint(one_of("assignment_method", ASSIGNMENT_METHODS), name="method"),
        CheckConstraint(one_of("route", ROUTES), name="route"),
        # Reports arrive in time order, so a BRIN index finds time ranges for a fraction of
        # a B-tree's upkeep on every insert.
        Index("ix_reports_reported_at", "reported_at", postgresql_using="brin"),
        Index("ix_reports_station_id_reported_at", "station_id", "reported_at"),
        Index("ix_reports_department_id_reported_at", "department_id", "reported_at"),
        Index("ix_reports_triage", "reported_at", postgresql_where=sql_text("route = 'triage'")),
        Index("ix_reports_duplicate_of", "duplicate_of",
              postgresql_where=sql_text("duplicate_of is not null")),
        # Where and when together (btree_gist gives timestamps a GiST operator class): the
        # duplicate search asks for the reports near a point in the last hours, which a
        # GiST on the point alone answers by reading every report ever made near it. Also
        # serves the bounding-box lists, as the point index did.
        Index("idx_reports_geom_reported_at", "geom", "reported_at", postgresql_using="gist"),
        # The inboxes sort open cases by deadline and find a handler's cases.
        Index("ix_reports_open_due", "due_at", postgresql_where=sql_text("is_open")),
        # A station's inbox in its own order (supervised first, then by deadline), so the
        # first hundred are read off the index rather than sorted (migration 0010).
        Index("ix_reports_open_station_inbox", "station_id", sql_text("(supervised_at is null)"),
              "due_at", "id", postgresql_where=sql_text("is_open")),
        # The console's case list: a station's open cases by deadline across the supervised
        # flag (migration 0017).
        Index("ix_reports_open_station_due", "station_id", "due_at", "id",
              postgresql_where=sql_text("is_open")),
        # The case list's text search: reports holding a search's character pairs (0018).
        Index("ix_reports_text_grams", "text_grams", postgresql_using="gin"),
        Index("ix_reports_handler_person_id", "handler_person_id",
              postgresql_where=sql_text("handler_person_id is not null")),
        Index("ix_reports_handler_department_id", "handler_department_id",
              postgresql_where=sql_text("handler_department_id is not null")),
    )  # fmt: skip

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    client_request_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    body_hash: Mapped[str | None] = mapped_column(String(64))
    category_id: Mapped[int] = mapped_column(Integer)
    geom = mapped_column(Geometry("POINT", srid=SRID, spatial_index=False))  # see __table_args__
    received_x: Mapped[float | None] = mapped_column(Double)
    received_y: Mapped[float | None] = mapped_column(Double)
    received_crs: Mapped[str] = mapped_column(String(64), default="EPSG:4326")
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    reporter: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    text_grams: Mapped[list[str] | None] = mapped_column(  # storage/text_grams.py
        ARRAY(Text), Computed(TEXT_GRAMS, persisted=True), deferred=True
    )
    version_id: Mapped[int | None] = mapped_column(Integer)
    level1_id: Mapped[int | None] = mapped_column(BigInteger)
    level2_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    level3_id: Mapped[int | None] = mapped_column(BigInteger)
    leader_id: Mapped[int | None] = mapped_column(Integer)
    officer_id: Mapped[int | None] = mapped_column(Integer)
    # Where the report went: the grid's station (security), a department, or county triage.
    route: Mapped[str] = mapped_column(String(16), default="triage", server_default="triage")
    police_id: Mapped[int | None] = mapped_column(Integer)
    station_id: Mapped[int | None] = mapped_column(Integer)  # the grid's station (jurisdiction)
    department_id: Mapped[int | None] = mapped_column(Integer)
    assignment_method: Mapped[str] = mapped_column(String(16), default="unassigned")
    distance_m: Mapped[float | None] = mapped_column(Double)
    status: Mapped[str] = mapped_column(String(16), default="received")
    # Open: every status before "closed" (migration 0022: the partial indexes' one predicate).
    is_open: Mapped[bool] = mapped_column(Boolean, Computed(OPEN_SQL, persisted=True))
    duplicate_of: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    # The case loop: the deadline of the current stage, who handles and who dispatched.
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    handler_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    handler_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    dispatched_by: Mapped[str | None] = mapped_column(Text)
    dispatcher_role: Mapped[str | None] = mapped_column(String(16))
    rework_count: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    supervised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ReportEvent(Base):
    """One entry in a report's audit trail: a status change, note or instruction."""

    __tablename__ = "report_events"
    __table_args__ = (
        CheckConstraint(one_of("kind", EVENT_KINDS), name="kind"),
        Index("ix_report_events_report_id_step", "report_id", "step",
              postgresql_where=sql_text("step is not null")),
        # The monthly statistics' per-report read of the trail, index-only (migration 0010).
        Index("ix_report_events_trail", "report_id",
              postgresql_include=["step", "to_status", "at", "due_before"],
              postgresql_where=sql_text("step is not null or to_status is not null")),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    report_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    step: Mapped[str | None] = mapped_column(String(16))  # the loop step (vocabulary.LOOP_STEPS)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # deadline it set
    # the deadline in force when the step was taken: the KPIs' "within the limit"
    due_before: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    photo_ids: Mapped[list[str]] = mapped_column(ARRAY(String(64)), default=list,
                                                 server_default="{}")  # fmt: skip


class GridInstruction(Base):
    """A station's standing instruction to the assistants of a grid (by stable code)."""

    __tablename__ = "grid_instructions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grid_code: Mapped[str] = mapped_column(String(32), index=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)


class ApiUser(Base):
    """A holder of an API token: its role and, for scoped roles, its station/department/person.

    Only a SHA-256 of the token is stored; the token itself is shown once, when made.
    """

    __tablename__ = "api_users"
    __table_args__ = (CheckConstraint(one_of("role", API_ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")


class AuditEntry(Base):
    """A read of sensitive data or a change, by whom and when (append-only)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )
    user_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict | None] = mapped_column(JSONB)
