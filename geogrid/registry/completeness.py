"""Completeness of the registry per unit, grid and community and month: the 采集率 and 按期率
Chinese practice targets at 95 % and more.

As of the month's last day (or today, in the month under way):
- collected (采集率): standard addresses with a housing record, and lived-in houses (home,
  rental) with residents recorded, over all addresses and lived-in houses;
- on time (按期率): rentals, key units, sites with dangerous goods and key persons whose last
  check (or, never checked, their start) lies within their cycle, over all of them.
Counted per level-3 unit in one query and summed up the code prefixes to grids and
communities. `completeness_by_person` gives the team's monthly assessment one share per
grid leader: everything counted in the grids the person led in the month.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Connection, text

from geogrid.errors import InputError
from geogrid.registry.cycles import load_cycles
from geogrid.storage.duty import held_during
from geogrid.vocabulary import CODE_LENGTH, china_today


@dataclass(frozen=True)
class Completeness:
    """The counts of one grid (any level) in a month, and the two rates (None: nothing to
    count)."""

    code: str
    addresses: int
    housed: int
    households: int
    with_residents: int
    due: int
    on_time: int

    @property
    def collection_rate(self) -> float | None:
        """采集率: addresses housed and households with residents, over both."""
        whole = self.addresses + self.households
        return None if whole == 0 else (self.housed + self.with_residents) / whole

    @property
    def on_time_rate(self) -> float | None:
        """按期率: checks and visits within their cycle, over all that have one."""
        return None if self.due == 0 else self.on_time / self.due


def month_bounds(month: str) -> tuple[date, date]:
    """The first day of a month (YYYY-MM) and the day it is counted as of."""
    try:
        year, number = (int(p) for p in month.split("-"))
        first = date(year, number, 1)
    except ValueError:
        raise InputError(f"month: {month!r} is not a month (YYYY-MM)", field="month") from None
    last = first.replace(day=calendar.monthrange(year, number)[1])
    return first, min(last, max(first, china_today()))


def completeness(
    conn: Connection, month: str, level: int = 1, areas: tuple[str, ...] | None = None,
    cycles_file: Path | None = None,
) -> list[Completeness]:  # fmt: skip
    """The counts and rates per grid of a level, in code order, within `areas` (grid code
    prefixes; None: the whole county)."""
    if level not in CODE_LENGTH:
        raise InputError(f"level: 1, 2 or 3, not {level}", field="level")
    units = _unit_counts(conn, month, cycles_file)
    summed: dict[str, list[int]] = defaultdict(lambda: [0] * 6)
    for code, counts in units.items():
        if areas is None or any(code.startswith(a) for a in areas):
            row = summed[code[: CODE_LENGTH[level]]]
            for i, value in enumerate(counts):
                row[i] += value
    return [Completeness(code, *summed[code]) for code in sorted(summed)]


def completeness_by_person(
    conn: Connection, month: str, cycles_file: Path | None = None
) -> dict[int, float]:
    """Person id -> the share (0..1) of everything counted (addresses housed, households
    with residents, checks on time) in the grids the person led as grid leader during the
    month; leaders of grids with nothing to count are left out."""
    first, as_of = month_bounds(month)
    units = _unit_counts(conn, month, cycles_file)
    led = held_during(conn, first, as_of, ("grid_leader",))  # covers included
    got: dict[int, int] = defaultdict(int)
    whole: dict[int, int] = defaultdict(int)
    grids_of: dict[int, set[str]] = defaultdict(set)
    for person, grid in led:
        grids_of[person].add(grid)
    for person, grids in grids_of.items():
        for code, (addresses, housed, households, residents, due, on_time) in units.items():
            if code[:15] in grids:
                got[person] += housed + residents + on_time
                whole[person] += addresses + households + due
    return {p: got[p] / whole[p] for p in sorted(whole) if whole[p]}


def _unit_counts(conn: Connection, month: str, cycles_file: Path | None) -> dict[str, tuple]:
    as_of = month_bounds(month)[1]
    cycles = {k: d for k, d in load_cycles(cycles_file).items() if not k.endswith(".ordinary")}
    rows = conn.execute(
        text(_COUNTS),
        {"as_of": as_of, "end": as_of + timedelta(days=1), "keys": list(cycles),
         "days": list(cycles.values())},
    ).all()  # fmt: skip
    return {r[0]: tuple(int(v or 0) for v in r[1:]) for r in rows}


_COUNTS = """
with cycles as (
  select k, d from unnest(cast(:keys as text[]), cast(:days as int[])) as c(k, d)
), live as (
  select r.id, r.kind, r.category, r.address_id, r.started_on, a.unit_code
  from registry_records r join registry_addresses a on a.id = r.address_id
  where a.unit_code is not null and r.started_on <= :as_of
    and (r.ended_on is null or r.ended_on > :as_of)
), addresses as (
  select a.unit_code, count(*) as n, count(*) filter (where exists (
    select 1 from live l where l.address_id = a.id and l.kind = 'housing')) as housed
  from registry_addresses a where a.unit_code is not null and a.created_at < :end group by 1
), homes as (
  select h.unit_code, count(*) as n, count(*) filter (where exists (
    select 1 from live p where p.address_id = h.address_id and p.kind = 'resident')) as lived
  from live h where h.kind = 'housing' and h.category in ('home', 'rental') group by 1
), checks as (
  select l.unit_code, count(*) as n, count(*) filter (where coalesce((
    select max(c.checked_on) from registry_checks c
    where c.record_id = l.id and c.checked_on <= :as_of), l.started_on) + cy.d >= :as_of) as ok
  from live l join cycles cy on cy.k = l.kind || '.' || l.category group by 1
)
select coalesce(a.unit_code, h.unit_code, c.unit_code), a.n, a.housed, h.n, h.lived, c.n, c.ok
from addresses a full join homes h on h.unit_code = a.unit_code
full join checks c on c.unit_code = coalesce(a.unit_code, h.unit_code)
"""
