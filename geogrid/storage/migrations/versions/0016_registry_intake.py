"""registry_intake: basic-information reports become registry proposals, not cases

A report of a basic-information category (一标三实) is a fact for the registry, not a case:
the intake routes it to the registry (route and status `registry`, outside the loop) and
files a registry proposal of kind `report` from it, which the confirming officer completes
into a record or declines (README "The registry"). Such a proposal has no address or facts
yet, so `address_id` may be null and the proposal keeps its unit and the report's id.

The stored basic reports still open leave the loop the same way, with an event in their
trail; finished ones (closed, rejected, duplicate) keep their history untouched. Run twice,
it changes nothing more (the unique report id on proposals).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The words as they stand at this revision (a migration keeps its own copy).
STATUSES = ("received", "assigned", "accepted", "dispatched", "in_progress", "resolved",
            "rework", "verified", "closed", "rejected", "duplicate")  # fmt: skip
ROUTES = ("station", "department", "triage")
KINDS = ("housing", "resident", "organisation", "key_person")
# A verified case (0015) has been handled and checked: its desk closes it in the loop.
STILL_OPEN = ("received", "assigned", "accepted", "dispatched", "in_progress", "resolved",
              "rework")  # fmt: skip
ACTOR = "migration 0016"
NEAR_M = 200.0  # the lookup's distance for the nearest standard address


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} in ({', '.join(repr(v) for v in values)})"


def _check(table: str, column: str, values: Sequence[str]) -> None:
    name = op.f(f"ck_{table}_{'method' if column == 'assignment_method' else column}")
    op.drop_constraint(name, table, type_="check")
    op.create_check_constraint(name, table, _in(column, values))


def upgrade() -> None:
    """Widen the words, make room for report proposals, and move the open basic reports."""
    _check("reports", "status", (*STATUSES, "registry"))
    _check("reports", "route", (*ROUTES, "registry"))
    _check("registry_proposals", "kind", (*KINDS, "report", "address"))
    op.alter_column("registry_proposals", "address_id", nullable=True)
    op.add_column("registry_proposals", sa.Column("unit_code", sa.String(32), nullable=True))
    op.add_column("registry_proposals",
                  sa.Column("report_id", postgresql.UUID(as_uuid=True), nullable=True))  # fmt: skip
    op.create_index("ux_registry_proposals_report_id", "registry_proposals", ["report_id"],
                    unique=True, postgresql_where=sa.text("report_id is not null"))  # fmt: skip
    op.execute(sa.text(_PROPOSE).bindparams(near=NEAR_M))
    op.execute(sa.text(_LEAVE_LOOP).bindparams(actor=ACTOR))


def downgrade() -> None:
    """Back into the loop where they were routed before (waiting to be accepted), the report
    proposals dropped; other proposals stay."""
    op.execute(sa.text(_BACK_TO_LOOP))
    op.execute(sa.text("delete from report_events where actor = :a").bindparams(a=ACTOR))
    op.execute(sa.text("delete from registry_proposals where kind in ('report', 'address')"))
    op.drop_index("ux_registry_proposals_report_id", table_name="registry_proposals")
    op.drop_column("registry_proposals", "report_id")
    op.drop_column("registry_proposals", "unit_code")
    op.alter_column("registry_proposals", "address_id", nullable=False)
    _check("registry_proposals", "kind", KINDS)
    _check("reports", "route", ROUTES)
    _check("reports", "status", STATUSES)


_BASIC_OPEN = f"""r.category_id in (select id from report_categories where kind = 'basic')
  and r.{_in("status", STILL_OPEN)}"""

_PROPOSE = f"""
insert into registry_proposals (kind, report_id, address_id, unit_code, community_code,
  change, status, proposed_by, source, note)
select 'report', r.id,
  (select a.id from registry_addresses a
   where st_dwithin(a.geom::geography, r.geom::geography, :near)
   order by a.geom <-> r.geom limit 1),
  u.code, c.code,
  jsonb_build_object('report', jsonb_build_object('id', r.id::text, 'category', k.code,
    'category_name', k.name_zh, 'text', r.text, 'reporter', r.reporter,
    'reported_at', r.reported_at, 'lon', st_x(r.geom), 'lat', st_y(r.geom))),
  'pending', coalesce(nullif(r.reporter, ''), 'report'), 'report:' || r.id::text, ''
from reports r join report_categories k on k.id = r.category_id
left join grids u on u.id = r.level3_id left join grids c on c.id = r.level1_id
where {_BASIC_OPEN}
on conflict (report_id) where report_id is not null do nothing
"""

_LEAVE_LOOP = f"""
with moved as (
  update reports r set status = 'registry', route = 'registry', due_at = null,
    department_id = null, police_id = null, handler_person_id = null,
    handler_department_id = null
  from reports old
  where old.id = r.id and {_BASIC_OPEN}
  returning r.id, old.status
)
insert into report_events (report_id, actor, kind, from_status, to_status, note)
select id, :actor, 'status', status, 'registry', '转基础信息核实: a registry proposal'
from moved
"""

_BACK_TO_LOOP = """
update reports r set
  status = case when r.level3_id is null then 'received' else 'assigned' end,
  route = case when r.level3_id is null then 'triage'
               when k.is_security and r.station_id is not null then 'station'
               when not k.is_security and k.department_id is not null then 'department'
               else 'triage' end,
  department_id = case when r.level3_id is not null and not k.is_security
                       then k.department_id end
from report_categories k
where k.id = r.category_id and r.status = 'registry'
"""
