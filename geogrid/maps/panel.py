"""One grid as the console's map panel shows it: who is responsible, open cases, the month.

Scoped like /v1/grids/{code}: the route checks `caller.covers(code)` first, and the cases
and figures here are those of the caller's report scope inside the grid. Phones are left
out unless asked for (the roles that see personal details); the route audits the read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, Connection, Select, Text, and_, bindparam, cast, func, select

from geogrid.errors import NotFoundError
from geogrid.maps.data import DutyPerson
from geogrid.registry.due import DueItem
from geogrid.reports.kpis import Kpis
from geogrid.reports.loop import WORKING
from geogrid.reports.queries import ReportScope
from geogrid.reports.stats import month_kpis
from geogrid.storage.duty import people_on_duty
from geogrid.storage.models import Grid, Report, ReportCategory
from geogrid.storage.statements import built_once
from geogrid.storage.versions import ACTIVE_ID, active_version

OPEN_SHOWN = 8  # the panel lists the cases due first; the rest are counted


@dataclass(frozen=True)
class OpenCase:
    """An open case in the grid, as the panel lists it."""

    id: str
    category: str
    status: str
    reported_at: datetime
    due_at: datetime | None
    overdue: bool


@dataclass
class GridPanel:
    """What the panel shows of one grid (any level)."""

    level: int
    code: str
    name: str
    households: int
    leaders: list[DutyPerson] = field(default_factory=list)
    officers: list[DutyPerson] = field(default_factory=list)
    police: list[DutyPerson] = field(default_factory=list)
    open_cases: list[OpenCase] = field(default_factory=list)
    open_total: int = 0
    month: str = ""
    month_reports: int = 0
    kpis: Kpis = field(default_factory=Kpis)
    due: list[DueItem] = field(default_factory=list)  # set only for who sees details

    @property
    def sheet_code(self) -> str | None:
        """The level-2 grid whose patrol sheet covers this grid (none for a community)."""
        return self.code[:15] if self.level >= 2 else None

    @property
    def shows_phones(self) -> bool:
        """Whether any phone number is shown (a read of personal data to audit)."""
        return any(p.phone for p in (*self.leaders, *self.officers, *self.police))


@dataclass(frozen=True)
class _WithinGrid:
    """A report scope narrowed to the reports assigned to a grid's ids (one per version it
    is in) at its level: what month_kpis asks of a scope (shape, params, condition)."""

    scope: ReportScope
    level: int
    ids: tuple[int, ...]

    @property
    def shape(self) -> tuple:
        """The key of the statements built with condition(bound=True)."""
        return (self.scope.shape, "grid", self.level)

    def params(self) -> dict:
        """The values of condition(bound=True)'s parameters."""
        return self.scope.params() | {"grid_ids": list(self.ids)}

    def condition(self, *, bound: bool = True) -> ColumnElement[bool]:
        """The scope's reports assigned to the grid by code (so reports of older versions
        count too), by the grid's ids as parameters (`params()`; the panel's statements are
        always bound): a subquery in their place hid them from the planner, which then could
        not read a grid's open cases off its index (a level-2 grid's 8 first cases in
        12.8 ms by joining all its 3,120, against 0.5 ms)."""
        column = {1: Report.level1_id, 2: Report.level2_id, 3: Report.level3_id}[self.level]
        ids = bindparam("grid_ids", expanding=True, required=True)
        return and_(self.scope.condition(bound=True), column.in_(ids))


# Every version's row of a code, the active one marked.
_GRID = select(Grid.id, Grid.level, Grid.name, Grid.households,
               (Grid.version_id == ACTIVE_ID).label("active"),
               ).where(Grid.code == bindparam("code"))  # fmt: skip


def grid_panel(
    conn: Connection, code: str, scope: ReportScope, *, day: date, now: datetime, phones: bool
) -> GridPanel:
    """The panel of the active grid `code`; NotFoundError when there is none. Its
    statements are built once per scope shape and level with their values as parameters:
    building them took longer than PostgreSQL's answers."""
    rows = conn.execute(_GRID, {"code": code}).all()
    row = next((r for r in rows if r.active), None)
    if row is None:
        active_version(conn)  # none active at all: that is the answer (409)
        raise NotFoundError(f"no grid {code}", field="code")
    panel = GridPanel(row.level, code, row.name, row.households or 0)
    _add_people(conn, panel, day, phones)
    within = _WithinGrid(scope, row.level, tuple(r.id for r in rows))
    _add_open_cases(conn, panel, within, now)
    panel.month = now.strftime("%Y-%m")
    panel.month_reports, panel.kpis = month_kpis(conn, panel.month, within, now)
    return panel


def _add_people(conn: Connection, panel: GridPanel, day: date, phones: bool) -> None:
    """Leaders of the level-2 grid, officers of the unit, the community's police."""
    code = panel.code
    wanted = {(code[:15], "grid_leader"): panel.leaders, (code, "information_officer"):
              panel.officers, (code[:12], "community_police"): panel.police}  # fmt: skip
    if panel.level < 2:
        del wanted[code[:15], "grid_leader"]
    if panel.level < 3:
        wanted.pop((code, "information_officer"), None)
    codes = sorted({grid for grid, _ in wanted})
    for person in people_on_duty(conn, day, codes=codes, by_name=True):
        found = wanted.get((person.grid_code, person.role))
        if found is not None:
            found.append(DutyPerson(person.name, (person.phone or "") if phones else ""))


def _add_open_cases(conn: Connection, panel: GridPanel, within: _WithinGrid,
                    now: datetime) -> None:  # fmt: skip
    """The open cases due first (those without a deadline last) and how many there are."""
    count, first = built_once(("panel_open", within.shape), lambda: _open_statements(within))
    panel.open_total = conn.execute(count, within.params()).scalar_one()
    rows = conn.execute(first, within.params()).all()
    panel.open_cases = [
        OpenCase(str(r[0]), r[1], r[2], r[3], r[4],
                 r[2] in WORKING and r[4] is not None and r[4] < now)
        for r in rows
    ]  # fmt: skip


def _open_statements(within: _WithinGrid) -> tuple[Select, Select]:
    where = and_(within.condition(), Report.is_open)  # as the inbox does
    count = select(func.count()).select_from(Report).where(where)
    first = (
        select(cast(Report.id, Text), ReportCategory.name_zh,
               Report.status, Report.reported_at, Report.due_at)
        .join(ReportCategory, ReportCategory.id == Report.category_id)
        .where(where)
        .order_by(Report.due_at.asc().nulls_last(), Report.reported_at)
        .limit(OPEN_SHOWN)
    )  # fmt: skip
    return count, first
