"""The console's grids and people: grids without their person, people with their vetting
state, moving a person to a grid from a day, standing instructions to a grid, and the grid
versions with the grids a redraw changed (drawn on the map page)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from geogrid.api.deps import ConnDep, StateDep
from geogrid.console.pages import ConsoleRoute, FormDep, PageDep, page_context
from geogrid.console.paging import link_to, page_ask
from geogrid.console.render import CONSOLE, render
from geogrid.errors import InputError, NotFoundError
from geogrid.reports.lifecycle import instruct_grid
from geogrid.storage.grids import diff_versions, version_rows
from geogrid.usecases.grid_people import move_person, people_of_area, unstaffed_grids
from geogrid.vocabulary import china_today

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
GRIDS = f"{CONSOLE}/grids"
DONE = {"move": "人员已调整", "instruct": "指令已下达"}


@router.get(GRIDS)
def grids_page(request: Request, page: PageDep, state: StateDep, conn: ConnDep) -> Response:
    """Grids without their person and the people of the area, 50 a page with a search
    box each and the count of the whole, and the grid versions."""
    caller = page.caller
    caller.require("grids.read")
    asked, today = dict(request.query_params), china_today()
    people_ask, grids_ask = page_ask(asked, "page", "q"), page_ask(asked, "gpage", "gq")
    versions = version_rows(state.engine) if caller.may("grids.versions") else []
    return render(request, "grids.html", **page_context(
        page, unstaffed=unstaffed_grids(conn, caller, today, grids_ask),
        people=people_of_area(conn, caller, today, people_ask), versions=versions, today=today,
        desk=caller.may("grids.instruct"), done=DONE.get(asked.get("done", "")),
        query_of=link_to(asked)))  # fmt: skip


@router.get(GRIDS + "/diff")
def diff_page(request: Request, page: PageDep, state: StateDep, old: int, new: int) -> Response:
    """The grids of the caller's area that a redraw added, removed or changed."""
    page.caller.require("grids.versions")
    found = diff_versions(state.engine, old, new)
    mine = {name: [c for c in getattr(found, name) if page.caller.covers(c)]
            for name in ("added", "removed", "changed")}  # fmt: skip
    return render(request, "grid_diff.html", **page_context(page, old=old, new=new, **mine))


@router.post(GRIDS + "/move")
def move(form: FormDep, conn: ConnDep) -> RedirectResponse:
    """Move a person to a grid from a day (today unless given)."""
    form.page.caller.require("grids.instruct")
    move_person(conn, form.page.caller, form.get("person_no"), form.get("grid_code"),
                _day(form.get("valid_from")))  # fmt: skip
    return RedirectResponse(f"{GRIDS}?done=move", status_code=303)


@router.post(GRIDS + "/instruct")
def instruct(form: FormDep, conn: ConnDep) -> RedirectResponse:
    """A standing instruction to the assistants of a grid of the caller's area."""
    caller = form.page.caller
    caller.require("grids.instruct")
    code = form.get("grid_code")
    if not caller.covers(code):
        raise NotFoundError(f"no grid {code}", field="grid_code")
    instruct_grid(conn, code, form.get("text"), actor=caller.name, station_id=caller.station_id)
    return RedirectResponse(f"{GRIDS}?done=instruct", status_code=303)


def _day(value: str) -> date:
    if not value:
        return china_today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"valid_from {value!r} is not a date (2026-06-01)",
                         field="valid_from") from None  # fmt: skip
