"""The audit trail: reads of sensitive data and changes, by whom and when (append-only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, text

from geogrid.access.roles import Caller


@dataclass(frozen=True)
class AuditRow:
    """One entry of the audit trail."""

    at: datetime
    user_name: str
    role: str
    action: str
    object_type: str
    object_id: str
    detail: dict | None


def record(
    conn: Connection,
    caller: Caller,
    action: str,
    object_type: str,
    object_id: str = "",
    detail: dict | None = None,
) -> None:
    """Append one entry (in the caller's transaction)."""
    conn.execute(
        text("insert into audit_log (user_name, role, action, object_type, object_id, detail) "
             "values (:u, :r, :a, :t, :i, cast(:d as jsonb))"),
        {"u": caller.name, "r": caller.role, "a": action, "t": object_type,
         "i": str(object_id)[:64], "d": None if detail is None else _json(detail)},
    )  # fmt: skip


def record_report_reads(conn: Connection, caller: Caller, rows: list[dict], action: str) -> None:
    """Record a read of reports of sensitive categories whose details were shown (one entry
    per request, naming up to 100 report ids)."""
    shown = [str(r["id"]) for r in rows if r["sensitive"] and not r["redacted"]]
    if not shown:
        return
    detail = {"count": len(shown), "ids": shown[:100],
              "categories": sorted({r["category"] for r in rows if r["sensitive"]})}  # fmt: skip
    record(conn, caller, action, "report", shown[0] if len(shown) == 1 else "", detail)


def recent(conn: Connection, limit: int = 100, user_name: str | None = None) -> list[AuditRow]:
    """The newest entries first, optionally of one user."""
    rows = conn.execute(
        text("select at, user_name, role, action, object_type, object_id, detail "
             "from audit_log where (cast(:u as text) is null or user_name = :u) "
             "order by id desc limit :n"),
        {"u": user_name, "n": limit},
    ).all()  # fmt: skip
    return [AuditRow(*r) for r in rows]


def _json(detail: dict) -> str:
    import json

    return json.dumps(detail, ensure_ascii=False, default=str)
