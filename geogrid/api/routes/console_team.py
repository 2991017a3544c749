"""The console's team pages (队伍): the source case's figures for a period (成效) with its
printable PDF, the people of the caller's area with their selection state (a page at a
time), the leave requests waiting, a request's page with its proposed covers, a person's
record, and recording a reward or sanction. Every step calls the same team use case as the
API; scope as the API: another station's person or leave request is the 404 page."""

from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response

from geogrid.access.audit import record
from geogrid.api.deps import ConnDep, StateDep
from geogrid.api.routes.team import person_in_scope
from geogrid.console.pages import ConsoleRoute, FormDep, PageDep, page_context
from geogrid.console.paging import link_to, page_ask
from geogrid.console.render import CONSOLE, render
from geogrid.errors import InputError
from geogrid.storage.selection import selection_gaps
from geogrid.team import actions, leave, selection
from geogrid.team.desk import members_page, waiting_count, waiting_leave
from geogrid.team.figures import source_figures
from geogrid.team.people import person_by_id
from geogrid.vocabulary import (
    ACTION_NAMES_ZH,
    SELECTION_STAGES,
    STAGE_NAMES_ZH,
    TEAM_ACTIONS,
    china_today,
)

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
TEAM = f"{CONSOLE}/team"
LeaveId = Annotated[int, Path(ge=1, le=2**31 - 1)]  # the column's range (else the 400 page)
# Proposing a request's covers takes ~5 ms (a spatial join per grid held), so the list
# shows the requests only and each request's page proposes its covers; the earliest are
# decided first, and deciding one brings the next onto the list.
WAITING_SHOWN = 50
DONE = {"approve": "请假已批准，顶岗人员已在岗", "refuse": "请假已驳回", "action": "奖惩已记录"}


def _period(first: date | None, last: date | None) -> tuple[date, date]:
    """The asked-for days, else this month so far (China time)."""
    today = china_today()
    return first or today.replace(day=1), last or today


@router.get(TEAM + "/figures")
def figures_page(request: Request, page: PageDep, conn: ConnDep, first: date | None = None,
                 last: date | None = None) -> Response:  # fmt: skip
    """The source case's result table for a period and the caller's area."""
    page.caller.require("team.read")
    first, last = _period(first, last)
    found = source_figures(conn, first, last, page.caller.area_codes())
    from geogrid.prints.team_figures import figure_rows  # matplotlib: only when drawn

    return render(request, "team_figures.html", **page_context(
        page, first=first, last=last, rows=figure_rows(found),
        area="全县" if found.area is None else page.caller.station_code))  # fmt: skip


@router.get(TEAM + "/figures.pdf")
def figures_pdf(page: PageDep, conn: ConnDep, first: date | None = None,
                last: date | None = None) -> Response:  # fmt: skip
    """The same table as one printable A4 page."""
    page.caller.require("team.read")
    first, last = _period(first, last)
    found = source_figures(conn, first, last, page.caller.area_codes())
    named = {"Content-Disposition": f'inline; filename="figures-{first}-{last}.pdf"'}
    from geogrid.prints.team_figures import write_figures_pdf

    with tempfile.TemporaryDirectory() as folder:
        path = write_figures_pdf(found, f"一村一警务助理工作成效 {first} 至 {last}",
                                 FilePath(folder) / "figures.pdf")  # fmt: skip
        return Response(path.read_bytes(), media_type="application/pdf", headers=named)


@router.get(TEAM)
def team_page(request: Request, page: PageDep, state: StateDep, conn: ConnDep) -> Response:
    """A page of the area's assistants with their selection state (50, searched, with the
    count of all), and the leave waiting for a decision, earliest first, each linking to
    its page with the covers proposed (the reads are audited)."""
    caller = page.caller
    caller.require("team.read")
    area, asked = caller.area_codes(), dict(request.query_params)
    members = members_page(conn, area, china_today(), state.settings.review_months,
                           page_ask(asked, "page", "q"))  # fmt: skip
    waiting = waiting_leave(conn, area, limit=WAITING_SHOWN)
    record(conn, caller, "read", "selection", "", {"people": len(members.rows)})
    record(conn, caller, "read", "leave", "", {"requests": len(waiting)})
    return render(request, "team.html", **page_context(
        page, members=members, waiting=waiting, waiting_total=waiting_count(conn, area),
        stages=SELECTION_STAGES, stage_names=STAGE_NAMES_ZH, action_names=ACTION_NAMES_ZH,
        kinds=TEAM_ACTIONS, today=china_today(), done=DONE.get(asked.get("done", "")),
        query_of=link_to(asked)))  # fmt: skip


@router.get(TEAM + "/leave/{leave_id}")
def leave_page(request: Request, leave_id: LeaveId, page: PageDep, conn: ConnDep) -> Response:
    """One leave request with, per grid the person holds, who could cover it (best first),
    to approve with the cover chosen or to refuse (the covers' read is audited)."""
    caller = page.caller
    caller.require("team.read")
    found = leave.leave_in_scope(conn, caller, leave_id)
    covers: dict[str, list[leave.CoverOption]] = {}
    if found.status == "requested":
        for option in leave.propose_covers(conn, found):
            covers.setdefault(option.grid_code, []).append(option)
    record(conn, caller, "read", "leave_covers", str(leave_id),
           {"people": sum(len(o) for o in covers.values())})  # fmt: skip
    return render(request, "team_leave.html", **page_context(
        page, item=found, person=person_by_id(conn, found.person_id), covers=covers))  # fmt: skip


@router.get(TEAM + "/people/{person_no}")
def person_page(request: Request, person_no: str, page: PageDep, conn: ConnDep) -> Response:
    """One person's selection history, rewards and sanctions, and leave (audited)."""
    caller = page.caller
    caller.require("team.read")
    person = person_in_scope(conn, caller, person_no)
    record(conn, caller, "read", "selection", person.person_no)
    return render(request, "team_person.html", **page_context(
        page, person=person, history=selection.history(conn, person),
        missing=selection_gaps(conn, person.id), done_actions=actions.actions_of(conn, person),
        leaves=leave.leave_of_person(conn, person), stage_names=STAGE_NAMES_ZH,
        action_names=ACTION_NAMES_ZH))  # fmt: skip


@router.post(TEAM + "/leave/{leave_id}/approve")
def approve(leave_id: LeaveId, form: FormDep, conn: ConnDep) -> RedirectResponse:
    """Approve with the cover chosen per grid (`cover:<grid>`), else the first proposal."""
    caller = form.page.caller
    caller.require("team.manage")
    leave.leave_in_scope(conn, caller, leave_id)
    chosen = {name[len("cover:"):]: values[0] for name, values in form.fields.items()
              if name.startswith("cover:") and values and values[0]}  # fmt: skip
    leave.approve_leave(conn, leave_id, caller.describe(), chosen)
    return RedirectResponse(f"{TEAM}?done=approve", status_code=303)


@router.post(TEAM + "/leave/{leave_id}/refuse")
def refuse(leave_id: LeaveId, form: FormDep, conn: ConnDep) -> RedirectResponse:
    """Refuse a request still waiting."""
    caller = form.page.caller
    caller.require("team.manage")
    leave.leave_in_scope(conn, caller, leave_id)
    leave.refuse_leave(conn, leave_id, caller.describe())
    return RedirectResponse(f"{TEAM}?done=refuse", status_code=303)


@router.post(TEAM + "/actions")
def add_action(form: FormDep, conn: ConnDep) -> RedirectResponse:
    """A reward or sanction of a person of the area (一案一奖 names its report; a dismissal
    needs its reason and ends the person's grids)."""
    caller = form.page.caller
    caller.require("team.manage")
    person = person_in_scope(conn, caller, form.get("person_no"))
    action = actions.ActionIn(form.get("kind"), _day(form.get("on_day"), "on_day"),
                              form.get("reason"), caller.describe(), _amount(form.get("amount")),
                              form.get("report_id") or None)  # fmt: skip
    actions.record_action(conn, person, action)
    record(conn, caller, "change", "team_action", person.person_no, {"kind": action.kind})
    return RedirectResponse(f"{TEAM}?done=action", status_code=303)


def _day(value: str, field: str) -> date:
    if not value:
        return china_today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{field} {value!r} is not a date (2026-06-01)", field=field) from None


def _amount(value: str) -> Decimal:
    try:
        return Decimal(value or "0")
    except InvalidOperation:
        raise InputError(f"amount {value!r} is not a number of yuan", field="amount") from None
