"""What a station's team desk reads at a glance: the assistants of an area with their
selection state (stages passed, re-review due, dismissed and why), the leave requests
waiting for a decision, and the appeals of a month.

Area: 12-digit community codes (a caller's `area_codes()`), None for the whole county; a
person belongs to the area of their community, as `Caller.sees_person` decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, text

from geogrid.storage.paging import PageAsk, Paged, paged, person_matches_sql
from geogrid.vocabulary import ASSISTANT_ROLES, REVIEW_STAGE, SELECTION_STAGES

_IN_AREA = "(cast(:area as text[]) is null or left(p.community_code, 12) = any(:area))"


@dataclass(frozen=True)
class TeamMember:
    """An assistant of the area: selection stages last passed, last filing or re-review,
    whether a re-review is due, and the latest dismissal (day and reason) if any."""

    person_no: str
    name: str
    vetting_status: str
    passed: tuple[str, ...]
    failed: tuple[str, ...]
    last_review: date | None
    review_due: bool
    dismissed_on: date | None
    dismissal_reason: str | None

    @property
    def missing(self) -> tuple[str, ...]:
        """The stages not (yet) last passed, in order."""
        return tuple(s for s in SELECTION_STAGES if s not in self.passed)


def team_members(
    conn: Connection, area: tuple[str, ...] | None, day: date, review_months: int,
    limit: int = 1000,
) -> list[TeamMember]:  # fmt: skip
    """Assistants of the area (active or dismissed), by register number."""
    return members_page(conn, area, day, review_months, PageAsk(size=limit)).rows


def members_page(
    conn: Connection, area: tuple[str, ...] | None, day: date, review_months: int,
    ask: PageAsk,
) -> Paged:  # fmt: skip
    """A page of the area's assistants (active or dismissed) by register number, searched
    by name, number or the code of a grid held on `day`; with the count of all who match."""
    bound = {"area": None if area is None else list(area), "roles": list(ASSISTANT_ROLES),
             "review": REVIEW_STAGE, "day": day, "months": review_months,
             "q": ask.pattern}  # fmt: skip
    rows = conn.execute(text(_MEMBERS_SQL), bound | {"limit": ask.size, "offset": ask.offset})
    found = paged(ask, [dict(r) for r in rows.mappings()], lambda: conn.execute(
        text("select count(*) " + _MEMBERS_WHERE), bound).scalar_one())  # fmt: skip
    return Paged(ask, found.total, [
        TeamMember(r["person_no"], r["name"], r["vetting_status"], tuple(r["passed"]),
                   tuple(r["failed"]), r["last_review"], bool(r["review_due"]),
                   r["dismissed_on"], r["dismissal_reason"]) for r in found.rows])  # fmt: skip


_MEMBERS_WHERE = (
    "from people p where cast(p.roles as text[]) && cast(:roles as text[]) and "
    f"{_IN_AREA} and {person_matches_sql('p')}"
)

# The page's people first (counting the whole in the same scan), then their latest decision
# of each stage (a stage failed then passed again is passed), read per person off the
# person's index (a common table of every person's decisions, scanned again for each
# person, took 1.8 s for the 1,825 people of the town bench), only for the page's 50.
_MEMBERS_SQL = f"""
with shown as (select p.id, p.person_no, p.name, p.vetting_status, count(*) over () as whole
               {_MEMBERS_WHERE} order by p.person_no limit :limit offset :offset)
select p.person_no, p.name, p.vetting_status, p.whole,
  coalesce(latest.passed, '{{}}') as passed, coalesce(latest.failed, '{{}}') as failed,
  r.last_review,
  r.last_review <= cast(:day as date) - make_interval(months => :months) as review_due,
  d.on_day as dismissed_on, d.reason as dismissal_reason
from shown p
left join lateral (
  select array_agg(l.stage) filter (where l.outcome = 'passed') as passed,
         array_agg(l.stage) filter (where l.outcome = 'failed') as failed
  from (select distinct on (s.stage) s.stage, s.outcome from selection_steps s
        where s.person_id = p.id order by s.stage, s.decided_on desc, s.id desc) l
) latest on true
left join lateral (select max(s.decided_on) as last_review from selection_steps s
                   where s.person_id = p.id and s.outcome = 'passed'
                     and s.stage in ('bureau_filing', :review)) r on true
left join lateral (select t.on_day, t.reason from team_actions t where t.person_id = p.id
                   and t.kind = 'dismissal' order by t.on_day desc, t.id desc limit 1) d on true
order by p.person_no
"""


@dataclass(frozen=True)
class WaitingLeave:
    """A leave request waiting for the station's decision."""

    id: int
    person_no: str
    name: str
    first_day: date
    last_day: date
    reason: str


def waiting_leave(
    conn: Connection, area: tuple[str, ...] | None, limit: int = 500
) -> list[WaitingLeave]:
    """The area's leave requests still waiting, earliest first (the first `limit`)."""
    rows = conn.execute(text(
        "select l.id, p.person_no, p.name, l.first_day, l.last_day, l.reason"
        f" {_WAITING} order by l.first_day, l.id limit :limit"),
        {"area": None if area is None else list(area), "limit": limit})  # fmt: skip
    return [WaitingLeave(*row) for row in rows]


def waiting_count(conn: Connection, area: tuple[str, ...] | None) -> int:
    """How many of the area's leave requests are waiting."""
    return conn.execute(text(f"select count(*) {_WAITING}"),
                        {"area": None if area is None else list(area)}).scalar_one()  # fmt: skip


_WAITING = (
    "from leave_requests l join people p on p.id = l.person_id"
    f" where l.status = 'requested' and {_IN_AREA}"
)


@dataclass(frozen=True)
class AppealRow:
    """An appeal against a month of the area, and its decision if made."""

    id: int
    person_no: str
    name: str
    reason: str
    filed_at: datetime
    decision: str | None
    decided_by: str | None


def appeals_of_month(conn: Connection, month: str, area: tuple[str, ...] | None) -> list[AppealRow]:
    """The appeals against `month` of the area's people, oldest first."""
    rows = conn.execute(text(
        "select a.id, p.person_no, p.name, a.reason, a.filed_at, a.decision, a.decided_by"
        " from assessment_appeals a join people p on p.id = a.person_id"
        f" where a.month = :m and {_IN_AREA} order by a.filed_at, a.id"),
        {"m": month, "area": None if area is None else list(area)})  # fmt: skip
    return [AppealRow(*row) for row in rows]
