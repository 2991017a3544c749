"""What each step of the case loop writes, once loop.take_step has checked who and when.

Each function takes the locked case, the step's input, the actor, the calendar and the
clock, checks the body (InputError naming the field), updates the report and returns the
Change that the step's event records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, text

from geogrid.errors import InputError, NotFoundError, TransitionError
from geogrid.reports.deadlines import WorkCalendar, due_at
from geogrid.vocabulary import as_china_time


@dataclass(frozen=True)
class Change:
    """A step's outcome: the status after it, the note and the deadline it set."""

    to_status: str
    note: str
    due_at: datetime | None


def accept_due(calendar: WorkCalendar, case: dict) -> datetime:
    """The acceptance deadline of a case not yet accepted (stored, or counted from receipt)."""
    if case["due_at"] is not None:
        return case["due_at"]
    return due_at(calendar, case["received_at"], case["limits"], "accept", urgent=case["urgent"])


def _set(conn: Connection, case: dict, **values) -> None:
    assignments = ", ".join(f"{name} = :{name}" for name in values)
    conn.execute(text(f"update reports set {assignments} where id = :report_id"),
                 values | {"report_id": case["id"]})  # fmt: skip


def _needs_note(body, what: str) -> str:
    if not body.note.strip():
        raise InputError(f"{what} needs a note", field="note")
    return body.note


def _accept(conn, case, body, actor, calendar, now) -> Change:
    due = accept_due(calendar, case)  # the desk's limit covers accepting and dispatching
    _set(conn, case, status="accepted", due_at=due)
    return Change("accepted", body.note, due)


def _refuse(conn, case, body, actor, calendar, now) -> Change:
    note = _needs_note(body, "refusing a report (不予受理)")
    _set(conn, case, status="rejected", due_at=None)
    return Change("rejected", note, None)


def _return(conn, case, body, actor, calendar, now) -> Change:
    note = _needs_note(body, "returning a report to county triage")
    due = due_at(calendar, now, case["limits"], "accept", urgent=case["urgent"])
    _set(conn, case, status="received", route="triage", department_id=None, due_at=due)
    return Change("received", note, due)


def _dispatch(conn, case, body, actor, calendar, now) -> Change:
    note = _needs_note(body, "a dispatch (its instruction)")
    person, department = _handler_ids(conn, body)
    urgent = case["urgent"] if body.urgent is None else body.urgent
    due = body.due_at
    if due is None:
        due = due_at(calendar, now, case["limits"], "handle", urgent=urgent)
    elif as_china_time(due) <= now:
        raise InputError(f"due_at {due.isoformat()} has passed", field="due_at")
    _set(conn, case, status="dispatched", due_at=due, urgent=urgent, handler_person_id=person,
         handler_department_id=department, dispatched_by=actor.name,
         dispatcher_role=actor.role)  # fmt: skip
    return Change("dispatched", note, due)


def _handler_ids(conn: Connection, body) -> tuple[int | None, int | None]:
    if (body.handler_person is None) == (body.handler_department is None):
        raise InputError("a dispatch names one handler: handler_person or handler_department",
                         field="handler_person")  # fmt: skip
    if body.handler_person is not None:
        found = conn.execute(text("select id from people where person_no = :n and active"),
                             {"n": body.handler_person}).scalar()  # fmt: skip
        if found is None:
            raise NotFoundError(f"no active person {body.handler_person}", field="handler_person")
        return found, None
    found = conn.execute(text("select id from departments where code = :c"),
                         {"c": body.handler_department}).scalar()  # fmt: skip
    if found is None:
        raise NotFoundError(f"no department {body.handler_department}",
                            field="handler_department")  # fmt: skip
    return None, found


def _start(conn, case, body, actor, calendar, now) -> Change:
    _set(conn, case, status="in_progress")
    return Change("in_progress", body.note, case["due_at"])


def _handle(conn, case, body, actor, calendar, now) -> Change:
    note = _needs_note(body, "handling a case (what was done)")
    due = due_at(calendar, now, case["limits"], "verify", urgent=case["urgent"])
    _set(conn, case, status="resolved", due_at=due)
    return Change("resolved", note, due)


def _verify(conn, case, body, actor, calendar, now) -> Change:
    if body.passed is None:
        raise InputError("a verification says whether it passed", field="passed")
    if body.passed:  # no stage deadline: the desk's close is not timed (README)
        _set(conn, case, status="verified", due_at=None)
        return Change("verified", body.note, None)
    note = _needs_note(body, "a failed verification (what is still wrong)")
    due = due_at(calendar, now, case["limits"], "handle", urgent=case["urgent"])
    _set(conn, case, status="rework", due_at=due, rework_count=case["rework_count"] + 1)
    return Change("rework", note, due)


def _close(conn, case, body, actor, calendar, now) -> Change:
    _set(conn, case, status="closed", due_at=None)
    return Change("closed", body.note, None)


def _extension(conn, case, body, actor, calendar, now) -> Change:
    note = _needs_note(body, "an extension request (its reason)")
    if body.due_at is None:
        raise InputError("an extension request names the deadline asked for", field="due_at")
    until = as_china_time(body.due_at)
    if until <= max(now, case["due_at"] or now):
        raise InputError(f"due_at {until.isoformat()} is not after the present deadline",
                         field="due_at")  # fmt: skip
    if _pending(conn, case) is not None:
        raise TransitionError(f"report {case['id']} has an extension request waiting",
                              field="extension")  # fmt: skip
    conn.execute(text("insert into report_extensions (report_id, asked_at, asked_by, reason, "
                      "until) values (:r, :at, :by, :reason, :until)"),
                 {"r": case["id"], "at": now, "by": actor.name, "reason": note,
                  "until": until})  # fmt: skip
    return Change(case["status"], note, until)


def _pending(conn: Connection, case: dict):
    return conn.execute(text("select id, until from report_extensions where report_id = :r "
                             "and status = 'pending'"), {"r": case["id"]}).first()  # fmt: skip


def _extension_decide(conn, case, body, actor, calendar, now) -> Change:
    if body.approve is None:
        raise InputError("a decision says whether the extension is approved", field="approve")
    pending = _pending(conn, case)
    if pending is None:
        raise TransitionError(f"report {case['id']} has no extension request waiting",
                              field="extension")  # fmt: skip
    conn.execute(text("update report_extensions set status = :s, decided_by = :by, "
                      "decided_at = :at where id = :id"),
                 {"s": "approved" if body.approve else "refused", "by": actor.name, "at": now,
                  "id": pending.id})  # fmt: skip
    due = pending.until if body.approve else case["due_at"]
    if body.approve:
        _set(conn, case, due_at=due)
    return Change(case["status"], body.note, due)


def _supervise(conn, case, body, actor, calendar, now) -> Change:
    note = _needs_note(body, "supervision (督办)")
    _set(conn, case, supervised_at=case["supervised_at"] or now)
    return Change(case["status"], note, case["due_at"])


APPLY = {
    "accept": _accept, "refuse": _refuse, "return": _return, "dispatch": _dispatch,
    "start": _start, "handle": _handle, "verify": _verify, "close": _close,
    "extension": _extension, "extension_decide": _extension_decide, "supervise": _supervise,
}  # fmt: skip
