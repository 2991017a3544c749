"""team: selection, leave and cover on duty, rewards and sanctions, training, meetings,
requests to the station, and the confirmed monthly assessment (issue 20)

Only a person who passed every stage of selection (选任) may now be put on a grid as an
assistant. People already in the register when this runs keep what they hold: every grid
leader and information officer who is vetted ('passed') or holds an assignment gets a
recorded "filed" history, each of the five stages passed on the day of their first
assignment (or today), decided by the register, so nothing already staffed breaks. Those
still pending or failed get none and must go through the stages.

Downgrade drops the tables and with them every record they hold.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "selection_steps",
    "leave_requests",
    "duty_covers",
    "team_actions",
    "training_sessions",
    "training_attendance",
    "meetings",
    "meeting_attendance",
    "station_requests",
    "assessment_confirmations",
    "assessment_lines",
    "assessment_appeals",
)
STAGES = ("nomination", "station_inspection", "town_confirmation", "medical_check",
          "bureau_filing")  # fmt: skip
FILED_BY = "登记册 (register, before selection records)"
FILED_NOTE = "已备案: filed before geogrid kept selection records (migration 0013)"


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "selection_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=8), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("aspects", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "outcome in ('passed', 'failed')", name=op.f("ck_selection_steps_outcome")
        ),
        sa.CheckConstraint(
            "stage in ('nomination', 'station_inspection', 'town_confirmation', 'medical_check', 'bureau_filing', 're_review')",
            name=op.f("ck_selection_steps_stage"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_selection_steps_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selection_steps")),
    )
    op.create_index(
        op.f("ix_selection_steps_person_id"), "selection_steps", ["person_id"], unique=False
    )
    op.create_table(
        "leave_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="requested", nullable=False),
        sa.Column(
            "asked_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("decided_by", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("returned_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "status in ('requested', 'approved', 'refused', 'returned')",
            name=op.f("ck_leave_requests_status"),
        ),
        sa.CheckConstraint("last_day >= first_day", name=op.f("ck_leave_requests_period")),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_leave_requests_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leave_requests")),
    )
    op.create_index(
        op.f("ix_leave_requests_person_id"), "leave_requests", ["person_id"], unique=False
    )
    op.create_table(
        "duty_covers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("leave_id", sa.Integer(), nullable=False),
        sa.Column("grid_code", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("absent_person_id", sa.Integer(), nullable=False),
        sa.Column("cover_person_id", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "role in ('grid_leader', 'information_officer', 'community_police')",
            name=op.f("ck_duty_covers_role"),
        ),
        sa.CheckConstraint("last_day >= first_day", name=op.f("ck_duty_covers_period")),
        sa.ForeignKeyConstraint(
            ["absent_person_id"],
            ["people.id"],
            name=op.f("fk_duty_covers_absent_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["cover_person_id"],
            ["people.id"],
            name=op.f("fk_duty_covers_cover_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["leave_id"],
            ["leave_requests.id"],
            name=op.f("fk_duty_covers_leave_id_leave_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_covers")),
    )
    op.create_index(op.f("ix_duty_covers_leave_id"), "duty_covers", ["leave_id"], unique=False)
    op.create_index(op.f("ix_duty_covers_grid_code"), "duty_covers", ["grid_code"], unique=False)
    op.create_table(
        "team_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("on_day", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=10, scale=2), server_default="0", nullable=False),
        sa.Column("report_id", sa.UUID(), nullable=True),
        sa.Column("decided_by", sa.Text(), nullable=False),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind in ('case_reward', 'deed_reward', 'commendation', 'warning', 'dismissal')",
            name=op.f("ck_team_actions_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_team_actions_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_team_actions_report_id_reports"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_actions")),
    )
    op.create_index(op.f("ix_team_actions_person_id"), "team_actions", ["person_id"], unique=False)
    op.create_table(
        "training_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("trainer", sa.Text(), nullable=False),
        sa.Column("hours", sa.Numeric(precision=5, scale=1), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "scope in ('county', 'station')", name=op.f("ck_training_sessions_scope")
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f("fk_training_sessions_station_id_stations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_sessions")),
    )
    op.create_table(
        "training_attendance",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_training_attendance_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_sessions.id"],
            name=op.f("fk_training_attendance_session_id_training_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "person_id", name=op.f("pk_training_attendance")),
    )
    op.create_index(
        op.f("ix_training_attendance_person_id"), "training_attendance", ["person_id"], unique=False
    )
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f("fk_meetings_station_id_stations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    op.create_table(
        "meeting_attendance",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_attendance_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_meeting_attendance_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", "person_id", name=op.f("pk_meeting_attendance")),
    )
    op.create_index(
        op.f("ix_meeting_attendance_person_id"), "meeting_attendance", ["person_id"], unique=False
    )
    op.create_table(
        "station_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "asked_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("replied_by", sa.Text(), nullable=True),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_station_requests_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_station_requests")),
    )
    op.create_index(
        op.f("ix_station_requests_person_id"), "station_requests", ["person_id"], unique=False
    )
    op.create_table(
        "assessment_confirmations",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("confirmed_by", sa.Text(), nullable=False),
        sa.Column(
            "confirmed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_assessment_confirmations_station_id_stations"),
        ),
        sa.PrimaryKeyConstraint("month", "station_id", name=op.f("pk_assessment_confirmations")),
    )
    op.create_table(
        "assessment_lines",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("town", sa.String(length=9), nullable=False),
        sa.Column("score", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("amount", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("metrics", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_assessment_lines_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f("fk_assessment_lines_station_id_stations")
        ),
        sa.PrimaryKeyConstraint("month", "person_id", name=op.f("pk_assessment_lines")),
    )
    op.create_index(
        op.f("ix_assessment_lines_station_id"), "assessment_lines", ["station_id"], unique=False
    )
    op.create_table(
        "assessment_appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("filed_by", sa.Text(), nullable=False),
        sa.Column(
            "filed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("decision", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_assessment_appeals_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_appeals")),
    )
    op.create_index(
        op.f("ix_assessment_appeals_person_id"), "assessment_appeals", ["person_id"], unique=False
    )

    _file_existing_people()


def _file_existing_people() -> None:
    """The five stages, passed, for every assistant vetted or on a grid already."""
    op.get_bind().execute(
        sa.text(
            "insert into selection_steps (person_id, stage, outcome, decided_on, decided_by, note)"
            " select p.id, s.stage, 'passed',"
            " coalesce((select min(a.valid_from) from grid_assignments a where a.person_id = p.id),"
            " current_date), :by, :note"
            " from people p cross join unnest(cast(:stages as text[])) as s(stage)"
            " where p.roles && array['grid_leader', 'information_officer']::varchar[]"
            " and (p.vetting_status = 'passed'"
            " or exists (select 1 from grid_assignments a where a.person_id = p.id))"
        ),
        {"by": FILED_BY, "note": FILED_NOTE, "stages": list(STAGES)},
    )


def downgrade() -> None:
    """Revert this revision."""
    for table in reversed(TABLES):
        op.drop_table(table)
