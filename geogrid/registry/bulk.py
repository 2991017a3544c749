"""Many confirmed records at once, for the sample county and large loads: one statement a
chunk for the records, one for their first versions, one for their checks.

Each record still gets its version row (actor, after; no proposal: the loading user's word
is the confirmation). The rows must be new people: a bulk load does not move anyone (the
import's row-by-row path does), and an ID number already current fails the chunk whole.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection, text

from geogrid.registry.idnumbers import IdCipher, mask

CHUNK = 20_000


@dataclass(frozen=True)
class BulkRecord:
    """A record to store as confirmed, with the days it was checked (if any)."""

    kind: str
    address_code: str
    category: str
    data: dict
    started_on: date
    id_number: str | None = None
    due_on: date | None = None
    checked_on: tuple[date, ...] = field(default=())


def insert_records(
    conn: Connection, records: list[BulkRecord], *, cipher: IdCipher | None, actor: str
) -> int:
    """Store the records with their versions and checks; how many."""
    if any(r.id_number for r in records) and cipher is None:
        raise ValueError("ID numbers need the registry cipher")
    codes = sorted({r.address_code for r in records})
    address_of = dict(conn.execute(text("select code, id from registry_addresses where code = "
                                        "any(:c)"), {"c": codes}).all())  # fmt: skip
    for start in range(0, len(records), CHUNK):
        chunk = records[start : start + CHUNK]
        # Ids taken first, so each record's checks find it; COPY, as psycopg writes it in C,
        # rather than parameter arrays, whose conversion cost more than the insert.
        ids = conn.execute(text(_NEW_IDS), {"n": len(chunk)}).scalars().all()
        cursor = conn.connection.driver_connection.cursor()
        with cursor.copy(_COPY) as copy:
            for record_id, r in zip(ids, chunk, strict=True):
                copy.write_row(_row(record_id, r, address_of[r.address_code], cipher, actor))
        conn.execute(text(_VERSIONS), {"ids": ids, "by": actor})
        checks = [(i, day) for i, r in zip(ids, chunk, strict=True) for day in r.checked_on]
        if checks:
            conn.execute(text(_CHECKS), {"ids": [c[0] for c in checks],
                                         "days": [c[1] for c in checks], "by": actor})  # fmt: skip
    return len(records)


def _row(record_id: int, r: BulkRecord, address_id: int, cipher, actor: str) -> tuple:
    """One COPY row: the ID number encrypted, hashed and masked, never in clear."""
    number = r.id_number
    secret = (
        (cipher.encrypt(number), cipher.blind(number), mask(number))
        if number
        else (None, None, None)
    )
    last = max(r.checked_on) if r.checked_on else None
    return (record_id, r.kind, address_id, r.category, json.dumps(r.data, ensure_ascii=False),
            *secret, "current", r.started_on, last, r.due_on, 1, actor)  # fmt: skip


_NEW_IDS = """select nextval(pg_get_serial_sequence('registry_records', 'id'))
from generate_series(1, :n)"""

_COPY = """copy registry_records (id, kind, address_id, category, data, id_number_enc,
  id_number_hash, id_number_mask, status, started_on, last_checked_on, due_on, revision,
  updated_by) from stdin"""

_VERSIONS = """
insert into registry_versions (record_id, revision, actor, after)
select r.id, 1, :by, jsonb_build_object('address_code', a.code, 'kind', r.kind,
  'category', r.category, 'data', r.data, 'id_number', r.id_number_mask, 'status', r.status,
  'started_on', r.started_on, 'ended_on', r.ended_on, 'last_checked_on', r.last_checked_on,
  'due_on', r.due_on, 'revision', r.revision)
from registry_records r join registry_addresses a on a.id = r.address_id
where r.id = any(cast(:ids as bigint[]))
"""

_CHECKS = """
insert into registry_checks (record_id, checked_on, actor, note)
select i, d, :by, '' from unnest(cast(:ids as bigint[]), cast(:days as date[])) as c(i, d)
"""
