"""The assistants' team: selection, leave and its cover on duty, rewards and sanctions,
training, meetings, requests to the station, and the monthly assessment once confirmed.

On the same Base as every table (see storage/metadata.py). Money is NUMERIC (yuan, fen
exact), never a float.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from geogrid.storage.models import Base, one_of
from geogrid.vocabulary import (
    LEAVE_STATUSES,
    REVIEW_STAGE,
    SELECTION_OUTCOMES,
    SELECTION_STAGES,
    STAFF_ROLES,
    TEAM_ACTIONS,
    TRAINING_SCOPES,
)


def _person() -> Mapped[int]:
    return mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)


class SelectionStep(Base):
    """One stage of a person's selection (选任) or a re-review, as decided."""

    __tablename__ = "selection_steps"
    __table_args__ = (
        CheckConstraint(one_of("stage", (*SELECTION_STAGES, REVIEW_STAGE)), name="stage"),
        CheckConstraint(one_of("outcome", SELECTION_OUTCOMES), name="outcome"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = _person()
    stage: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(8))
    decided_on: Mapped[date] = mapped_column(Date)
    decided_by: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The station inspection's five aspects (vocabulary.REVIEW_ASPECTS) -> its finding.
    aspects: Mapped[dict | None] = mapped_column(JSONB)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                  server_default=func.now())  # fmt: skip


class LeaveRequest(Base):
    """A request for leave (请假) with its days, decided by the station; return (销假) ends it."""

    __tablename__ = "leave_requests"
    __table_args__ = (
        CheckConstraint(one_of("status", LEAVE_STATUSES), name="status"),
        CheckConstraint("last_day >= first_day", name="period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = _person()
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="requested",
                                        server_default="requested")  # fmt: skip
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    decided_by: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    returned_on: Mapped[date | None] = mapped_column(Date)


class DutyCover(Base):
    """Who stands in for a person on leave on one of their grids, from first to last day
    (both included): storage/duty.py puts the cover on duty instead."""

    __tablename__ = "duty_covers"
    __table_args__ = (
        CheckConstraint(one_of("role", STAFF_ROLES), name="role"),
        CheckConstraint("last_day >= first_day", name="period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    leave_id: Mapped[int] = mapped_column(ForeignKey("leave_requests.id", ondelete="CASCADE"),
                                          index=True)  # fmt: skip
    grid_code: Mapped[str] = mapped_column(String(32), index=True)
    role: Mapped[str] = mapped_column(String(32))
    absent_person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    cover_person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)


class TeamAction(Base):
    """A reward or sanction: 一案一奖/一事一奖 (linked to the report that earned it),
    commendation, warning, or dismissal (调整辞退), with its day, reason and amount."""

    __tablename__ = "team_actions"
    __table_args__ = (CheckConstraint(one_of("kind", TEAM_ACTIONS), name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = _person()
    kind: Mapped[str] = mapped_column(String(16))
    on_day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    # Yuan: added to the month's subsidy for a reward, taken off for a warning.
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=0, server_default="0")
    report_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("reports.id", ondelete="SET NULL")
    )
    decided_by: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                  server_default=func.now())  # fmt: skip


class TrainingSession(Base):
    """A training session, county-wide or of one station, with its hours."""

    __tablename__ = "training_sessions"
    __table_args__ = (CheckConstraint(one_of("scope", TRAINING_SCOPES), name="scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    held_on: Mapped[date] = mapped_column(Date)
    topic: Mapped[str] = mapped_column(Text)
    trainer: Mapped[str] = mapped_column(Text)
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    scope: Mapped[str] = mapped_column(String(16))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))


class TrainingAttendance(Base):
    """A person present at a training session."""

    __tablename__ = "training_attendance"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           primary_key=True, index=True)  # fmt: skip


class Meeting(Base):
    """A station's regular meeting (例会)."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    held_on: Mapped[date] = mapped_column(Date)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    topic: Mapped[str] = mapped_column(Text)


class MeetingAttendance(Base):
    """Whether a person expected at a meeting was there."""

    __tablename__ = "meeting_attendance"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"),
                                            primary_key=True)  # fmt: skip
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           primary_key=True, index=True)  # fmt: skip
    present: Mapped[bool] = mapped_column(Boolean)


class StationRequest(Base):
    """A request or report to the station (请示报告) and the station's reply."""

    __tablename__ = "station_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = _person()
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    reply: Mapped[str | None] = mapped_column(Text)
    replied_by: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AssessmentConfirmation(Base):
    """A station head's confirmation of a month's assessment: from then on it is locked."""

    __tablename__ = "assessment_confirmations"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM, China time
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"), primary_key=True)
    confirmed_by: Mapped[str] = mapped_column(Text)
    confirmed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                   server_default=func.now())  # fmt: skip


class AssessmentLine(Base):
    """One assistant's confirmed month: the metrics as gathered, the score and the amount."""

    __tablename__ = "assessment_lines"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           primary_key=True)  # fmt: skip
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"), index=True)
    town: Mapped[str] = mapped_column(String(9))  # the 9-digit town (镇街) code of the grid
    score: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    metrics: Mapped[dict] = mapped_column(JSONB)


class AssessmentAppeal(Base):
    """An assistant's appeal against a month's assessment, and its decision."""

    __tablename__ = "assessment_appeals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    person_id: Mapped[int] = _person()
    reason: Mapped[str] = mapped_column(Text)
    filed_by: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    decision: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
