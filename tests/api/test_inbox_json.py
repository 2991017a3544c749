"""The inbox's JSON written directly (api/inbox_json.py) is InboxOut's own, to the byte."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from geogrid.api.inbox_json import InboxJson
from geogrid.api.schemas.cases import InboxItemOut, InboxOut
from geogrid.reports.inbox import InboxItem, WaitingCase
from geogrid.vocabulary import CHINA_TZ

WHEN = datetime(2026, 2, 13, 16, 30, 12, 345_000, tzinfo=CHINA_TZ)


def pydantic_json(items: list[InboxItem]) -> bytes:
    """What FastAPI would have written through the response model."""
    out = InboxOut(items=[InboxItemOut.model_validate(i) for i in items], numberReturned=len(items))
    return out.model_dump_json().encode()


def test_the_written_answer_is_inbox_outs_json() -> None:
    cases = [
        WaitingCase("a1", "to_accept", "received", "public_security", "station", WHEN, False,
                    False, 0, WHEN + timedelta(hours=1), timedelta(hours=5)),
        WaitingCase("b2", "attention", "dispatched", "环保 \\ \"引号\"", "department", WHEN,
                    True, True, 3, datetime(2025, 1, 1, 0, 0, tzinfo=CHINA_TZ), timedelta(0)),
        WaitingCase("c3", "to_verify", "resolved", "fire_hazard", "department", WHEN, False,
                    False, 1, None, None),
    ]  # fmt: skip
    clocks = [(False, 0.01, 0), (True, -12345.67, 3), (False, None, 0), (True, -0.0, 1),
              (False, 2.0, 0), (True, -7.5, 2)]  # fmt: skip
    writer = InboxJson()
    for turn in range(2):  # the second time from the kept stored parts
        items = [_item(case, *clocks[(i + turn * 3) % len(clocks)])
                 for i, case in enumerate(cases)]  # fmt: skip
        assert writer.body(cases, items) == pydantic_json(items)
    assert writer.body([], []) == pydantic_json([])
    changed = [replace(cases[0], status="assigned")]  # a new case object: written afresh
    items = [_item(changed[0], False, 1.25, 0)]
    assert writer.body(changed, items) == pydantic_json(items)


def _item(case: WaitingCase, overdue: bool, hours: float | None, escalation: int) -> InboxItem:
    return InboxItem(case.id, case.waiting, case.status, case.category, case.route,
                     case.reported_at, case.urgent, case.supervised, case.rework_count,
                     case.due_at, overdue, hours, escalation)  # fmt: skip
