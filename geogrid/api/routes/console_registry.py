"""The console's basic-information page (基础信息): completeness per community for a month,
and the pending registry proposals of the caller's area with confirm (核实) and reject forms.

Thin: the registry's own use cases keep to the caller's area and audit every read of
personal details; another station's proposal is the console's 404 page, as under /v1.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from geogrid.api.deps import ConnDep, StateDep
from geogrid.console.pages import ConsoleRoute, FormDep, PageDep, page_context
from geogrid.console.registry_form import LIKELY_KIND, completed_from_form, field_sets
from geogrid.console.render import CONSOLE, render
from geogrid.registry import completeness, reads, records
from geogrid.registry.idnumbers import IdCipher
from geogrid.vocabulary import china_today

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
REGISTRY = f"{CONSOLE}/registry"
PENDING_SHOWN = 100  # the page lists the oldest pending proposals first
DONE = {"confirmed": "已核实，变更已入库", "rejected": "已退回"}
ProposalId = Annotated[int, Path(ge=1, le=2**53)]
Month = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


@router.get(REGISTRY)
def registry_page(
    request: Request, page: PageDep, state: StateDep, conn: ConnDep, month: Month = None
) -> Response:
    """Completeness per community for a month and the pending proposals of the area."""
    caller = page.caller
    caller.require("registry.read")
    month = month or china_today().strftime("%Y-%m")
    rates = completeness.completeness(conn, month, 1, caller.area_codes(),
                                      state.settings.registry_cycles_file)  # fmt: skip
    pending = reads.list_proposals(conn, caller, limit=PENDING_SHOWN)
    done = DONE.get(request.query_params.get("done", ""))
    return render(request, "registry.html", **page_context(
        page, month=month, rates=rates, pending=pending, done=done,
        shown=PENDING_SHOWN))  # fmt: skip


@router.get(REGISTRY + "/proposals/{proposal_id}")
def proposal_page(request: Request, proposal_id: ProposalId, page: PageDep, state: StateDep,
                  conn: ConnDep) -> Response:  # fmt: skip
    """One proposal of the caller's area, with its forms while it is pending (a report's:
    the form that completes it into a record)."""
    found = reads.get_proposal(conn, page.caller, proposal_id)
    category = (found.change.get("report") or {}).get("category")
    return render(request, "registry_proposal.html", **page_context(
        page, proposal=found, field_sets=field_sets(state.settings.registry_cycles_file),
        likely=LIKELY_KIND.get(category, "housing")))  # fmt: skip


@router.post(REGISTRY + "/proposals/{proposal_id}/confirm")
def confirm(proposal_id: ProposalId, form: FormDep, state: StateDep,
            conn: ConnDep) -> RedirectResponse:  # fmt: skip
    """Confirm (核实): the proposal becomes the record, with its version (a report's: the
    record filled in on its page)."""
    completed = completed_from_form(form)
    cipher = IdCipher.from_settings(state.settings) if completed and completed.id_number else None
    records.decide(conn, form.page.caller, proposal_id, confirm=True, note=form.get("note"),
                   cycles_file=state.settings.registry_cycles_file, completed=completed,
                   cipher=cipher)  # fmt: skip
    return RedirectResponse(f"{REGISTRY}?done=confirmed", status_code=303)


@router.post(REGISTRY + "/proposals/{proposal_id}/reject")
def reject(proposal_id: ProposalId, form: FormDep, conn: ConnDep) -> RedirectResponse:
    """Reject: the proposal is kept, rejected; the record stays as it was."""
    records.decide(conn, form.page.caller, proposal_id, confirm=False, note=form.get("note"))
    return RedirectResponse(f"{REGISTRY}?done=rejected", status_code=303)
