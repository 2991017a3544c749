"""Stored monthly figures: a month's computed table (the assessment's rows, the team's
lines) per kind and scope, with the time it was computed, so that the console's month pages
read it instead of working a month of reports and their trails out on every view."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from geogrid.storage.models import Base, one_of
from geogrid.vocabulary import FIGURES_KINDS


class MonthFigures(Base):
    """One month's computed rows of a kind (vocabulary.FIGURES_KINDS) for a scope ('county'
    or a station's code), as JSON, and when they were computed."""

    __tablename__ = "month_figures"
    __table_args__ = (CheckConstraint(one_of("kind", FIGURES_KINDS), name="kind"),)

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    scope: Mapped[str] = mapped_column(String(32), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    rows: Mapped[list] = mapped_column(JSONB)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
