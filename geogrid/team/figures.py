"""The source case's own result table for a period and an area, so a county can publish
the same figures as the source case did (26,000+ basic-information items / 210+ hazards /
15 cases assisted / 830 people served / 250+ disputes mediated / 95 with no criminal case /
100 % of 1,338 villages with an assistant / average age 47.3 / 47 adjusted).

What each figure counts (reports by when they were made, China time; area: grid code
prefixes, None for the county):
- basic information collected: reports of the basic-information categories (kind 'basic');
- hazards found: reports of the categories of the hazard heatmap;
- cases assisted: public-security incidents (security, heat group 'incident', disputes
  excepted) that went to the police, as the monthly statistics count them;
- people served: population-service reports (civil affairs, special-care groups) handled
  (reached resolved);
- disputes mediated: dispute reports handled (reached resolved);
- villages with no criminal case: village grids (level 2, rural) without a public-security
  report in the period, of all village grids;
- villages with an assistant: village grids with a grid leader on duty on the last day;
- the assistants' average age: grid leaders and information officers on duty on the last
  day, by the register's age;
- people adjusted: dismissals (调整辞退) in the period of people of the area.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection, text

from geogrid.errors import InputError
from geogrid.storage.duty import on_duty_sql
from geogrid.storage.versions import active_version
from geogrid.team.people import plausible_day
from geogrid.vocabulary import ASSISTANT_ROLES, china_midnight

SERVICE_CATEGORIES = ("civil_affairs", "special_group")
CRIME_CATEGORIES = ("public_security",)


@dataclass(frozen=True)
class SourceFigures:
    """The result table of one period and area."""

    first: date
    last: date
    area: tuple[str, ...] | None
    basic_info: int
    hazards: int
    cases_assisted: int
    people_served: int
    disputes_mediated: int
    villages: int
    villages_without_crime: int
    villages_with_assistant: int
    assistants: int
    average_age: float | None
    adjusted: int

    @property
    def coverage(self) -> float | None:
        """Share of villages with an assistant (None without villages)."""
        return self.villages_with_assistant / self.villages if self.villages else None


def source_figures(
    conn: Connection, first: date, last: date, area: tuple[str, ...] | None = None
) -> SourceFigures:
    """The table for the days `first` through `last` in `area`."""
    plausible_day(first, "first")
    plausible_day(last, "last")
    if last < first:
        raise InputError(f"the period ends ({last}) before it begins ({first})", field="last")
    params = {"start": china_midnight(first), "end": china_midnight(last + timedelta(days=1)),
              "first": first, "last": last, "day": last, "v": active_version(conn),
              "area": None if area is None else [f"{code}%" for code in area],
              "service": list(SERVICE_CATEGORIES), "crime": list(CRIME_CATEGORIES),
              "roles": list(ASSISTANT_ROLES)}  # fmt: skip
    reports = conn.execute(text(_REPORTS_SQL), params).one()
    villages = conn.execute(text(_VILLAGES_SQL), params).one()
    people = conn.execute(text(_PEOPLE_SQL), params).one()
    age = None if people.average_age is None else round(float(people.average_age), 1)
    return SourceFigures(first, last, area, *reports, *villages, people.assistants, age,
                         people.adjusted)  # fmt: skip


_IN_AREA = "(cast(:area as text[]) is null or {code} like any(cast(:area as text[])))"

_REPORTS_SQL = f"""
select count(*) filter (where c.kind = 'basic'),
       count(*) filter (where c.heat_group = 'hazard'),
       count(*) filter (where c.is_security and c.heat_group = 'incident'
                        and c.code <> 'dispute' and r.route = 'station'),
       count(*) filter (where c.code = any(:service) and resolved.at is not null),
       count(*) filter (where c.code = 'dispute' and resolved.at is not null)
from reports r join report_categories c on c.id = r.category_id
left join grids g on g.id = r.level1_id
left join lateral (select min(e.at) as at from report_events e
                   where e.report_id = r.id and e.to_status = 'resolved') resolved on true
where r.reported_at >= :start and r.reported_at < :end
  and r.status not in ('rejected', 'duplicate')
  and {_IN_AREA.format(code="g.code")}
"""

_VILLAGES_SQL = f"""
select count(*),
       count(*) filter (where not exists (
         select 1 from reports r join report_categories c on c.id = r.category_id
         where r.level2_id = v.id and c.code = any(:crime)
           and r.reported_at >= :start and r.reported_at < :end)),
       count(*) filter (where exists (
         select 1 from grid_assignments a where a.grid_code = v.code
           and a.role = 'grid_leader' and {on_duty_sql("a", ":day")}))
from grids v
where v.version_id = :v and v.level = 2 and v.kind = 'rural_village'
  and {_IN_AREA.format(code="v.code")}
"""

_PEOPLE_SQL = f"""
select (select count(distinct p.id) from grid_assignments a join people p on p.id = a.person_id
        where a.role = any(:roles) and {on_duty_sql("a", ":day")}
          and {_IN_AREA.format(code="a.grid_code")}) as assistants,
       (select avg(p.age) from people p where p.id in (
          select a.person_id from grid_assignments a
          where a.role = any(:roles) and {on_duty_sql("a", ":day")}
            and {_IN_AREA.format(code="a.grid_code")})) as average_age,
       (select count(distinct t.person_id) from team_actions t join people p on p.id = t.person_id
        where t.kind = 'dismissal' and t.on_day between :first and :last
          and {_IN_AREA.format(code="coalesce(p.community_code, '')")}) as adjusted
"""
