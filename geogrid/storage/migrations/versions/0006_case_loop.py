"""case loop: deadlines per category, the loop's states and steps, extensions, supervision

The closed case loop (README "The case loop"). New report statuses `accepted` (受理) and
`rework` (返工); the existing words keep their meaning in the loop, so existing reports map
onto it as they stand: received and assigned are 上报 (waiting to be accepted), dispatched,
in_progress, resolved (处置完毕, waiting for verification), closed, rejected (不予受理) and
duplicate are unchanged. Open reports get the deadline of their stage (`due_at`) from the
category's limits counted in calendar hours and days from when the stage began (the
migration has no holiday calendar: those deadlines are a little early; every step after it
counts working time). Each category gets time limits, seeded below.

Downgrade is one-way for what the old schema cannot hold: accepted goes back to assigned and
rework to in_progress; extension requests, supervision, handlers, deadlines and the photo
ids of events are dropped; extension and supervision events become notes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = ("received", "assigned", "dispatched", "in_progress", "resolved", "closed",
                "rejected", "duplicate")  # fmt: skip
NEW_STATUSES = ("received", "assigned", "accepted", "dispatched", "in_progress", "resolved",
                "rework", "closed", "rejected", "duplicate")  # fmt: skip
OLD_KINDS = ("status", "note", "instruction", "assignment")
NEW_KINDS = (*OLD_KINDS, "extension", "supervision")
# (accept within working hours, handle within working days, verify within working days),
# the same as geogrid/reports/categories.py seeds; categories not named keep the defaults.
LIMITS = {
    "public_security": (1, 3, 1), "dispute": (2, 5, 2), "traffic": (1, 3, 1),
    "dangerous_goods": (1, 2, 1), "fire_hazard": (2, 3, 1), "work_safety": (2, 3, 1),
    "environment": (4, 5, 2), "key_person": (2, 3, 1),
}  # fmt: skip


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} in ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    """Apply this revision."""
    for name, default in (("accept_hours", "4"), ("handle_days", "5"), ("verify_days", "2")):
        op.add_column("report_categories", sa.Column(name, sa.SmallInteger(), nullable=False,
                                                     server_default=default))  # fmt: skip
    for code, (accept, handle, verify) in LIMITS.items():
        op.execute(sa.text("update report_categories set accept_hours = :a, handle_days = :h, "
                           "verify_days = :v where code = :c")
                   .bindparams(a=accept, h=handle, v=verify, c=code))  # fmt: skip
    _report_columns()
    _event_columns()
    _extensions_table()
    _checks(NEW_STATUSES, NEW_KINDS)
    _deadlines_of_open_reports()


def _report_columns() -> None:
    add = op.add_column
    add("reports", sa.Column("urgent", sa.Boolean(), nullable=False, server_default="false"))
    add("reports", sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
    add("reports", sa.Column("handler_person_id", sa.Integer(), nullable=True))
    add("reports", sa.Column("handler_department_id", sa.Integer(), nullable=True))
    add("reports", sa.Column("dispatched_by", sa.Text(), nullable=True))
    add("reports", sa.Column("dispatcher_role", sa.String(length=16), nullable=True))
    add("reports", sa.Column("rework_count", sa.SmallInteger(), nullable=False,
                             server_default="0"))  # fmt: skip
    add("reports", sa.Column("supervised_at", sa.DateTime(timezone=True), nullable=True))
    op.create_foreign_key(op.f("fk_reports_handler_person_id_people"), "reports", "people",
                          ["handler_person_id"], ["id"])  # fmt: skip
    op.create_foreign_key(op.f("fk_reports_handler_department_id_departments"), "reports",
                          "departments", ["handler_department_id"], ["id"])  # fmt: skip
    op.create_index("ix_reports_open_due", "reports", ["due_at"], unique=False,
                    postgresql_where=sa.text(_in("status", NEW_STATUSES[:7])))  # fmt: skip
    op.create_index(
        "ix_reports_handler_person_id",
        "reports",
        ["handler_person_id"],
        unique=False,
        postgresql_where=sa.text("handler_person_id is not null"),
    )
    op.create_index(
        "ix_reports_handler_department_id",
        "reports",
        ["handler_department_id"],
        unique=False,
        postgresql_where=sa.text("handler_department_id is not null"),
    )


def _event_columns() -> None:
    op.add_column("report_events", sa.Column("step", sa.String(length=16), nullable=True))
    op.add_column("report_events", sa.Column("due_at", sa.DateTime(timezone=True),
                                             nullable=True))  # fmt: skip
    op.add_column("report_events", sa.Column(
        "photo_ids", postgresql.ARRAY(sa.String(length=64)), nullable=False,
        server_default="{}"))  # fmt: skip


def _extensions_table() -> None:
    op.create_table(
        "report_extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.UUID(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.Column("asked_by", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status in ('pending', 'approved', 'refused')",
                           name=op.f("ck_report_extensions_status")),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], ondelete="CASCADE",
                                name=op.f("fk_report_extensions_report_id_reports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_extensions")),
    )  # fmt: skip
    op.create_index("ix_report_extensions_pending", "report_extensions", ["report_id"],
                    unique=True, postgresql_where=sa.text("status = 'pending'"))  # fmt: skip


def _checks(statuses: tuple[str, ...], kinds: tuple[str, ...]) -> None:
    op.drop_constraint(op.f("ck_reports_status"), "reports", type_="check")
    op.create_check_constraint(op.f("ck_reports_status"), "reports", _in("status", statuses))
    op.drop_constraint(op.f("ck_report_events_kind"), "report_events", type_="check")
    op.create_check_constraint(op.f("ck_report_events_kind"), "report_events",
                               _in("kind", kinds))  # fmt: skip


def _deadlines_of_open_reports() -> None:
    # The stage began at the newest status event into it, else when the report was made.
    op.execute("""
        update reports r set due_at = coalesce((
            select max(e.at) from report_events e
            where e.report_id = r.id and e.to_status = r.status), r.reported_at)
          + case when r.status in ('received', 'assigned') then make_interval(hours => c.accept_hours)
                 when r.status = 'resolved' then make_interval(days => c.verify_days)
                 else make_interval(days => c.handle_days) end
        from report_categories c
        where c.id = r.category_id
          and r.status in ('received', 'assigned', 'dispatched', 'in_progress', 'resolved')""")


def downgrade() -> None:
    """Revert this revision (one-way for what the old schema cannot hold: see above)."""
    op.execute("update reports set status = 'assigned' where status = 'accepted'")
    op.execute("update reports set status = 'in_progress' where status = 'rework'")
    op.execute("update report_events set kind = 'note' where kind in ('extension', 'supervision')")
    op.execute("update report_events set to_status = 'assigned' where to_status = 'accepted'")
    op.execute("update report_events set from_status = 'assigned' where from_status = 'accepted'")
    op.execute("update report_events set to_status = 'in_progress' where to_status = 'rework'")
    op.execute("update report_events set from_status = 'in_progress' where from_status = 'rework'")
    _checks(OLD_STATUSES, OLD_KINDS)
    op.drop_index("ix_report_extensions_pending", table_name="report_extensions")
    op.drop_table("report_extensions")
    for column in ("photo_ids", "due_at", "step"):
        op.drop_column("report_events", column)
    op.drop_index("ix_reports_handler_department_id", table_name="reports")
    op.drop_index("ix_reports_handler_person_id", table_name="reports")
    op.drop_index("ix_reports_open_due", table_name="reports")
    for column in (
        "supervised_at",
        "rework_count",
        "dispatcher_role",
        "dispatched_by",
        "handler_department_id",
        "handler_person_id",
        "due_at",
        "urgent",
    ):
        op.drop_column("reports", column)  # their foreign keys go with them
    for column in ("verify_days", "handle_days", "accept_hours"):
        op.drop_column("report_categories", column)
