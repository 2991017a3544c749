"""Import what offices already hold into the registry: each row checked, its errors named by
row and field, the good rows kept whatever the bad ones beside them; a dry run by default.

The importing county user's word is the confirmation: a new record is stored in bulk with
its first version (who, when, after), as the sample is; a row that changes what is stored
(a person current at another address moves, a departure) goes row by row as a proposal
confirmed at once, with its version (before and after) like any other. A row with a point
(经度/纬度) stores its standard address first; one without names an address already stored
(by code, or by its text in the county). One transaction: a dry run rolls it back, and a
failed import leaves the registry as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Connection, Engine, text

from geogrid.access.roles import Caller
from geogrid.errors import GeogridError, InputError
from geogrid.registry.address_parse import parse_address
from geogrid.registry.addresses import AddressIn, address_code, store_addresses
from geogrid.registry.bulk import BulkRecord, insert_records
from geogrid.registry.changes import FIELDS, Change, category_of, check_data
from geogrid.registry.cycles import due_on
from geogrid.registry.files import column_map, field_value, read_mapping, read_table
from geogrid.registry.idnumbers import IdCipher, clean_id_number
from geogrid.registry.records import EARLIEST, LATEST, decide, propose
from geogrid.reports.index import AssignmentIndex
from geogrid.vocabulary import china_today


@dataclass(frozen=True)
class RowError:
    """What is wrong with one row: its number in the file (header = 1), the field, why."""

    row: int
    field: str
    message: str


@dataclass
class ImportResult:
    """How an import went: rows read, records made or changed, errors, committed or not."""

    kind: str
    rows: int = 0
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False


@dataclass(frozen=True)
class ImportOptions:
    """What to import and how: the kind, the mapping file, commit or dry run, the county."""

    kind: str
    mapping: Path | None = None
    commit: bool = False
    county_code: str = "370782"
    actor: str = "geogrid import"


def import_registry(
    engine: Engine, path: Path, options: ImportOptions, *, index: AssignmentIndex | None,
    cipher: IdCipher | None,
) -> ImportResult:  # fmt: skip
    """Read a CSV or XLSX file of one kind of record into the registry (see the module)."""
    if options.kind not in FIELDS:
        raise InputError(f"kind: one of {', '.join(FIELDS)}, not {options.kind!r}", field="kind")
    header, rows = read_table(path)
    columns = column_map(header, options.kind, read_mapping(options.mapping))
    result = ImportResult(options.kind)
    parsed = []
    for number, row in enumerate(rows, start=2):
        result.rows += 1
        try:
            parsed.append((number, *_read_row(row, columns, options)))
        except GeogridError as exc:
            result.errors.append(RowError(number, exc.field or "", str(exc)))
    caller = Caller(0, options.actor, "county_admin")
    with engine.connect() as conn, conn.begin() as transaction:
        store_addresses(conn, index, [a for _, a, _ in parsed if a is not None])
        bulk, single = _split(conn, parsed, options, cipher, result)
        result.imported += insert_records(conn, bulk, cipher=cipher, actor=options.actor)
        for number, change in single:
            try:
                with conn.begin_nested():
                    made = propose(conn, caller, change, cipher=cipher,
                                   source=f"import:{Path(path).name}:{number}")  # fmt: skip
                    decide(conn, caller, made, confirm=True)
                result.imported += 1
            except GeogridError as exc:
                result.errors.append(RowError(number, exc.field or "", str(exc)))
        result.errors.sort(key=lambda e: e.row)
        if options.commit:
            transaction.commit()
            result.committed = True
        else:
            transaction.rollback()
    return result


def _split(conn: Connection, parsed: list, options: ImportOptions, cipher: IdCipher | None,
           result: ImportResult) -> tuple[list[BulkRecord], list[tuple[int, Change]]]:  # fmt: skip
    """New records with plain dates, checked here, for the bulk path; the rest (people
    already current elsewhere: a move; departures) for the row-by-row one."""
    codes = sorted({change.address_code for _, _, change in parsed})
    known = set(conn.execute(text("select code from registry_addresses where code = any(:c)"),
                             {"c": codes}).scalars())  # fmt: skip
    bulk, single, hashes = [], [], {}
    for number, _, change in parsed:
        if change.address_code not in known:
            result.errors.append(
                RowError(number, "address_code", f"no standard address {change.address_code!r}")
            )
            continue
        plain = change.ended_on is None and EARLIEST <= (change.started_on or EARLIEST) <= LATEST
        if not plain or (change.id_number and cipher is None):
            single.append((number, change))
            continue
        try:
            record, key = _bulk_record(change, cipher)
        except GeogridError as exc:
            result.errors.append(RowError(number, exc.field or "", str(exc)))
            continue
        (hashes.setdefault(key, []) if key else bulk).append((number, change, record))
    current = _current_hashes(conn, options.kind, list(hashes))
    for key, rows in hashes.items():
        first, *again = rows
        single += [(n, c) for n, c, _ in ([first] if key in current else []) + again]
        if key not in current:
            bulk.append(first)
    return [r for _, _, r in sorted(bulk, key=lambda b: b[0])], sorted(single, key=lambda s: s[0])


def _bulk_record(change: Change, cipher: IdCipher | None) -> tuple[BulkRecord, str | None]:
    data = check_data(change.kind, change.data)
    number = clean_id_number(change.id_number) if change.id_number else None
    category = category_of(change.kind, data)
    started = change.started_on or china_today()
    record = BulkRecord(change.kind, change.address_code, category, data, started, number,
                        due_on(change.kind, category, started))  # fmt: skip
    return record, cipher.blind(number) if number and cipher else None


def _current_hashes(conn: Connection, kind: str, hashes: list[str]) -> set[str]:
    return set(conn.execute(
        text("select id_number_hash from registry_records where kind = :k and status = "
             "'current' and id_number_hash = any(:h)"), {"k": kind, "h": hashes},
    ).scalars())  # fmt: skip


def _read_row(row: list[str], columns: dict[str, int], options: ImportOptions):
    """(the address to store or None, the change) of one row."""
    cell = {f: (row[i] if i < len(row) else "").strip() for f, i in columns.items()}
    code, address = cell.get("address_code"), None
    if not code:
        parts = _address_parts(cell.get("address", ""))
        code = address_code(options.county_code, parts)
        if cell.get("lon") or cell.get("lat"):
            lon, lat = (_number(cell, name) for name in ("lon", "lat"))
            address = AddressIn(parts, lon, lat, options.county_code)
    data = {f: field_value(options.kind, f, cell[f]) for f in FIELDS[options.kind] if f in cell}
    data = {f: v for f, v in data.items() if v is not None}
    days = {name: _day(cell, name) for name in ("started_on", "ended_on")}
    change = Change(options.kind, code, data, id_number=cell.get("id_number") or None, **days)
    return address, change


def _address_parts(written: str) -> dict[str, str]:
    return dict(_read_address(written))


@lru_cache(maxsize=65_536)
def _read_address(written: str) -> tuple[tuple[str, str], ...]:
    """The parts of an address, read once however many residents share it."""
    parsed = parse_address(written)
    if not parsed.complete:
        problems = [f"could not read {piece!r}" for piece in parsed.unread]
        problems += [f"no {part}" for part in parsed.missing]
        raise InputError(f"address: {'; '.join(problems)}", field="address")
    return tuple(parsed.parts.items())


def _number(cell: dict, name: str) -> float:
    try:
        value = float(cell.get(name, ""))
    except ValueError:
        raise InputError(f"{name}: not a number", field=name) from None
    limit = 180 if name == "lon" else 90
    if not -limit <= value <= limit:
        raise InputError(f"{name}: {value} is not a WGS-84 coordinate", field=name)
    return value


def _day(cell: dict, name: str) -> date | None:
    text = cell.get(name) or ""
    if not text:
        return None
    try:
        return date.fromisoformat(text.replace("/", "-"))
    except ValueError:
        raise InputError(f"{name}: not a date (YYYY-MM-DD)", field=name) from None
