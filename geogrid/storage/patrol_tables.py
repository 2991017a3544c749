"""The field staff's own records (issue 18): daily work logs, patrols with their track
points and the batches they came in, and check-ins at places. On the same Base as every
table (see storage/metadata.py).

Each row is written by the person themselves (grid staff) and keeps the grid codes the
person held that day (`grid_codes`), so a station sees the rows of its jurisdiction
without asking who was on duty again. Track points are the one table here that grows by
millions: no foreign key and no spatial index on it (the coverage reads the patrols'
tracks, built from the points), so a batch of 10,000 goes in with one INSERT.
"""

from __future__ import annotations

from datetime import date, datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from geogrid.storage.models import SRID, Base


class WorkLog(Base):
    """One person's work log (工作日志) of one China day; edits replace it."""

    __tablename__ = "work_logs"
    __table_args__ = (UniqueConstraint("person_id", "day"), Index("ix_work_logs_day", "day"))

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    day: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text, default="")
    photo_ids: Mapped[list[str]] = mapped_column(ARRAY(String(64)), default=list,
                                                 server_default="{}")  # fmt: skip
    places: Mapped[list] = mapped_column(JSONB, default=list, server_default="[]")
    grid_codes: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list,
                                                  server_default="{}")  # fmt: skip
    # Every client request id applied to this log: a resent edit changes nothing.
    request_ids: Mapped[list[str]] = mapped_column(ARRAY(String(128)), default=list,
                                                   server_default="{}")  # fmt: skip
    edited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the phone's clock
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Patrol(Base):
    """A patrol (巡查) started and stopped on a phone; its track is built from its points."""

    __tablename__ = "patrols"
    __table_args__ = (
        UniqueConstraint("person_id", "client_id"),
        Index("ix_patrols_started_at", "started_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    client_id: Mapped[str] = mapped_column(String(128))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    stopped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    grid_codes: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list,
                                                  server_default="{}")  # fmt: skip
    points: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The walked lines (gaps in time or jumps split them), built when the patrol stops and
    # again when points arrive after that; null while it runs.
    track = mapped_column(Geometry("MULTILINESTRING", srid=SRID, spatial_index=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PatrolBatch(Base):
    """A batch of track points as the phone sent it: a resent batch id stores nothing."""

    __tablename__ = "patrol_batches"
    __table_args__ = (UniqueConstraint("patrol_id", "client_batch_id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    patrol_id: Mapped[int] = mapped_column(ForeignKey("patrols.id", ondelete="CASCADE"))
    client_batch_id: Mapped[str] = mapped_column(String(128))
    stored: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class PatrolPoint(Base):
    """One track point: when, where (WGS-84) and how accurate the phone said it was."""

    __tablename__ = "patrol_points"
    # One point per patrol and moment: a point resent in another batch is stored once.
    __table_args__ = (UniqueConstraint("patrol_id", "at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    patrol_id: Mapped[int] = mapped_column(BigInteger)  # checked by the use case (see above)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    geom = mapped_column(Geometry("POINT", srid=SRID, spatial_index=False), nullable=False)
    accuracy_m: Mapped[float | None] = mapped_column(Double)


class CheckIn(Base):
    """A check-in (签到) at a place with photos, placed in a unit as reports are."""

    __tablename__ = "check_ins"
    __table_args__ = (
        UniqueConstraint("person_id", "client_request_id"),
        Index("ix_check_ins_at", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    client_request_id: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    geom = mapped_column(Geometry("POINT", srid=SRID, spatial_index=False), nullable=False)
    accuracy_m: Mapped[float | None] = mapped_column(Double)
    place: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    photo_ids: Mapped[list[str]] = mapped_column(ARRAY(String(64)), default=list,
                                                 server_default="{}")  # fmt: skip
    version_id: Mapped[int | None] = mapped_column(Integer)
    unit_code: Mapped[str | None] = mapped_column(String(32))
    method: Mapped[str] = mapped_column(String(16))  # the assignment method, as for reports
    grid_codes: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list,
                                                  server_default="{}")  # fmt: skip
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
