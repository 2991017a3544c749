"""Reading reports: list with filters, get one, export; always within the reader's scope.

Each row carries its assignment and routing as names and codes (unit, grid, community,
leader, officer, station, department). Personal details of sensitive categories (the
reporter and the text) are blanked unless the scope allows them; the caller records such
reads in the audit trail.
"""

from __future__ import annotations

import functools
import math
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    false,
    func,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

from geogrid.errors import InputError, NotFoundError
from geogrid.storage.database import planned_as_written
from geogrid.storage.models import (
    Department,
    Grid,
    Person,
    Report,
    ReportCategory,
    ReportEvent,
    Station,
)
from geogrid.storage.statements import built_once
from geogrid.vocabulary import ASSIGNMENT_METHODS, LEVEL_OF_CODE_LENGTH, REPORT_STATUSES, ROUTES

R = Report.__table__
C = ReportCategory.__table__


@dataclass(frozen=True)
class ReportScope:
    """Which reports a reader sees (one of the conditions, or everything) and whether the
    personal details of sensitive categories are shown."""

    everything: bool = False
    station_id: int | None = None
    department_id: int | None = None
    person_id: int | None = None  # the report's grid leader, information officer or handler
    details: bool = False

    @property
    def shape(self) -> str:
        """Which of the conditions the scope is ('everything', 'station_id',
        'department_id', 'person_id' or 'nothing'): what a statement built once with
        `condition(bound=True)` is kept under."""
        if self.everything:
            return "everything"
        return next((name for name in _SCOPE_IDS if getattr(self, name) is not None), "nothing")

    def params(self) -> dict[str, int]:
        """The values of `condition(bound=True)`'s parameters."""
        shape = self.shape
        return {f"scope_{shape}": getattr(self, shape)} if shape in _SCOPE_IDS else {}

    def condition(self, *, bound: bool = False) -> ColumnElement[bool]:
        """The scope as a condition on the reports table; with `bound`, its id is a
        required parameter (`params()`), so one statement serves every scope of its shape."""
        shape = self.shape
        if shape == "everything":
            return true()
        if shape == "nothing":
            return false()
        value = bindparam(f"scope_{shape}", type_=Integer, required=True) if bound \
            else getattr(self, shape)  # fmt: skip
        if shape == "station_id":
            return R.c.station_id == value
        # A case dispatched to a department or a person is theirs to see as well.
        if shape == "department_id":
            return or_(R.c.department_id == value, R.c.handler_department_id == value)
        return or_(R.c.leader_id == value, R.c.officer_id == value,
                   R.c.handler_person_id == value)  # fmt: skip


_SCOPE_IDS = ("station_id", "department_id", "person_id")  # a scope's ids, in this order


@dataclass(frozen=True)
class ReportFilter:
    """What a list or export asks for; every part is optional."""

    bbox: tuple[float, float, float, float] | None = None  # lon/lat min, max
    grid: str | None = None  # a community, grid or unit code (12, 15 or 18 digits)
    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    routes: tuple[str, ...] = ()
    reported_from: datetime | None = None  # inclusive
    reported_to: datetime | None = None  # exclusive
    ids: tuple[str, ...] = ()  # report ids (malformed ones match nothing)

    def __post_init__(self) -> None:
        for field, values, allowed in (("status", self.statuses, REPORT_STATUSES),
                                       ("method", self.methods, ASSIGNMENT_METHODS),
                                       ("route", self.routes, ROUTES)):  # fmt: skip
            unknown = sorted(set(values) - set(allowed))
            if unknown:
                raise InputError(f"unknown {field} {unknown[0]!r}: use {', '.join(allowed)}",
                                 field=field)  # fmt: skip
        if self.grid is not None and not (
            self.grid.isdigit() and len(self.grid) in LEVEL_OF_CODE_LENGTH
        ):
            raise InputError(f"grid {self.grid!r} is not a 12, 15 or 18 digit code", field="grid")
        if self.reported_from and self.reported_to and self.reported_from >= self.reported_to:
            raise InputError("the start of the date range is not before its end", field="from")

    def conditions(self) -> list[ColumnElement[bool]]:
        """The filter as conditions on the reports and categories tables."""
        where: list[ColumnElement[bool]] = []
        if self.bbox is not None:
            where.append(R.c.geom.op("&&")(func.ST_MakeEnvelope(*self.bbox, 4326)))
        if self.grid is not None:
            column = R.c[f"level{LEVEL_OF_CODE_LENGTH[len(self.grid)]}_id"]
            where.append(column.in_(select(Grid.id).where(Grid.code == self.grid)))
        if len(self.categories) == 1:
            # by id: the planner then judges the category's share of the reports (1/18), where
            # a code of the joined categories looks like 1 in 290: it sorted a station's whole
            # history rather than walk its time index to the page's last row
            chosen_id = select(C.c.id).where(C.c.code == self.categories[0])
            # not correlated: the categories may be joined beside (each row's would answer)
            where.append(R.c.category_id == chosen_id.correlate(None).scalar_subquery())
        chosen = ((C.c.code, self.categories if len(self.categories) > 1 else ()),
                  (R.c.status, self.statuses), (R.c.assignment_method, self.methods),
                  (R.c.route, self.routes))  # fmt: skip
        for column, values in chosen:
            if values:
                where.append(column.in_(values))
        if self.reported_from is not None:
            where.append(R.c.reported_at >= self.reported_from)
        if self.reported_to is not None:
            where.append(R.c.reported_at < self.reported_to)
        if self.ids:
            where.append(R.c.id.in_([k for k in map(_maybe_uuid, self.ids) if k is not None]))
        return where


def list_reports(
    conn: Connection, filters: ReportFilter, scope: ReportScope, *, limit: int, offset: int = 0
) -> tuple[list[dict], bool]:
    """Reports matching the filter in scope, newest first; and whether more follow."""
    query = _report_select(scope).where(*filters.conditions(), scope.condition())
    query = query.order_by(R.c.reported_at.desc(), R.c.id.desc()).limit(limit + 1).offset(offset)
    rows = [dict(r) for r in conn.execute(query).mappings()]
    return rows[:limit], len(rows) > limit


def count_reports(conn: Connection, filters: ReportFilter, scope: ReportScope) -> int:
    """How many reports the filter matches in scope (a list's `numberMatched`)."""
    query = (
        select(func.count())
        .select_from(R.join(C, C.c.id == R.c.category_id))
        .where(*filters.conditions(), scope.condition())
    )
    return conn.execute(query).scalar_one()


def iter_reports(
    conn: Connection, filters: ReportFilter, scope: ReportScope, *, limit: int | None
) -> Iterator[dict]:
    """Reports for an export, streamed from a server-side cursor, newest first (all of
    them when limit is None)."""
    query = _report_select(scope).where(*filters.conditions(), scope.condition())
    query = query.order_by(R.c.reported_at.desc(), R.c.id.desc()).limit(limit)
    for row in conn.execution_options(yield_per=2000).execute(query).mappings():
        yield dict(row)


def report_extent(
    conn: Connection, scope: ReportScope
) -> tuple[list[float] | None, list[datetime] | None]:
    """The lon/lat box and the first and last report time of the reports in scope (None,
    None when it holds none): a collection's extent."""
    row = conn.execute(
        select(func.ST_XMin(func.ST_Extent(R.c.geom)), func.ST_YMin(func.ST_Extent(R.c.geom)),
               func.ST_XMax(func.ST_Extent(R.c.geom)), func.ST_YMax(func.ST_Extent(R.c.geom)),
               func.min(R.c.reported_at), func.max(R.c.reported_at))
        .where(scope.condition())
    ).one()  # fmt: skip
    # Rounded outward to 6 decimals (~0.1 m): the box still holds every report.
    box = None if row[0] is None else [
        math.floor(row[0] * 1e6) / 1e6, math.floor(row[1] * 1e6) / 1e6,
        math.ceil(row[2] * 1e6) / 1e6, math.ceil(row[3] * 1e6) / 1e6,
    ]  # fmt: skip
    return box, None if row[4] is None else [row[4], row[5]]


def count_sensitive(conn: Connection, filters: ReportFilter, scope: ReportScope) -> int:
    """How many reports of sensitive categories the filter matches in scope."""
    query = (
        select(func.count())
        .select_from(R.join(C, C.c.id == R.c.category_id))
        .where(*filters.conditions(), scope.condition(), C.c.sensitive)
    )
    return conn.execute(query).scalar_one()


def get_report(conn: Connection, report_id: str, scope: ReportScope) -> dict:
    """One report in scope, or NotFoundError (whether it is missing or out of scope)."""
    key = _uuid(report_id)
    statement = built_once(("get_report", scope.shape, scope.details), lambda: _report_select(
        scope).where(R.c.id == bindparam("report_id"), scope.condition(bound=True)))  # fmt: skip
    with planned_as_written(conn):  # the report by its id, then its look-ups
        row = conn.execute(statement, {"report_id": key, **scope.params()}).mappings().first()
    if row is None:
        raise NotFoundError(f"no report {report_id}", field="id")
    return dict(row)


def scoped_report(conn: Connection, report_id: str, scope: ReportScope) -> dict:
    """The status and sensitivity of a report in scope (for changes), else NotFoundError."""
    key = _uuid(report_id)
    row = conn.execute(
        select(R.c.id, R.c.status, C.c.code.label("category"), C.c.sensitive)
        .select_from(R.join(C, C.c.id == R.c.category_id))
        .where(R.c.id == key, scope.condition())
    ).mappings().first()  # fmt: skip
    if row is None:
        raise NotFoundError(f"no report {report_id}", field="id")
    return dict(row)


# The steps whose notes the public may read (Open311 status_notes): the desk's acceptance and
# refusal reason, the handled note, the verification's and the close's (结案); a plain
# status change from before the loop too. Dispatch instructions, extensions, supervision and
# a failed verification's findings stay internal.
PUBLIC_STEPS = ("accept", "refuse", "handle", "verify", "close")


def last_events(conn: Connection, ids: list, *, public: bool = False) -> dict:
    """For each report id: (time of its newest event, its newest non-empty note or None;
    with `public`, the newest note of a public step)."""
    if not ids:
        return {}
    E = ReportEvent.__table__
    shown = true()
    if public:
        shown = or_(
            and_(E.c.step.in_(PUBLIC_STEPS), func.coalesce(E.c.to_status, "") != "rework"),
            and_(E.c.step.is_(None), E.c.kind == "status"),
        )
    note = func.array_agg(aggregate_order_by(E.c.note, E.c.at.desc(), E.c.id.desc()))
    note = note.filter(E.c.note != "", shown)
    rows = conn.execute(
        select(E.c.report_id, func.max(E.c.at), note[1]).where(E.c.report_id.in_(ids))
        .group_by(E.c.report_id)
    )  # fmt: skip
    return {r[0]: (r[1], r[2]) for r in rows}


def _maybe_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _uuid(report_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(report_id))
    except ValueError:
        raise NotFoundError(f"no report {report_id}", field="id") from None


def _report_select(scope: ReportScope) -> Select:
    """Reports with their category, grids, people, station and department, flattened."""
    return _flattened(scope.details)


@functools.cache
def _flattened(details: bool) -> Select:
    """_report_select's statement, built once with and once without the details (callers
    add their conditions to a copy: a Select is never changed in place)."""
    unit, grid, community = (Grid.__table__.alias(n) for n in ("unit", "grid", "community"))
    leader, officer, police = (Person.__table__.alias(n) for n in ("leader", "officer", "police"))
    station, department = Station.__table__.alias("st"), Department.__table__.alias("dep")
    hidden = and_(C.c.sensitive, false() if details else true())

    def private(column):
        return case((hidden, null()), else_=column)

    columns = [
        R.c.id, C.c.code.label("category"), C.c.name_zh.label("category_name"),
        C.c.name_en.label("category_name_en"), C.c.sensitive, R.c.status, R.c.reported_at,
        R.c.received_at, func.ST_X(R.c.geom).label("lon"), func.ST_Y(R.c.geom).label("lat"),
        R.c.received_x, R.c.received_y, R.c.received_crs,
        private(R.c.reporter).label("reporter"), private(R.c.text).label("text"),
        hidden.label("redacted"), R.c.assignment_method.label("method"), R.c.distance_m,
        R.c.version_id, unit.c.code.label("unit_code"), unit.c.name.label("unit_name"),
        grid.c.code.label("grid_code"), grid.c.name.label("grid_name"),
        community.c.code.label("community_code"), community.c.name.label("community_name"),
        leader.c.name.label("leader_name"), leader.c.phone.label("leader_phone"),
        officer.c.name.label("officer_name"), officer.c.phone.label("officer_phone"),
        police.c.name.label("police_name"), police.c.phone.label("police_phone"),
        R.c.route, station.c.code.label("station_code"), station.c.name.label("station_name"),
        department.c.code.label("department_code"),
        department.c.name_zh.label("department_name"), R.c.duplicate_of,
        R.c.due_at, R.c.urgent, R.c.supervised_at, R.c.rework_count, C.c.accept_hours,
        C.c.handle_days, C.c.verify_days,
    ]  # fmt: skip
    joined = (
        R.join(C, C.c.id == R.c.category_id)
        .outerjoin(unit, unit.c.id == R.c.level3_id)
        .outerjoin(grid, grid.c.id == R.c.level2_id)
        .outerjoin(community, community.c.id == R.c.level1_id)
        .outerjoin(leader, leader.c.id == R.c.leader_id)
        .outerjoin(officer, officer.c.id == R.c.officer_id)
        .outerjoin(police, police.c.id == R.c.police_id)
        .outerjoin(station, station.c.id == R.c.station_id)
        .outerjoin(department, department.c.id == R.c.department_id)
    )
    return select(*columns).select_from(joined)
