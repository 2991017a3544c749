"""Changes to the registry: grid staff propose, the community police confirm (核实), and only
a confirmed change becomes the record, with a version row (who, when, before and after).

A new resident or key person whose ID number is already current at another address is the
same person moving: the one record changes address, and its versions keep where it was
(a person lives at one address at a time). Checks (inspections, visits) are logged in their
own table and move the record's due day; they are not changes of its facts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Connection, text

from geogrid.access.errors import Forbidden
from geogrid.access.roles import Caller
from geogrid.errors import ConfigurationError, ConflictError, InputError, NotFoundError
from geogrid.registry.address_proposals import store_proposed
from geogrid.registry.changes import Change, category_of, check_data
from geogrid.registry.cycles import due_on
from geogrid.registry.idnumbers import IdCipher, clean_id_number, mask
from geogrid.reports.index import AssignmentIndex
from geogrid.vocabulary import REGISTRY_DETAIL_KINDS, china_today

# The days a record may start or end on: a resident born in 1900 is old enough, and a cycle
# counted from a day past 2100 still fits a date.
EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)


@dataclass(frozen=True)
class Decision:
    """What came of a proposal: its status and the record it made or changed."""

    proposal_id: int
    status: str
    record_id: int | None


def propose(
    conn: Connection, caller: Caller, change: Change, *, cipher: IdCipher | None = None,
    source: str = "api", cycles_file: Path | None = None, client_request_id: str | None = None,
) -> int:  # fmt: skip
    """Store a proposed change (pending until confirmed); its id. A `client_request_id`
    the same proposer sent before gives the proposal stored then (a phone's retry)."""
    caller.require("registry.propose")
    repeated = _repeated(conn, caller, client_request_id)
    if repeated is not None:
        return repeated
    address_id, community, body = _checked(conn, caller, change, cycles_file)
    secret = _id_columns(change.id_number, cipher)
    made = conn.execute(
        text("insert into registry_proposals (kind, record_id, address_id, community_code, "
             "change, id_number_enc, id_number_hash, id_number_mask, status, proposed_by, "
             "source, note, client_request_id) values (:kind, :record, :address, :community, "
             "cast(:change as jsonb), :enc, :hash, :mask, 'pending', :by, :source, '', :crid) "
             "on conflict (proposed_by, client_request_id) where client_request_id is not null "
             "do nothing returning id"),
        {"kind": change.kind, "record": change.record_id, "address": address_id,
         "community": community, "change": json.dumps(body, ensure_ascii=False),
         "by": caller.describe(), "source": source[:64], "crid": client_request_id, **secret},
    ).scalar()  # fmt: skip
    # None: the same request, sent twice at once, was stored by the other one
    return made if made is not None else _repeated(conn, caller, client_request_id)


def _checked(
    conn: Connection, caller: Caller, change: Change, cycles_file: Path | None
) -> tuple[int, str | None, dict]:
    """A change's address (id and community) in the caller's area and its checked body."""
    address_id, community = _address_in_area(conn, caller, change.address_code)
    if change.record_id is not None:
        kind = _record_in_area(conn, caller, change.record_id)
        if kind != change.kind:
            raise InputError(f"kind: record {change.record_id} is a {kind} record", field="kind")
    data = check_data(change.kind, change.data, partial=change.record_id is not None,
                      cycles_file=cycles_file)  # fmt: skip
    for name in ("started_on", "ended_on"):
        day = getattr(change, name)
        if day is not None and not EARLIEST <= day <= LATEST:
            raise InputError(f"{name}: between {EARLIEST} and {LATEST}", field=name)
    if change.started_on and change.ended_on and change.ended_on < change.started_on:
        raise InputError("ended_on: before started_on", field="ended_on")
    body = {"data": data, "started_on": _day(change.started_on), "ended_on": _day(change.ended_on)}
    return address_id, community, body


def _repeated(conn: Connection, caller: Caller, client_request_id: str | None) -> int | None:
    """The proposal this proposer already sent with this client request id, if any."""
    if client_request_id is None:
        return None
    return conn.execute(
        text("select id from registry_proposals where proposed_by = :by "
             "and client_request_id = :crid"),
        {"by": caller.describe(), "crid": client_request_id},
    ).scalar()  # fmt: skip


def decide(
    conn: Connection, caller: Caller, proposal_id: int, *, confirm: bool, note: str = "",
    cycles_file: Path | None = None, completed: Change | None = None,
    cipher: IdCipher | None = None, index: AssignmentIndex | None = None,
) -> Decision:  # fmt: skip
    """Confirm a pending proposal (it becomes the record) or reject it. A basic-information
    report's proposal is confirmed `completed` into a record (the kind, address and facts
    the officer chose; its report kept in the change) and declined only with a reason; a
    proposed address becomes a standard address placed in `index`'s grids (default: the
    active version's)."""
    caller.require("registry.confirm")
    row = conn.execute(text(_PROPOSAL), {"id": proposal_id}).mappings().first()
    if row is None or not (caller.sees_all or caller.covers(row["unit_code"])):
        raise NotFoundError(f"no registry proposal {proposal_id}", field="proposal_id")
    if not caller.confirms(row["community_code"]):
        raise Forbidden("only the community police officer, the station or the county "
                        "confirms a registry change")  # fmt: skip
    if row["status"] != "pending":
        raise ConflictError(f"registry proposal {proposal_id} is already {row['status']}")
    if completed is not None and (row["kind"] != "report" or not confirm):
        raise InputError("record: only a report's proposal is completed, on confirming it",
                         field="record")  # fmt: skip
    if row["kind"] == "report" and not confirm and not note.strip():
        raise InputError("note: the reason the report is declined", field="note")
    if row["kind"] == "report" and confirm:
        row = _complete(conn, caller, row, completed, cipher, cycles_file)
    record_id = row["record_id"]
    if confirm and row["kind"] == "address":
        address_id = store_proposed(conn, row["change"], index)
        conn.execute(text("update registry_proposals set address_id = :a where id = :id"),
                     {"a": address_id, "id": proposal_id})  # fmt: skip
    elif confirm:
        record_id = _apply(conn, row, caller.describe(), cycles_file)
    status = "confirmed" if confirm else "rejected"
    conn.execute(
        text("update registry_proposals set status = :s, decided_by = :by, decided_at = now(), "
             "note = :note, record_id = :record where id = :id"),
        {"s": status, "by": caller.describe(), "note": note[:500], "record": record_id,
         "id": proposal_id},
    )  # fmt: skip
    return Decision(proposal_id, status, record_id)


def _complete(conn: Connection, caller: Caller, row, completed: Change | None,
              cipher: IdCipher | None, cycles_file: Path | None):  # fmt: skip
    """A report's proposal made a proposal of a record: the officer's kind, address and
    facts, checked as any proposal's; the report's own facts kept under `report`."""
    if completed is None:
        raise InputError("record: a report's proposal is confirmed into a record: its kind, "
                         "address_code and data", field="record")  # fmt: skip
    address_id, community, body = _checked(conn, caller, completed, cycles_file)
    if not caller.confirms(community):
        raise Forbidden("only the community police officer, the station or the county "
                        "confirms a registry change")  # fmt: skip
    body["report"] = row["change"].get("report")
    conn.execute(
        text("update registry_proposals set kind = :kind, record_id = :record, "
             "address_id = :address, community_code = :community, change = cast(:change as "
             "jsonb), id_number_enc = :enc, id_number_hash = :hash, id_number_mask = :mask "
             "where id = :id"),
        {"kind": completed.kind, "record": completed.record_id, "address": address_id,
         "community": community, "change": json.dumps(body, ensure_ascii=False),
         "id": row["id"], **_id_columns(completed.id_number, cipher)},
    )  # fmt: skip
    return conn.execute(text(_PROPOSAL), {"id": row["id"]}).mappings().one()


def log_check(
    conn: Connection, caller: Caller, record_id: int, *, day: date | None = None,
    note: str = "", cycles_file: Path | None = None,
) -> date | None:  # fmt: skip
    """Log an inspection or visit of a record on a day (default today); its next due day."""
    caller.require("registry.propose")
    _record_in_area(conn, caller, record_id, details=False)
    day = day or china_today()
    if day > china_today():
        raise InputError("day: a check cannot be logged for a day still to come", field="day")
    row = conn.execute(text("select kind, category, greatest(last_checked_on, :d) from "
                            "registry_records where id = :id for update"),
                       {"id": record_id, "d": day}).one()  # fmt: skip
    due = due_on(row[0], row[1], row[2], cycles_file)
    conn.execute(
        text(
            "insert into registry_checks (record_id, checked_on, actor, note) "
            "values (:id, :d, :by, :note)"
        ),
        {"id": record_id, "d": day, "by": caller.describe(), "note": note[:500]},
    )
    conn.execute(
        text("update registry_records set last_checked_on = :last, due_on = :due where id = :id"),
        {"id": record_id, "last": row[2], "due": due},
    )
    return due  # fmt: skip


def snapshot(conn: Connection, record_id: int) -> dict:
    """A record as its versions keep it (the ID number masked)."""
    return conn.execute(text(_SNAPSHOT), {"id": record_id}).scalar_one()


def _apply(conn: Connection, row, actor: str, cycles_file: Path | None) -> int:
    change, kind = row["change"], row["kind"]
    record_id = row["record_id"]
    if record_id is None and row["id_number_hash"] and kind in REGISTRY_DETAIL_KINDS:
        record_id = conn.execute(
            text("select id from registry_records where kind = :k and id_number_hash = :h "
                 "and status = 'current'"), {"k": kind, "h": row["id_number_hash"]},
        ).scalar()  # the same person, moving  # fmt: skip
    before = snapshot(conn, record_id) if record_id is not None else None
    data = (before["data"] if before else {}) | change["data"]
    category = category_of(kind, data)
    started = change["started_on"] or (before["started_on"] if before else china_today())
    last = before["last_checked_on"] if before else None
    values = {
        "kind": kind, "address": row["address_id"], "category": category,
        "data": json.dumps(data, ensure_ascii=False), "enc": row["id_number_enc"],
        "hash": row["id_number_hash"], "mask": row["id_number_mask"], "started": started,
        "ended": change["ended_on"], "status": "ended" if change["ended_on"] else "current",
        "due": due_on(kind, category, date.fromisoformat(str(last or started)), cycles_file),
        "by": actor, "id": record_id,
    }  # fmt: skip
    record_id = conn.execute(text(_UPDATE if record_id else _INSERT), values).scalar_one()
    after = snapshot(conn, record_id)
    conn.execute(
        text("insert into registry_versions (record_id, revision, actor, proposal_id, before, "
             "after) values (:r, :rev, :by, :p, cast(:b as jsonb), cast(:a as jsonb))"),
        {"r": record_id, "rev": after["revision"], "by": actor, "p": row["id"],
         "b": None if before is None else json.dumps(before, ensure_ascii=False),
         "a": json.dumps(after, ensure_ascii=False)},
    )  # fmt: skip
    return record_id


def _address_in_area(conn: Connection, caller: Caller, code: str) -> tuple[int, str | None]:
    row = conn.execute(text("select id, unit_code, community_code from registry_addresses "
                            "where code = :c"), {"c": code}).first()  # fmt: skip
    if row is None or not (caller.sees_all or caller.covers(row[1])):
        raise NotFoundError(f"no standard address {code!r} in your area", field="address_code")
    return row[0], row[2]


def _record_in_area(conn: Connection, caller: Caller, record_id: int, details: bool = True) -> str:
    """The kind of a record the caller may change (grid staff: not residents or key persons
    unless only logging a check)."""
    row = conn.execute(
        text("select r.kind, a.unit_code from registry_records r join registry_addresses a "
             "on a.id = r.address_id where r.id = :id"), {"id": record_id},
    ).first()  # fmt: skip
    hidden = details and row is not None and row[0] in REGISTRY_DETAIL_KINDS
    if (
        row is None
        or not (caller.sees_all or caller.covers(row[1]))
        or (hidden and not caller.sees_details)
    ):
        raise NotFoundError(f"no registry record {record_id} in your area", field="record_id")
    return row[0]


def _id_columns(number: str | None, cipher: IdCipher | None) -> dict:
    if number is None:
        return {"enc": None, "hash": None, "mask": None}
    if cipher is None:
        raise ConfigurationError("ID numbers need the registry key: GEOGRID_REGISTRY_KEY")
    clean = clean_id_number(number)
    return {"enc": cipher.encrypt(clean), "hash": cipher.blind(clean), "mask": mask(clean)}


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


_PROPOSAL = """select p.id, p.kind, p.record_id, p.address_id, p.community_code,
  coalesce(a.unit_code, p.unit_code) as unit_code, p.change, p.id_number_enc,
  p.id_number_hash, p.id_number_mask, p.status
from registry_proposals p left join registry_addresses a on a.id = p.address_id
where p.id = :id for update of p"""

_SNAPSHOT = """select jsonb_build_object('address_code', a.code, 'kind', r.kind,
  'category', r.category, 'data', r.data, 'id_number', r.id_number_mask, 'status', r.status,
  'started_on', r.started_on, 'ended_on', r.ended_on, 'last_checked_on', r.last_checked_on,
  'due_on', r.due_on, 'revision', r.revision)
from registry_records r join registry_addresses a on a.id = r.address_id where r.id = :id"""

_INSERT = """insert into registry_records (kind, address_id, category, data, id_number_enc,
  id_number_hash, id_number_mask, status, started_on, ended_on, due_on, revision, updated_by)
values (:kind, :address, :category, cast(:data as jsonb), :enc, :hash, :mask, :status,
  :started, :ended, :due, 1, :by) returning id"""

_UPDATE = """update registry_records set address_id = :address, category = :category,
  data = cast(:data as jsonb), id_number_enc = coalesce(:enc, id_number_enc),
  id_number_hash = coalesce(:hash, id_number_hash),
  id_number_mask = coalesce(:mask, id_number_mask), status = :status, started_on = :started,
  ended_on = :ended, due_on = :due, revision = revision + 1, updated_at = now(),
  updated_by = :by
where id = :id returning id"""
