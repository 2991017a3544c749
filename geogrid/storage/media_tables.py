"""The evidence photos' tables: a photo's facts (its bytes live in the media store) and its
links to the steps of reports. On the same Base as every table (see storage/metadata.py)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    Double,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from geogrid.storage.models import Base


class Photo(Base):
    """An evidence photo's facts; its bytes live in the media store under the same id."""

    __tablename__ = "photos"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 hex of the bytes
    mime: Mapped[str] = mapped_column(String(32))
    bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    exif_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    exif_lon: Mapped[float | None] = mapped_column(Double)
    exif_lat: Mapped[float | None] = mapped_column(Double)
    uploaded_by: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ReportPhoto(Base):
    """A photo as evidence of one step of a report, with why it was flagged (if it was)."""

    __tablename__ = "report_photos"
    __table_args__ = (UniqueConstraint("report_id", "photo_id", "step"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    report_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), index=True
    )
    photo_id: Mapped[str] = mapped_column(ForeignKey("photos.id"), index=True)
    step: Mapped[str] = mapped_column(String(16), default="report", server_default="report")
    event_id: Mapped[int | None] = mapped_column(BigInteger)
    flag: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
