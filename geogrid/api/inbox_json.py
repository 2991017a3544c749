"""GET /v1/inbox's answer written as InboxOut's JSON directly: each case's stored part once,
its clock at every read.

pydantic validated and wrote the 100 items of a desk's inbox at every call (about a tenth
of a kept call); the stored part of a case (id ... due_at) is the same at every read while
the inbox cache keeps the case, so it is written once by InboxItemOut itself (the same
text by construction) and only the clock (overdue, hours_left, escalation) is written per
read. tests/api/test_inbox.py checks the whole answer against InboxOut's own JSON.
"""

from __future__ import annotations

from geogrid.api.schemas.cases import InboxItemOut
from geogrid.reports.inbox import InboxItem, WaitingCase

MAX_KEPT = 20_000  # cases' stored parts; more are forgotten all at once (a few MB)
_CLOCK = ',"overdue":'  # where a case's stored part ends in InboxItemOut's JSON


class InboxJson:
    """Writes inbox answers, keeping each kept case's stored part as JSON."""

    def __init__(self, max_kept: int = MAX_KEPT) -> None:
        self.max_kept = max_kept
        # id(case) -> (case, its JSON): holding the case keeps its id from being reused,
        # and `is` finds it without hashing its fields.
        self._heads: dict[int, tuple[WaitingCase, str]] = {}

    def body(self, cases: list[WaitingCase], items: list[InboxItem]) -> bytes:
        """InboxOut's JSON for the items, which are `cases` with their clocks."""
        parts = []
        for case, item in zip(cases, items, strict=True):
            kept = self._heads.get(id(case))
            if kept is None or kept[0] is not case:
                kept = (case, _head(item))
                if len(self._heads) >= self.max_kept:
                    self._heads.clear()
                self._heads[id(case)] = kept
            parts.append(kept[1] + _clock(item))
        return f'{{"items":[{",".join(parts)}],"numberReturned":{len(parts)}}}'.encode()


def _head(item: InboxItem) -> str:
    """An item's JSON up to its clock, as InboxItemOut writes it."""
    text = InboxItemOut.model_validate(item).model_dump_json()
    return text[: text.rindex(_CLOCK)]


def _clock(item: InboxItem) -> str:
    """The rest of an item's JSON: its clock (hours_left is already rounded to 2 places)."""
    hours = "null" if item.hours_left is None else repr(item.hours_left)
    overdue = "true" if item.overdue else "false"
    return f'{_CLOCK}{overdue},"hours_left":{hours},"escalation":{item.escalation}}}'
