"""The deprecated plain status change, kept inside the case loop (README "The case loop").

`POST /v1/reports/{id}/status` predates the loop. A status that one of the loop's steps
reaches is taken as that step, with the step's own rules (who, from which status, what the
body needs) and its deadline; marking a duplicate is the desk's, from the statuses it may
refuse from. Every other status (received, assigned, dispatched) needs what only a step
endpoint carries, so it is refused with a 409 that names the endpoint to use: the old
endpoint never moves a case outside the loop.
"""

from __future__ import annotations

from sqlalchemy import Connection

from geogrid.access.errors import Forbidden
from geogrid.errors import NotFoundError, TransitionError
from geogrid.reports import lifecycle
from geogrid.reports.loop import RULES, Actor, StepInput, in_sight, locked_case, may_take

# status asked for -> (the loop's step, whether a verification passed)
STATUS_STEPS: dict[str, tuple[str, bool | None]] = {
    "accepted": ("accept", None),
    "rejected": ("refuse", None),
    "in_progress": ("start", None),
    "resolved": ("handle", None),
    "verified": ("verify", True),
    "closed": ("close", None),
    "rework": ("verify", False),
}
# statuses no plain change reaches, and the step endpoint that does
INSTEAD = {
    "received": "return (退回: back to county triage, with the reason)",
    "assigned": "reassign by a grid redraw, or return",
    "dispatched": "dispatch (派遣: with a handler and an instruction)",
}


def status_step(to_status: str, note: str) -> tuple[str, StepInput]:
    """The loop's step and its input for a plain status change; TransitionError (409)
    naming the step endpoint when no step reaches that status by itself."""
    if to_status in STATUS_STEPS:
        step, passed = STATUS_STEPS[to_status]
        return step, StepInput(note=note, passed=passed)
    if to_status in INSTEAD:
        raise TransitionError(f"the status endpoint no longer moves a case to {to_status}: "
                              f"POST /v1/reports/{{id}}/{INSTEAD[to_status]}",
                              field="status")  # fmt: skip
    raise TransitionError(f"unknown status {to_status!r}", field="status")


def mark_duplicate(conn: Connection, report_id: str, duplicate_of: str | None, note: str,
                   actor: Actor) -> lifecycle.Event:  # fmt: skip
    """Mark a case a duplicate of another: the case's desk, before it is dispatched (as a
    refusal); 404 out of sight, 403 not the desk, 409 from another status."""
    case = locked_case(conn, report_id)
    if not in_sight(case, actor):
        raise NotFoundError(f"no report {report_id}", field="id")
    if not may_take("refuse", case, actor):
        raise Forbidden(f"the role {actor.role} may not mark report {report_id} a duplicate "
                        "(it needs the case's desk)")  # fmt: skip
    allowed = RULES["refuse"].from_statuses
    if case["status"] not in allowed:
        raise TransitionError(f"report {report_id} is {case['status']}: a duplicate is marked "
                              f"from {', '.join(allowed)}", field="status")  # fmt: skip
    return lifecycle.change_status(conn, report_id, "duplicate", actor=actor.name, note=note,
                                   duplicate_of=duplicate_of)  # fmt: skip
