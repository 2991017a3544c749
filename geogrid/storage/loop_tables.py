"""The case loop's own table: extension requests (延期), asked by a handler, decided once."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column

from geogrid.storage.models import Base, one_of
from geogrid.vocabulary import EXTENSION_STATUSES


class ReportExtension(Base):
    """An extension of a case's deadline, asked with a reason; at most one pending per case."""

    __tablename__ = "report_extensions"
    __table_args__ = (
        CheckConstraint(one_of("status", EXTENSION_STATUSES), name="status"),
        Index("ix_report_extensions_pending", "report_id", unique=True,
              postgresql_where=sql_text("status = 'pending'")),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    asked_by: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    decided_by: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
