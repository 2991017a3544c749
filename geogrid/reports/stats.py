"""Monthly statistics per county, station, grid, assistant or category, and the assessment.

A month is a calendar month in China Standard Time, by when the report was made
(`reported_at`). For each group:

- reports, and reports per category;
- hazards found: reports of the categories feeding the hazard heatmap (heat_group 'hazard');
- disputes, and disputes mediated: dispute reports, and those that reached `resolved`;
- cases assisted: public-security incident reports (security, heat_group 'incident'),
  disputes excepted, that went to the police;
- resolved, the median and mean hours from received to the first `resolved`, and open;
- unassigned backlog: reports outside every grid still open (the county triage queue);
- the case loop's KPIs (reports/kpis.py): on-time rates, rework, extensions, closure.

The assessment table (the basis of the assistants' performance subsidy) has a row for every
grid leader and information officer on duty during the month, with the same figures for
the reports assigned to them, zeros included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    DateTime,
    Integer,
    Select,
    and_,
    any_,
    bindparam,
    extract,
    false,
    func,
    literal,
    or_,
    select,
    true,
    tuple_,
    union_all,
)

from geogrid.errors import InputError
from geogrid.patrols.coverage import coverage_by_person
from geogrid.reports.kpis import (
    Kpis,
    kpi_columns,
    kpis_of,
    proposal_confirmed,
    trail_of,
    without_jit,
)
from geogrid.reports.lifecycle import OPEN_STATUSES
from geogrid.reports.queries import C, R, ReportScope
from geogrid.storage.duty import on_duty_during
from geogrid.storage.models import (
    Department,
    Grid,
    GridAssignment,
    Person,
    Station,
    StationCommunity,
)
from geogrid.storage.statements import built_once
from geogrid.vocabulary import (  # noqa: F401 (routes use MONTH_PATTERN)
    ASSISTANT_ROLES,
    CHINA_TZ,
    MONTH_PATTERN,
    china_day,
    china_month,
    china_now,
)

GROUPS = ("county", "station", "grid", "assistant", "department", "category")
DISPUTE_CATEGORIES = ("dispute",)
NO_GROUP = "无 (none)"  # the name of the group of reports without a grid, station or person
TOTAL = ("total",)  # the key of the totals' row in _figures (no group's key is a tuple)


@dataclass
class Figures:
    """The statistics of one group (or of the whole scope) for one month."""

    key: str | None
    name: str
    reports: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    hazards: int = 0
    disputes: int = 0
    disputes_mediated: int = 0
    cases_assisted: int = 0
    resolved: int = 0
    open: int = 0
    unassigned_backlog: int = 0
    median_hours_to_resolve: float | None = None
    mean_hours_to_resolve: float | None = None
    kpis: Kpis = field(default_factory=Kpis)


@dataclass
class AssessmentRow:
    """One assistant's month: who, where, and the figures of the reports assigned to them."""

    person_no: str
    name: str
    phone: str
    roles: list[str]
    grids: list[str]
    station: str | None
    figures: Figures
    patrol_coverage: float | None = None  # 巡查覆盖率 (patrols/coverage.py)


def month_range(month: str) -> tuple[datetime, datetime]:
    """The UTC start (inclusive) and end (exclusive) of a 'YYYY-MM' month in China time."""
    bounds = china_month(month)
    if bounds is None:
        raise InputError(f"month {month!r} is not YYYY-MM", field="month")
    return bounds[0].astimezone(UTC), bounds[1].astimezone(UTC)


def monthly_stats(
    conn: Connection, month: str, by: str, scope: ReportScope, now: datetime | None = None
) -> tuple[Figures, list[Figures]]:
    """The scope's totals for the month and one row per group (`by`: one of GROUPS);
    `now` is the clock the KPIs judge open cases by."""
    if by not in GROUPS:
        raise InputError(f"unknown grouping {by!r}: use {', '.join(GROUPS)}", field="by")
    now = now or china_now()
    base = _month_reports(month_range(month), scope.condition())
    rows = _figures(conn, _keyed(base, by, totals=True), now, totals=True)
    totals = rows.pop(TOTAL, None)
    if totals is not None:
        totals.key, totals.name = "total", ""
    return totals or Figures("total", ""), sorted(rows.values(), key=_order)


def month_kpis(
    conn: Connection, month: str, scope: ReportScope, now: datetime | None = None
) -> tuple[int, Kpis]:
    """The scope's reports of the month and their KPIs alone (the map panel's figures): what
    monthly_stats' totals hold of them, without the other figures, the counts per category
    and the grouping, whose building cost the panel two thirds of its time. The statement
    is built once per `scope.shape` with its values as parameters (building it took longer
    than PostgreSQL's answer)."""
    without_jit(conn)
    start, end = month_range(month)
    statement = built_once(("month_kpis", scope.shape), lambda: _kpis_statement(scope))
    params = {"month_start": start, "month_end": end, "now": now or china_now(), **scope.params()}
    row = conn.execute(statement, params).mappings().one()
    return row["reports"], kpis_of(dict(row))


def _kpis_statement(scope) -> Select:
    moment = DateTime(timezone=True)
    base = _month_reports(
        (bindparam("month_start", type_=moment, required=True),
         bindparam("month_end", type_=moment, required=True)),
        scope.condition(bound=True),
    )  # fmt: skip
    return select(*kpi_columns(base.c, bindparam("now", type_=moment, required=True)))


def assessment(
    conn: Connection,
    month: str,
    scope: ReportScope,
    *,
    area: tuple[str, ...] | None = None,
    person_id: int | None = None,
    person_ids: tuple[int, ...] | None = None,
    now: datetime | None = None,
) -> list[AssessmentRow]:
    """The assessment table: every assistant on duty in the month within `area` (code
    prefixes; None for the county), or only `person_id`, or only those of `person_ids`,
    with their figures."""
    start, end = month_range(month)
    if person_id is not None:
        person_ids = (person_id,)
    people = _assistants(conn, start, end, area, person_ids)
    # A row's figures are those of the reports it leads or officers: a table of some people
    # reads only theirs (the same figures as the county's rows of them, in a fraction).
    whole = area is None and person_ids is None
    base = _month_reports(
        (start, end), scope.condition(), None if whole else [p["id"] for p in people]
    )
    figures = _figures(conn, _keyed(base, "assistant"), now or china_now())
    # Coverage only of the units the rows hold, unless the table is the whole county's.
    held = None if whole else {g for p in people for g in p["grids"]}
    coverage = coverage_by_person(conn, month, area=None if held is None else tuple(sorted(held)))
    rows = []
    for p in people:
        mine = figures.get(p["person_no"]) or Figures(p["person_no"], p["name"])
        rows.append(AssessmentRow(p["person_no"], p["name"], p["phone"], p["roles"],
                                  p["grids"], p["station"], mine,
                                  coverage.get(p["id"], 0.0)))  # fmt: skip
    return rows


def _order(figures: Figures) -> tuple:
    return (figures.key is None, figures.key or "")


def _month_reports(bounds: tuple, scope: ColumnElement[bool], people: list[int] | None = None):
    """The reports made within `bounds` (start, end: times or parameters) that meet the
    `scope` condition (of `people` as leader or officer, when given) with what the figures
    need and what their trails say (kpis.trail_of), as a common table expression: the
    assistants' rows read it twice, and PostgreSQL then reads each report's trail once."""
    start, end = bounds
    trail = trail_of(R)
    ids = bindparam("people", people, type_=ARRAY(Integer))
    theirs = true() if people is None else or_(R.c.leader_id == any_(ids),
                                                R.c.officer_id == any_(ids))  # fmt: skip
    return (
        select(
            R.c.id,
            C.c.code.label("category"),
            C.c.heat_group,
            C.c.is_security,
            R.c.status,
            R.c.received_at,
            R.c.reported_at,
            R.c.due_at,
            R.c.assignment_method,
            R.c.level2_id,
            R.c.station_id,
            R.c.department_id,
            R.c.leader_id,
            R.c.officer_id,
            proposal_confirmed(R),
            *trail.c,
        )
        .select_from(R.join(C, C.c.id == R.c.category_id).join(trail, true()))
        .where(R.c.reported_at >= start, R.c.reported_at < end, scope, theirs)
        .cte("month_reports")
    )


def _keyed(base, by: str, *, totals: bool = False):
    """The month's reports with the key and name of their group (an assistant's report
    counts for its grid leader and for its information officer; with `totals`, once more
    in a part marked `whole`, as the totals cannot be a grouping set of the doubled rows)."""
    if by == "assistant":
        parts = []
        for column in (base.c.leader_id, base.c.officer_id):
            person = Person.__table__.alias()
            parts.append(
                select(person.c.person_no.label("key"), person.c.name.label("name"),
                       *_whole(totals, False), *base.c)
                .select_from(base.outerjoin(person, person.c.id == column))
                .where(column.is_not(None))
            )  # fmt: skip
        if totals:
            parts.append(select(literal("total").label("key"), literal("").label("name"),
                                *_whole(totals, True), *base.c))  # fmt: skip
        return union_all(*parts).subquery()
    if by == "station":
        table = Station.__table__
        key, name, joined = table.c.code, table.c.name, base.outerjoin(
            table, table.c.id == base.c.station_id)  # fmt: skip
    elif by == "grid":
        table = Grid.__table__
        key, name, joined = table.c.code, table.c.name, base.outerjoin(
            table, table.c.id == base.c.level2_id)  # fmt: skip
    elif by == "department":
        table = Department.__table__
        key, name, joined = table.c.code, table.c.name_zh, base.outerjoin(
            table, table.c.id == base.c.department_id)  # fmt: skip
    elif by == "category":
        key, name = base.c.category, base.c.category
        joined = base
    else:
        key, name, joined = literal("county"), literal("全县"), base
    return select(key.label("key"), name.label("name"), *base.c).select_from(joined).subquery()


def _whole(totals: bool, value: bool) -> list:
    return [literal(value).label("whole")] if totals else []


def _figures(conn: Connection, keyed, now: datetime, *, totals: bool = False
             ) -> dict[str | tuple | None, Figures]:  # fmt: skip
    """Aggregate a keyed subquery into Figures per key, the loop's KPIs included, in one
    pass over the reports and their trails; with `totals`, also the row of all (key TOTAL)."""
    without_jit(conn)
    k = keyed.c
    if "whole" in k:  # the assistants' rows: the totals are their own part
        groups, whole = (k.whole, k.key), k.whole
    elif totals:  # the rest: the totals are a grouping set of the same rows
        groups, whole = (func.grouping_sets(k.key, tuple_()),), func.grouping(k.key) == 1
    else:
        groups, whole = (k.key,), literal(False)
    # One count per category in the same pass: a query of its own would read every
    # report's trail again.
    codes = conn.execute(select(C.c.code).order_by(C.c.code)).scalars().all()
    per_category = [func.count().filter(k.category == code).label(f"category_{n}")
                    for n, code in enumerate(codes)]  # fmt: skip
    query = (
        select(k.key, whole.label("whole"), func.min(k.name).label("name"),
               *_figure_columns(k), *kpi_columns(k, now), *per_category)
        .group_by(*groups)
    )  # fmt: skip
    found: dict[str | tuple | None, Figures] = {}
    for row in conn.execute(query).mappings():
        key = TOTAL if row["whole"] else row["key"]
        values = {name: row[name] for name in FIGURE_NAMES}
        values["name"] = NO_GROUP if key is None else row["name"] or ""
        for name in ("median_hours_to_resolve", "mean_hours_to_resolve"):
            if values[name] is not None:
                values[name] = round(float(values[name]), 2)
        counts = (row[f"category_{n}"] for n in range(len(codes)))
        by_category = {code: n for code, n in zip(codes, counts, strict=True) if n}
        found[key] = Figures(key=key, kpis=kpis_of(dict(row)), by_category=by_category, **values)
    return found


FIGURE_NAMES = ("reports", "hazards", "disputes", "disputes_mediated", "cases_assisted",
                "resolved", "open", "unassigned_backlog", "median_hours_to_resolve",
                "mean_hours_to_resolve")  # fmt: skip


def _figure_columns(k) -> list:
    """The monthly figures' aggregates over keyed reports with their trails' columns `k`
    (`reports` comes with the KPIs' columns)."""
    hours = extract("epoch", k.resolved_at - k.received_at) / 3600.0
    dispute = k.category.in_(DISPUTE_CATEGORIES)
    is_open = k.status.in_(OPEN_STATUSES)
    count = func.count
    return [
        count().filter(k.heat_group == "hazard").label("hazards"),
        count().filter(dispute).label("disputes"),
        count().filter(and_(dispute, k.resolved_at.is_not(None))).label("disputes_mediated"),
        count().filter(and_(k.is_security, k.heat_group == "incident", ~dispute))
        .label("cases_assisted"),
        count().filter(k.resolved_at.is_not(None)).label("resolved"),
        count().filter(is_open).label("open"),
        count().filter(and_(is_open, k.assignment_method == "unassigned"))
        .label("unassigned_backlog"),
        func.percentile_cont(0.5).within_group(hours).label("median_hours_to_resolve"),
        func.avg(hours).label("mean_hours_to_resolve"),
    ]  # fmt: skip


def _assistants(conn, start: datetime, end: datetime, area, person_ids) -> list[dict]:
    """Grid leaders and information officers holding a grid at some time in the month."""
    a, p = GridAssignment.__table__, Person.__table__
    sc, st = StationCommunity.__table__, Station.__table__
    first_day = china_day(start)
    last_day = china_day(end) - timedelta(days=1)
    conditions = [
        a.c.role.in_(ASSISTANT_ROLES),
        on_duty_during(first_day, last_day, a),
    ]
    if person_ids is not None:
        conditions.append(a.c.person_id.in_(person_ids))
    if area is not None:
        conditions.append(or_(false(), *[a.c.grid_code.startswith(code) for code in area]))
    joined = (
        a.join(p, p.c.id == a.c.person_id)
        .outerjoin(sc, sc.c.community_code == func.left(a.c.grid_code, 12))
        .outerjoin(st, st.c.id == sc.c.station_id)
    )
    query = (
        select(
            p.c.id,
            p.c.person_no,
            p.c.name,
            p.c.phone,
            func.array_agg(a.c.role.distinct()).label("roles"),
            func.array_agg(a.c.grid_code.distinct()).label("grids"),
            func.min(st.c.code).label("station"),
        )
        .select_from(joined)
        .where(*conditions)
        .group_by(p.c.id, p.c.person_no, p.c.name, p.c.phone)
        .order_by(p.c.person_no)
    )
    return [dict(r) for r in conn.execute(query).mappings()]
