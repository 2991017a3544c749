"""Work logs, patrols with their track points, check-ins, and patrol coverage (issue 18).

Grid staff write their own (every write idempotent, answering 200 with its `outcome`);
the field roles read what lies in their area: grid staff their own, a station its
jurisdiction's people, the county everything. The core is geogrid/patrols/.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from geogrid.api.deps import CallerDep, ConnDep, PageDep, SingleValues, StateDep, next_link
from geogrid.api.errors import PROBLEM_RESPONSES
from geogrid.api.schemas import patrols as s
from geogrid.api.schemas.common import IsoDate, StorableStr
from geogrid.patrols import checkins, reads, tracks, worklogs
from geogrid.patrols.coverage import coverage_by_unit, people_coverage
from geogrid.patrols.points import PointIn
from geogrid.patrols.scope import own_person
from geogrid.vocabulary import MONTH_PATTERN, PATROL_COVER_M, china_month

router = APIRouter(prefix="/v1", tags=["patrols"], responses=PROBLEM_RESPONSES,
                   dependencies=[SingleValues])  # fmt: skip
Month = Annotated[str, Query(pattern=f"^{MONTH_PATTERN}$", description="YYYY-MM (China time).",
                             examples=["2026-06"])]  # fmt: skip
PersonNo = Annotated[StorableStr | None, Query(max_length=32, description="Only this person "
                                               "(register number).")]  # fmt: skip
PatrolId = Annotated[int, Path(ge=1, le=2**53, description="The patrol's id (from its start).")]
Day = Annotated[IsoDate, Path(description="The China day of the log (YYYY-MM-DD).")]


@router.put("/worklogs/{day}", response_model=s.WorkLogSaved, summary="Save my day's work log")
def save_worklog(day: Day, body: s.WorkLogIn, caller: CallerDep, conn: ConnDep) -> s.WorkLogSaved:
    """Create or replace the caller's work log (工作日志) of a China day: `repeated` for a
    request id already applied, `stale` for an edit older than the one kept (nothing
    changes), else `created` or `updated`. No day still to come; photos by id."""
    caller.require("patrols.write")
    entry = worklogs.WorkLogIn(
        body.client_request_id, day, body.text, list(body.photo_ids),
        [p.model_dump(exclude_none=True) for p in body.places], body.edited_at,
    )  # fmt: skip
    saved = worklogs.save_worklog(conn, own_person(caller), entry)
    return s.WorkLogSaved(outcome=saved.outcome, log=s.WorkLogOut(**saved.log))


@router.get("/worklogs", response_model=s.WorkLogPage, summary="Work logs of a month")
def list_worklogs(
    request: Request, month: Month, caller: CallerDep, conn: ConnDep, page: PageDep,
    person: PersonNo = None,
) -> s.WorkLogPage:  # fmt: skip
    """The month's work logs the caller may see (grid staff: their own), by day."""
    caller.require("patrols.read")
    rows = worklogs.worklogs_of_month(conn, caller, month, person_no=person,
                                      limit=page.limit + 1, offset=page.offset)  # fmt: skip
    items = [s.WorkLogOut(**r) for r in rows[: page.limit]]
    return s.WorkLogPage(month=month, items=items,
                         next=next_link(request, page, len(rows) > page.limit))  # fmt: skip


@router.post("/patrols", response_model=s.PatrolSaved, summary="Start a patrol")
def start_patrol(body: s.PatrolStart, caller: CallerDep, conn: ConnDep) -> s.PatrolSaved:
    """Start a patrol of the caller's; the same `client_id` gives the same patrol back
    (`repeated`), with another start time a 409."""
    caller.require("patrols.write")
    outcome, patrol = tracks.start_patrol(conn, own_person(caller), body.client_id,
                                          body.started_at)  # fmt: skip
    return s.PatrolSaved(outcome=outcome, patrol=s.PatrolOut(**patrol))


@router.post("/patrols/{patrol_id}/points", response_model=s.BatchOut,
             summary="Upload a batch of track points")  # fmt: skip
def add_points(
    patrol_id: PatrolId, body: s.TrackBatch, caller: CallerDep, conn: ConnDep
) -> s.BatchOut:
    """Store a batch of points of the caller's patrol once (a `batch_id` sent again stores
    nothing: `repeated`; a point at a moment already stored is not stored twice). A bad
    point (out of range, swapped, 0,0, accuracy below 0, outside the patrol's time) is
    listed under `rejected` by index and field; the good ones are stored."""
    caller.require("patrols.write")
    points = [PointIn(p.at, p.lon, p.lat, p.accuracy_m) for p in body.points]
    result = tracks.add_points(conn, own_person(caller), patrol_id, body.batch_id, points)
    rejected = [s.PointRejected(index=p.index, field=p.field, message=p.message)
                for p in result.rejected]  # fmt: skip
    return s.BatchOut(outcome=result.outcome, stored=result.stored, rejected=rejected,
                      patrol=s.PatrolOut(**result.patrol))  # fmt: skip


@router.post("/patrols/{patrol_id}/stop", response_model=s.PatrolSaved, summary="Stop a patrol")
def stop_patrol(
    patrol_id: PatrolId, body: s.PatrolStop, caller: CallerDep, conn: ConnDep
) -> s.PatrolSaved:
    """Stop the caller's patrol and draw its track; a second stop keeps the first time."""
    caller.require("patrols.write")
    outcome, patrol = tracks.stop_patrol(conn, own_person(caller), patrol_id, body.stopped_at)
    return s.PatrolSaved(outcome=outcome, patrol=s.PatrolOut(**patrol))


@router.get("/patrols", response_model=s.PatrolPage, summary="Patrols of a month")
def list_patrols(
    request: Request, month: Month, caller: CallerDep, conn: ConnDep, page: PageDep,
    person: PersonNo = None,
) -> s.PatrolPage:  # fmt: skip
    """The patrols started in the month that the caller may see, by start (no tracks)."""
    caller.require("patrols.read")
    start, end = china_month(month)
    rows = reads.patrols_between(conn, caller, start, end, person_no=person,
                                 limit=page.limit + 1, offset=page.offset)  # fmt: skip
    items = [s.PatrolOut(**r) for r in rows[: page.limit]]
    return s.PatrolPage(month=month, items=items,
                        next=next_link(request, page, len(rows) > page.limit))  # fmt: skip


@router.get("/patrols/{patrol_id}", response_model=s.PatrolDetail, summary="A patrol's track")
def get_patrol(patrol_id: PatrolId, caller: CallerDep, conn: ConnDep) -> s.PatrolDetail:
    """One patrol in the caller's area with its track (GeoJSON, WGS-84)."""
    caller.require("patrols.read")
    return s.PatrolDetail(**reads.patrol_with_track(conn, caller, patrol_id))


@router.post("/check-ins", response_model=s.CheckInSaved, summary="Check in at a place")
def check_in(
    body: s.CheckInIn, caller: CallerDep, conn: ConnDep, state: StateDep
) -> s.CheckInSaved:
    """A check-in (签到) with at least one photo, placed in a unit by the reports' spatial
    join; the same request id gives the first check-in back (`repeated`)."""
    caller.require("patrols.write")
    entry = checkins.CheckInIn(
        body.client_request_id, body.at, body.lon, body.lat, list(body.photo_ids), body.crs,
        body.accuracy_m, body.place, body.note,
    )  # fmt: skip
    outcome, row = checkins.check_in(conn, state.point_lookup(), own_person(caller), entry,
                                     state.api.tolerance_m)  # fmt: skip
    return s.CheckInSaved(outcome=outcome, check_in=s.CheckInOut(**row))


@router.get("/check-ins", response_model=s.CheckInPage, summary="Check-ins of a month")
def list_check_ins(
    request: Request, month: Month, caller: CallerDep, conn: ConnDep, page: PageDep,
    person: PersonNo = None,
) -> s.CheckInPage:  # fmt: skip
    """The month's check-ins the caller may see, by time."""
    caller.require("patrols.read")
    start, end = china_month(month)
    rows = checkins.check_ins_between(conn, caller, start, end, person_no=person,
                                      limit=page.limit + 1, offset=page.offset)  # fmt: skip
    items = [s.CheckInOut(**r) for r in rows[: page.limit]]
    return s.CheckInPage(month=month, items=items,
                         next=next_link(request, page, len(rows) > page.limit))  # fmt: skip


@router.get("/coverage/units", response_model=s.UnitCoveragePage,
            summary="Patrol coverage per unit of a month")  # fmt: skip
def units_coverage(month: Month, caller: CallerDep, conn: ConnDep) -> s.UnitCoveragePage:
    """Every unit of the active version in the caller's area: the share of its area within
    50 m of the month's patrol tracks (巡查覆盖率), the patrols and days that came that
    near, and its check-ins. For the console's map: join on `code`."""
    caller.require("coverage.read")
    units = coverage_by_unit(conn, month, area=caller.area_codes())
    return s.UnitCoveragePage(month=month, cover_m=PATROL_COVER_M,
                              items=[s.UnitCoverageOut(**vars(u)) for u in units])  # fmt: skip


@router.get("/coverage/people", response_model=s.PersonCoveragePage,
            summary="Patrol coverage per grid leader and information officer")  # fmt: skip
def people_coverage_(month: Month, caller: CallerDep, conn: ConnDep) -> s.PersonCoveragePage:
    """Each grid leader and information officer on duty in the caller's area during the
    month (grid staff: themselves) with the area-weighted coverage of their units."""
    caller.require("coverage.read")
    person = caller.person_id if caller.role == "grid_staff" else None
    rows = people_coverage(conn, month, area=caller.area_codes(), person_id=person)
    return s.PersonCoveragePage(month=month,
                                items=[s.PersonCoverageOut(**r) for r in rows])  # fmt: skip
