"""Leave (请销假): a request with its days and reason, the station's decision, a cover on
duty for each of the person's grids while they are away, and return (销假) ending it.

The covers proposed for a grid: the leaders (or officers) on duty in the grids that touch
it, those of the same community first, then the community police officer; nobody who is on
leave themselves. The station chooses one per grid, or takes the first proposal. While a
cover stands, storage/duty.py puts the cover on duty: reports of the grid get the cover and
the cover's phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection, text

from geogrid.access.roles import Caller
from geogrid.errors import InputError, NotFoundError, TransitionError
from geogrid.storage.duty import on_duty_sql
from geogrid.storage.versions import active_version
from geogrid.team.people import PersonRef, find_person, person_by_id, plausible_day
from geogrid.vocabulary import LEVEL_OF_ROLE, china_now

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Leave:
    """A leave request as stored."""

    id: int
    person_id: int
    first_day: date
    last_day: date
    reason: str
    status: str
    returned_on: date | None


@dataclass(frozen=True)
class CoverOption:
    """Someone who could stand in for the person on leave on one grid, and why."""

    grid_code: str
    role: str
    person_no: str
    name: str
    phone: str
    why: str  # "neighbour" (a touching grid's holder) or "community_police"


def request_leave(
    conn: Connection, person: PersonRef, first_day: date, last_day: date, reason: str
) -> int:
    """Record a request (status requested); refused when the days are upside down, the
    reason is empty, or it overlaps another request of the person still standing."""
    plausible_day(first_day, "first_day")
    plausible_day(last_day, "last_day")
    if last_day < first_day:
        raise InputError(f"leave of {person.label()} ends ({last_day}) before it begins "
                         f"({first_day})", field="last_day")  # fmt: skip
    if not reason.strip():
        raise InputError("a leave request needs a reason", field="reason")
    clash = conn.execute(text(
        "select id from leave_requests where person_id = :p and status in ('requested',"
        " 'approved') and first_day <= :last and last_day >= :first"),
        {"p": person.id, "first": first_day, "last": last_day}).first()  # fmt: skip
    if clash is not None:
        raise InputError(f"{person.label()} already has leave request {clash.id} on some of "
                         f"{first_day}..{last_day}", field="first_day")  # fmt: skip
    return conn.execute(text(
        "insert into leave_requests (person_id, first_day, last_day, reason)"
        " values (:p, :f, :l, :r) returning id"),
        {"p": person.id, "f": first_day, "l": last_day, "r": reason}).scalar_one()  # fmt: skip


def get_leave(conn: Connection, leave_id: int) -> Leave:
    """A leave request by id (NotFoundError naming it)."""
    row = conn.execute(text(
        "select id, person_id, first_day, last_day, reason, status, returned_on"
        " from leave_requests where id = :i"), {"i": leave_id}).first()  # fmt: skip
    if row is None:
        raise NotFoundError(f"no leave request {leave_id}", field="leave_id")
    return Leave(*row)


def leave_in_scope(conn: Connection, caller: Caller, leave_id: int) -> Leave:
    """The leave request if its person is in the caller's scope; NotFoundError naming
    `leave_id` otherwise (another station's request does not exist for it)."""
    found = get_leave(conn, leave_id)
    person = person_by_id(conn, found.person_id)
    if not caller.sees_person(person.id, person.community_code):
        raise NotFoundError(f"no leave request {leave_id}", field="leave_id")
    return found


def grids_to_cover(conn: Connection, leave: Leave) -> list[tuple[str, str]]:
    """(grid_code, role) of each grid the person holds on the first day of leave."""
    rows = conn.execute(text(
        "select distinct a.grid_code, a.role from grid_assignments a where a.person_id = :p"
        f" and {on_duty_sql('a', ':day')} order by 1, 2"),
        {"p": leave.person_id, "day": leave.first_day}).all()  # fmt: skip
    return [tuple(r) for r in rows]


def propose_covers(conn: Connection, leave: Leave) -> list[CoverOption]:
    """For each grid the person holds, who could cover it, best first."""
    options = []
    for code, role in grids_to_cover(conn, leave):
        params = {"code": code, "role": role, "level": LEVEL_OF_ROLE[role],
                  "v": active_version(conn), "day": leave.first_day, "absent": leave.person_id,
                  "first": leave.first_day, "last": leave.last_day}  # fmt: skip
        for row in conn.execute(text(_PROPOSALS_SQL), params):
            options.append(CoverOption(code, role, *row))
    return options


# Neighbours: the holders of the grids of the same level that touch this one (its own
# community first), then the community police officer of its community; none on leave.
_PROPOSALS_SQL = f"""
with candidates as (
  select p.id, p.person_no, p.name, p.phone, 'neighbour' as why,
         (left(n.code, 12) <> left(:code, 12))::int as rank, n.code as via
  from grids g
  join grids n on n.version_id = g.version_id and n.level = g.level and n.code <> g.code
               and st_intersects(n.geom, g.geom)
  join grid_assignments a on a.grid_code = n.code and a.role = :role and {on_duty_sql("a")}
  join people p on p.id = a.person_id
  where g.version_id = :v and g.code = :code and g.level = :level
  union all
  select p.id, p.person_no, p.name, p.phone, 'community_police', 2, a.grid_code
  from grid_assignments a join people p on p.id = a.person_id
  where a.grid_code = left(:code, 12) and a.role = 'community_police' and {on_duty_sql("a")}
)
select person_no, name, phone, why from (
  select distinct on (c.id) c.* from candidates c
  where c.id <> :absent and not exists (
    select 1 from leave_requests l where l.person_id = c.id and l.status = 'approved'
      and l.first_day <= :last and l.last_day >= :first)
  order by c.id, rank, via
) best order by rank, via, person_no
"""


def approve_leave(
    conn: Connection, leave_id: int, decided_by: str, chosen: dict[str, str] | None = None
) -> list[CoverOption]:
    """Approve a request and put a cover on duty for each grid the person holds: the one
    chosen (grid code -> register number, who must be among the proposals) or else the
    first proposal. Returns the covers."""
    leave = _standing(conn, leave_id, "requested")
    options = propose_covers(conn, leave)
    chosen = chosen or {}
    held = grids_to_cover(conn, leave)
    strange = sorted(set(chosen) - {code for code, _ in held})
    if strange:
        raise InputError(f"leave {leave_id}: the person holds no grid {', '.join(strange)} on "
                         f"{leave.first_day}", field="covers")  # fmt: skip
    covers = []
    for code, role in held:
        mine = [o for o in options if o.grid_code == code and o.role == role]
        wanted = chosen.get(code)
        pick = [o for o in mine if o.person_no == wanted] if wanted else mine[:1]
        if not pick:
            raise InputError(f"nobody {'called ' + wanted if wanted else 'free'} can cover grid "
                             f"{code} for leave {leave_id}", field="covers")  # fmt: skip
        _put_cover(conn, leave, code, role, find_person(conn, pick[0].person_no).id)
        covers.append(pick[0])
    _decide(conn, leave_id, "approved", decided_by)
    return covers


def _put_cover(conn: Connection, leave: Leave, code: str, role: str, cover_id: int) -> None:
    conn.execute(text(
        "insert into duty_covers (leave_id, grid_code, role, absent_person_id, cover_person_id,"
        " first_day, last_day) values (:l, :c, :r, :a, :cover, :f, :t)"),
        {"l": leave.id, "c": code, "r": role, "a": leave.person_id, "cover": cover_id,
         "f": leave.first_day, "t": leave.last_day})  # fmt: skip


def refuse_leave(conn: Connection, leave_id: int, decided_by: str) -> None:
    """Refuse a request still waiting."""
    _standing(conn, leave_id, "requested")
    _decide(conn, leave_id, "refused", decided_by)


def end_leave(conn: Connection, leave_id: int, day: date) -> None:
    """Return (销假) on `day`: the person is back on duty from that day, the covers end the
    day before (a cover not yet begun is dropped)."""
    leave = _standing(conn, leave_id, "approved")
    plausible_day(day, "day")
    if day < leave.first_day:
        raise InputError(f"return on {day} is before leave {leave_id} began ({leave.first_day})",
                         field="day")  # fmt: skip
    conn.execute(text("delete from duty_covers where leave_id = :l and first_day >= :d"),
                 {"l": leave_id, "d": day})  # fmt: skip
    conn.execute(text("update duty_covers set last_day = least(last_day, :end)"
                      " where leave_id = :l"),
                 {"l": leave_id, "end": day - ONE_DAY})  # fmt: skip
    conn.execute(text("update leave_requests set status = 'returned', returned_on = :d"
                      " where id = :l"), {"l": leave_id, "d": day})  # fmt: skip


def _standing(conn: Connection, leave_id: int, status: str) -> Leave:
    leave = get_leave(conn, leave_id)
    if leave.status != status:
        raise TransitionError(f"leave request {leave_id} is {leave.status}, not {status}",
                              field="leave_id")  # fmt: skip
    return leave


def _decide(conn: Connection, leave_id: int, status: str, decided_by: str) -> None:
    conn.execute(text("update leave_requests set status = :s, decided_by = :by, decided_at = :at"
                      " where id = :l"),
                 {"s": status, "by": decided_by, "at": china_now(), "l": leave_id})  # fmt: skip


def leave_of_person(conn: Connection, person: PersonRef) -> list[Leave]:
    """A person's leave requests, newest first."""
    rows = conn.execute(text(
        "select id, person_id, first_day, last_day, reason, status, returned_on"
        " from leave_requests where person_id = :p order by first_day desc, id desc"),
        {"p": person.id})  # fmt: skip
    return [Leave(*row) for row in rows]
