"""Benchmark: the month's case-loop KPIs for the whole county (target <= 2 s).

Generates reports with loop histories in bulk in SQL, spread evenly over the last
`--months` months up to November 2026 (the month measured) and over the county's units and
categories: about a tenth refused, duplicate or waiting, a tenth open past the deadline or
in rework, the rest accepted, dispatched, handled and verified, some late, some reworked,
some extended; then times `monthly_stats(..., "county")` (every monthly figure,
the KPIs included) and the KPIs alone. Generated reports are kept (reporter
'bench-kpis/<months>') so a rerun with the same count and months measures at once.

    .venv/bin/python bench/bench_kpis.py --reports 1000000 --months 12 [--scale town]
"""

from __future__ import annotations

import argparse
import time

from common import median_seconds, verdict
from county_db import full_county_engine
from sqlalchemy import Engine, text

MONTH, END = "2026-11", "2026-12-01T00:00:00+08:00"  # the month measured, and its end
LIMIT_S = 2.0

_UNITS = """
create temp table bench_units as
select row_number() over (order by u.id) as n, u.id as unit_id, u.parent_id as l2,
       g2.parent_id as l1, u.version_id, sc.station_id,
       (select person_id from grid_assignments a where a.grid_code = g2.code
        and a.role = 'grid_leader' order by a.id limit 1) as leader,
       (select person_id from grid_assignments a where a.grid_code = u.code
        and a.role = 'information_officer' order by a.id limit 1) as officer
from grids u join grids g2 on g2.id = u.parent_id
join grid_versions v on v.id = u.version_id and v.status = 'active'
left join station_communities sc on sc.community_code = left(u.code, 12)
where u.level = 3"""

# b = i % 20: 0 refused, 1 duplicate, 2 waiting, 3 dispatched and overdue, 4 in rework,
# 5 reworked then closed, 6 extended then closed, 7-8 handled late, 9 accepted late,
# the rest closed on time; every closed case is verified, then closed (结案) 3 hours later.
_REPORTS = """
create temp table bench_cases as
select i, i % 20 as b, gen_random_uuid() as id,
       cast(:end as timestamptz) - :months * interval '1 month'
         + :months * interval '1 month' * (((i::bigint * 7919) % :n)::float8 / :n) as t
from generate_series(1, :n) as i;
insert into reports (id, category_id, received_crs, reported_at, received_at, reporter, text,
  version_id, level1_id, level2_id, level3_id, leader_id, officer_id, route, station_id,
  assignment_method, status, due_at, rework_count)
select c.id, (select id from report_categories order by id
              offset c.i % (select count(*) from report_categories) limit 1),
       'EPSG:4326', c.t, c.t, :tag, '', u.version_id, u.l1, u.l2, u.unit_id,
       u.leader, u.officer, 'station', u.station_id, 'inside',
       case c.b when 0 then 'rejected' when 1 then 'duplicate' when 2 then 'received'
         when 3 then 'dispatched' when 4 then 'rework' else 'closed' end,
       case when c.b in (3, 4) then c.t + interval '3 days'
         when c.b = 2 then c.t + interval '1 hour' end,
       case when c.b in (4, 5) then 1 else 0 end
from bench_cases c
join bench_units u on u.n = 1 + c.i % (select count(*) from bench_units)"""

_EVENTS = """
insert into report_events (report_id, at, actor, kind, from_status, to_status, note, step,
                           due_at, due_before)
select c.id, c.t + e.after, 'bench', e.kind, e.f, e.s, '', e.step,
       c.t + e.due, c.t + e.before
from bench_cases c cross join lateral (values
  ('refuse', 'status', 'received', 'rejected', interval '30 min', null::interval,
   interval '1 hour', c.b = 0),
  (null, 'status', 'received', 'duplicate', interval '30 min', null, null, c.b = 1),
  ('accept', 'status', 'received', 'accepted',
   case when c.b = 9 then interval '3 hours' else interval '30 min' end,
   interval '1 hour', interval '1 hour', c.b >= 3),
  ('dispatch', 'status', 'accepted', 'dispatched', interval '4 hours', interval '3 days',
   interval '1 hour', c.b >= 3),
  ('extension', 'extension', 'dispatched', 'dispatched', interval '1 day',
   interval '5 days', interval '3 days', c.b = 6),
  ('extension_decide', 'extension', 'dispatched', 'dispatched', interval '25 hours',
   interval '5 days', interval '3 days', c.b = 6),
  ('handle', 'status', 'dispatched', 'resolved',
   case when c.b in (7, 8) then interval '4 days' else interval '2 days' end,
   null, interval '3 days', c.b >= 4),
  ('verify', 'status', 'resolved', 'rework', interval '50 hours', interval '5 days',
   interval '3 days', c.b in (4, 5)),
  ('handle', 'status', 'rework', 'resolved', interval '60 hours', null, interval '5 days',
   c.b = 5),
  ('verify', 'status', 'resolved', 'verified', interval '5 days', null, interval '6 days',
   c.b >= 5),
  ('close', 'status', 'verified', 'closed', interval '5 days 3 hours', null, null, c.b >= 5)
) as e(step, kind, f, s, after, due, before, applies)
where e.applies;
insert into report_extensions (report_id, asked_at, asked_by, reason, until, status,
                               decided_by, decided_at)
select id, t + interval '1 day', 'bench', 'bench', t + interval '5 days', 'approved',
       'bench', t + interval '25 hours'
from bench_cases where b = 6"""


def main() -> None:
    """Generate the month's reports if needed, then time the county's KPIs."""
    args = _arguments()
    engine = full_county_engine(args.scale)
    _generate(engine, args.reports, args.months)
    from geogrid.reports.kpis import kpis_by_key
    from geogrid.reports.queries import ReportScope
    from geogrid.reports.stats import _keyed, _month_reports, month_range, monthly_stats

    scope = ReportScope(everything=True, details=True)
    with engine.connect() as conn:
        totals, _ = monthly_stats(conn, MONTH, "county", scope)
        keyed = _keyed(_month_reports(month_range(MONTH), scope.condition()), "county")
        whole, _ = median_seconds(lambda: monthly_stats(conn, MONTH, "county", scope), 3)
        alone, _ = median_seconds(lambda: kpis_by_key(conn, keyed, _now()), 3)
    k = totals.kpis
    print(f"{totals.reports:,} reports in {MONTH}: 受理及时率 {k.acceptance_on_time_rate}, "
          f"按期处置率 {k.handling_on_time_rate}, 返工率 {k.rework_rate}, "
          f"延期率 {k.extension_rate}, 结案率 {k.closure_rate}")  # fmt: skip
    print("the month's county KPIs alone:", verdict(alone, LIMIT_S, "s"))
    print("the month's county statistics with the KPIs:", verdict(whole, LIMIT_S, "s"))


def _now():
    from geogrid.vocabulary import china_now

    return china_now()


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=1, help="months the reports span")
    parser.add_argument("--scale", default="full", help="bench county: full or town")
    return parser.parse_args()


def _generate(engine: Engine, count: int, months: int) -> None:
    tag = f"bench-kpis/{months}"
    with engine.connect() as conn:
        have = conn.execute(text("select count(*) from reports where reporter = :t"), {"t": tag})
        if have.scalar() == count:
            return
    from geogrid.reports.categories import seed_categories

    started = time.perf_counter()
    with engine.begin() as conn:
        seed_categories(conn)
        conn.execute(text("delete from reports where reporter like 'bench-kpis%'"))
        conn.execute(text(_UNITS))
        for statement in _REPORTS.split(";"):
            conn.execute(text(statement), {"end": END, "n": count, "months": months, "tag": tag})
        for statement in _EVENTS.split(";"):
            conn.execute(text(statement))
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(
            text("analyze reports; analyze report_events; analyze report_extensions")
        )
    print(f"generated {count:,} reports with their trails in "
          f"{time.perf_counter() - started:,.0f} s")  # fmt: skip


if __name__ == "__main__":
    main()
