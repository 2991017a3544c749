"""Sign-in sessions: a browser's console session or a phone's device session, each standing
for an API user until it expires, is closed, or is revoked. On the same Base as every table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from geogrid.storage.models import Base, one_of
from geogrid.vocabulary import SESSION_KINDS


class WebSession(Base):
    """One signed-in console or device; only a SHA-256 of its secret is stored."""

    __tablename__ = "web_sessions"
    __table_args__ = (CheckConstraint(one_of("kind", SESSION_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("api_users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The console's forms and scripts send it back; a device session has none.
    csrf_token: Mapped[str | None] = mapped_column(String(64))
    device_name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_seen_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
