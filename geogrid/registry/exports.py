"""Export of the registry as the offices import it (CSV in UTF-8 with a BOM, or XLSX): the
same columns the import reads. ID numbers are masked unless asked for explicitly, which
only the county may do and the audit trail records."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import Connection

from geogrid.access import audit
from geogrid.access.roles import Caller
from geogrid.registry.changes import FIELDS
from geogrid.registry.idnumbers import IdCipher
from geogrid.registry.reads import get_record, list_records

FIRST_COLUMNS = ("record_id", "address_code", "address", "unit_code", "started_on",
                 "ended_on", "last_checked_on", "due_on")  # fmt: skip


def export_registry(
    conn: Connection, caller: Caller, kind: str, path: Path, *, id_numbers: bool = False,
    cipher: IdCipher | None = None,
) -> int:  # fmt: skip
    """Write the current records of a kind in the caller's area to a file; how many."""
    views = list_records(conn, caller, kind=kind, limit=10**9)
    if id_numbers:
        caller.require("registry.reveal")
        views = [get_record(conn, caller, v.id, reveal=True, cipher=cipher) if v.id_number
                 else v for v in views]  # fmt: skip
        audit.record(conn, caller, "registry.export_ids", "registry_record", "",
                     {"kind": kind, "count": len(views), "file": Path(path).name})  # fmt: skip
    fields = list(FIELDS[kind])
    header = [*FIRST_COLUMNS, *fields, "id_number"]
    rows = [[v.id, v.address_code, v.address, v.unit_code or "", v.started_on,
             v.ended_on or "", v.last_checked_on or "", v.due_on or "",
             *(_cell(v.data.get(f)) for f in fields), v.id_number or ""]
            for v in views]  # fmt: skip
    _write(Path(path), header, rows)
    return len(rows)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "、".join(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _write(path: Path, header: list[str], rows: list[list]) -> None:
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("registry")
        sheet.append(header)
        for row in rows:
            sheet.append([str(c) if c != "" else None for c in row])
        book.save(path)
        return
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
