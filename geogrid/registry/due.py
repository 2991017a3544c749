"""What falls due in a grid: rentals to inspect (检查) and key persons to visit (走访).

The console's grid panel and the printed patrol sheet show the same list, read here once.
Both are personal data: only the callers who see details (the station of the jurisdiction
and the county) get a list, and reading it is audited by `reads.list_records`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection

from geogrid.access.roles import Caller
from geogrid.registry import reads
from geogrid.vocabulary import KEY_PERSON_NAMES_ZH

DUE_AHEAD_DAYS = 7  # a patrol plans the coming week: what falls due within it is listed too
DUE_LIMIT = 500  # records read for one grid; the fronts show the first ones and a count


@dataclass(frozen=True)
class DueItem:
    """One check due: what (出租房屋检查 / 重点人员走访), who or whose, where, by when."""

    record_id: int
    task: str
    label: str
    address: str
    unit_code: str | None
    due_on: date
    overdue: bool


def due_in_grid(conn: Connection, caller: Caller, grid_code: str, day: date) -> list[DueItem]:
    """Rentals and key persons in the grid (any level) due by `day` plus a week, most
    overdue first; empty for callers who do not see personal details (nothing is read)."""
    if not caller.sees_details:
        return []
    records = reads.list_records(conn, caller, grid=grid_code,
                                 due_by=day + timedelta(days=DUE_AHEAD_DAYS),
                                 limit=DUE_LIMIT)  # fmt: skip
    items = [
        _item(r, day) for r in records if r.due_on is not None and _is_due_kind(r.kind, r.category)
    ]
    return sorted(items, key=lambda item: (item.due_on, item.record_id))


def _is_due_kind(kind: str, category: str) -> bool:
    return kind == "key_person" or (kind == "housing" and category == "rental")


def _item(record: reads.RecordView, day: date) -> DueItem:
    data = record.data or {}
    if record.kind == "key_person":
        kind_name = KEY_PERSON_NAMES_ZH.get(record.category, record.category)
        task, label = "走访", f"{data.get('name', '')}（{kind_name}）"
    else:
        task, label = "检查", f"出租房屋 房东 {data.get('landlord') or data.get('owner') or '—'}"
    return DueItem(record.id, task, label, record.address, record.unit_code, record.due_on,
                   record.due_on < day)  # fmt: skip
