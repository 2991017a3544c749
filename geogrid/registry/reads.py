"""Reading the registry as a caller may: in its area only, personal details to the desks,
every read of them in the audit trail, ID numbers masked unless the county asks.

Grid staff see the houses (not rentals) and organisations of their grids, and proposals they
may confirm (the community police officer); residents, key persons and rentals, and their
proposals, are shown to the station of the jurisdiction and to the county.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, text

from geogrid.access import audit
from geogrid.access.roles import Caller
from geogrid.errors import NotFoundError
from geogrid.registry.changes import is_sensitive
from geogrid.registry.idnumbers import IdCipher

MAX_AUDITED_IDS = 100
_IN_AREA = "(cast(:areas as text[]) is null or a.unit_code like any(cast(:areas as text[])))"


@dataclass(frozen=True)
class RecordView:
    """A record as shown: where, what, when it is due; the ID number masked (or revealed)."""

    id: int
    kind: str
    category: str
    address_code: str
    address: str
    unit_code: str | None
    status: str
    started_on: date
    ended_on: date | None
    last_checked_on: date | None
    due_on: date | None
    revision: int
    data: dict
    id_number: str | None


@dataclass(frozen=True)
class ProposalView:
    """A proposed change, as shown to whoever may confirm it."""

    id: int
    kind: str
    record_id: int | None
    address_code: str | None  # none yet: a report's proposal without an address near it
    status: str
    proposed_by: str
    change: dict
    id_number: str | None
    decided_by: str | None
    note: str
    report_id: str | None = None  # the basic-information report it was filed from
    unit_code: str | None = None
    photo_ids: tuple[str, ...] = ()  # the report's photos


def list_records(
    conn: Connection, caller: Caller, *, kind: str | None = None,
    address_code: str | None = None, grid: str | None = None, due_by: date | None = None,
    limit: int = 50, offset: int = 0,
) -> list[RecordView]:  # fmt: skip
    """Records in the caller's area (current ones), by kind, address, grid (any level's
    code) or due day: `due_by` and a grid give the console's and the patrol sheet's list of
    rentals to inspect and key persons to visit there."""
    caller.require("registry.read")
    where = ["r.status = 'current'", _IN_AREA]
    if not caller.sees_details:
        where.append("r.kind not in ('resident', 'key_person') and r.category <> 'rental'")
    params = {"kind": kind, "address": address_code, "due": due_by, "n": limit, "o": offset,
              "areas": _areas(caller), "grid": None if grid is None else f"{grid}%"}  # fmt: skip
    where += ["(cast(:kind as text) is null or r.kind = :kind)",
              "(cast(:address as text) is null or a.code = :address)",
              "(cast(:due as date) is null or r.due_on <= :due)",
              "(cast(:grid as text) is null or a.unit_code like :grid)"]  # fmt: skip
    sql = f"{_SELECT} where {' and '.join(where)} order by r.id limit :n offset :o"
    rows = [_view(r) for r in conn.execute(text(sql), params).all()]
    _audit_reads(conn, caller, rows, "registry.list")
    return rows


def get_record(
    conn: Connection, caller: Caller, record_id: int, *, reveal: bool = False,
    cipher: IdCipher | None = None,
) -> RecordView:  # fmt: skip
    """One record the caller may see; with `reveal` (the county only) the ID number in clear,
    which the audit trail records."""
    caller.require("registry.read")
    row = conn.execute(text(f"{_SELECT} where r.id = :id"), {"id": record_id}).first()
    view = None if row is None else _view(row)
    if view is None or not _visible(caller, view.unit_code, view.kind, view.category):
        raise NotFoundError(f"no registry record {record_id} in your area", field="record_id")
    if reveal:
        caller.require("registry.reveal")
        blob = conn.execute(text("select id_number_enc from registry_records where id = :id"),
                            {"id": record_id}).scalar()  # fmt: skip
        if blob is not None and cipher is not None:
            view = _revealed(view, cipher.decrypt(blob))
        audit.record(conn, caller, "registry.reveal", "registry_record", str(record_id))
    _audit_reads(conn, caller, [view], "registry.read")
    return view


def record_versions(conn: Connection, caller: Caller, record_id: int) -> list[dict]:
    """A record's versions, oldest first: who, when, before and after (ID numbers masked)."""
    view = get_record(conn, caller, record_id)
    rows = conn.execute(
        text("select revision, at, actor, proposal_id, before, after from registry_versions "
             "where record_id = :id order by revision"), {"id": view.id},
    ).mappings().all()  # fmt: skip
    return [dict(r) for r in rows]


def list_proposals(
    conn: Connection, caller: Caller, *, status: str = "pending", limit: int = 50,
    offset: int = 0,
) -> list[ProposalView]:  # fmt: skip
    """Proposals in the caller's area; those of personal details only to who may confirm
    them or sees details."""
    caller.require("registry.read")
    rows = conn.execute(
        text(f"{_PROPOSALS} where p.status = :s and {_PROPOSAL_IN_AREA} "
             "order by p.id limit :n offset :o"),
        {"s": status, "n": limit, "o": offset, "areas": _areas(caller)},
    ).all()  # fmt: skip
    shown = [r for r in rows if not _proposal_sensitive(r.kind) or caller.sees_details
             or caller.confirms(r.community_code)]  # fmt: skip
    views = [_proposal_view(r, shown=True) for r in shown]
    sensitive = [str(v.id) for v in views if _proposal_sensitive(v.kind)]
    if sensitive:
        audit.record(conn, caller, "registry.proposals", "registry_proposal", "",
                     {"count": len(sensitive), "ids": sensitive[:MAX_AUDITED_IDS]})  # fmt: skip
    return views


def get_proposal(conn: Connection, caller: Caller, proposal_id: int) -> ProposalView:
    """One proposal in the caller's area; personal details left out unless the caller may
    confirm it or sees details (so its grid staff proposer sees its status, not its data)."""
    caller.require("registry.read")
    row = conn.execute(text(f"{_PROPOSALS} where p.id = :id and {_PROPOSAL_IN_AREA}"),
                       {"id": proposal_id, "areas": _areas(caller)}).first()  # fmt: skip
    if row is None:
        raise NotFoundError(f"no registry proposal {proposal_id} in your area", field="proposal_id")
    shown = (
        not _proposal_sensitive(row.kind)
        or caller.sees_details
        or caller.confirms(row.community_code)
    )
    view = _proposal_view(row, shown=shown)
    if shown and _proposal_sensitive(row.kind):
        audit.record(conn, caller, "registry.proposal", "registry_proposal", str(row.id))
    return view


def _visible(caller: Caller, unit_code: str | None, kind: str, category: str) -> bool:
    in_area = caller.sees_all or caller.covers(unit_code)
    return in_area and (caller.sees_details or not is_sensitive(kind, category))


def _proposal_view(row, *, shown: bool) -> ProposalView:
    """A proposal row as shown (`shown`: with its facts and masked ID number)."""
    return ProposalView(
        row.id, row.kind, row.record_id, row.code, row.status, row.proposed_by,
        row.change if shown else {}, row.id_number_mask if shown else None, row.decided_by,
        row.note, None if row.report_id is None else str(row.report_id), row.unit_code,
        tuple(row.photo_ids or ()) if shown else (),
    )  # fmt: skip


def _proposal_sensitive(kind: str) -> bool:
    """A proposal of housing may make or change a rental: shown as one; a report's may be
    of any basic kind (residents, key persons, rentals ...) until it is completed."""
    return kind not in ("organisation", "address")


def _areas(caller: Caller) -> list[str] | None:
    codes = caller.area_codes()
    return None if codes is None else [f"{c}%" for c in codes] or ["(none)"]


def _audit_reads(conn: Connection, caller: Caller, views: list[RecordView], action: str) -> None:
    shown = [v for v in views if is_sensitive(v.kind, v.category)]
    if shown:
        ids = [str(v.id) for v in shown]
        detail = {"count": len(ids), "ids": ids[:MAX_AUDITED_IDS],
                  "kinds": sorted({v.kind for v in shown})}  # fmt: skip
        audit.record(conn, caller, action, "registry_record", ids[0] if len(ids) == 1 else "",
                     detail)  # fmt: skip


def _view(r) -> RecordView:
    return RecordView(*r)


def _revealed(view: RecordView, number: str) -> RecordView:
    return RecordView(**{**view.__dict__, "id_number": number})


_SELECT = """select r.id, r.kind, r.category, a.code, a.full_text, a.unit_code, r.status,
  r.started_on, r.ended_on, r.last_checked_on, r.due_on, r.revision, r.data, r.id_number_mask
from registry_records r join registry_addresses a on a.id = r.address_id"""

# A report's proposal may have no address yet: its own unit then says where it lies.
_PROPOSALS = """select p.id, p.kind, p.record_id, a.code, p.status, p.proposed_by, p.change,
  p.id_number_mask, p.decided_by, p.note, p.community_code, p.report_id,
  coalesce(a.unit_code, p.unit_code) as unit_code,
  (select array_agg(distinct f.photo_id) from report_photos f
   where f.report_id = p.report_id) as photo_ids
from registry_proposals p left join registry_addresses a on a.id = p.address_id"""
_PROPOSAL_IN_AREA = (
    "(cast(:areas as text[]) is null or "
    "coalesce(a.unit_code, p.unit_code) like any(cast(:areas as text[])))"
)
