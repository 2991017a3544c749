"""The basic-information registry (一标三实): standard addresses, records, proposals, checks.

Thin: each route authorises and calls one function of geogrid/registry, which keeps to the
caller's area and audits every read of personal details (README "The registry").
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from geogrid.api.deps import CallerDep, ConnDep, PageDep, SingleValues, StateDep
from geogrid.api.errors import PROBLEM_RESPONSES
from geogrid.api.schemas.common import IsoDate, StorableStr
from geogrid.api.schemas.registry import (
    AddressIn,
    AddressOut,
    AddressProposalIn,
    CheckIn,
    CheckOut,
    CompletenessOut,
    DecisionIn,
    DecisionOut,
    Kind,
    ProposalIn,
    ProposalOut,
    RecordOut,
    VersionOut,
)
from geogrid.registry import address_proposals, addresses, completeness, reads, records
from geogrid.registry.changes import Change
from geogrid.registry.idnumbers import IdCipher

router = APIRouter(prefix="/v1/registry", tags=["registry"], responses=PROBLEM_RESPONSES,
                   dependencies=[SingleValues])  # fmt: skip
RecordId = Annotated[int, Path(ge=1, le=2**53, description="A registry record's id.")]
ProposalId = Annotated[int, Path(ge=1, le=2**53, description="A proposal's id.")]
AddressCode = Annotated[StorableStr, Path(max_length=32, description="A standard address code.")]


@router.get("/addresses", response_model=list[AddressOut], summary="Search standard addresses")
def search(
    caller: CallerDep, conn: ConnDep,
    q: Annotated[StorableStr, Query(min_length=1, max_length=200,
                                    description="Free text: 人民路12号3号楼, or its beginning.")],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[AddressOut]:  # fmt: skip
    """Text -> standard addresses in the caller's area -> the unit each lies in (for reports
    whose GPS is poor)."""
    caller.require("registry.read")
    found = addresses.search_addresses(conn, q, caller.area_codes(), limit)
    return [AddressOut(**a.__dict__) for a in found]


@router.post("/addresses", response_model=AddressOut, status_code=201,
             summary="Add a standard address")  # fmt: skip
def add(body: AddressIn, caller: CallerDep, state: StateDep, conn: ConnDep) -> AddressOut:
    """A standard address from free text and a point; 400 naming the parts not read."""
    index = state.point_lookup().index
    found = addresses.add_address(conn, caller, index, body.text, body.lon, body.lat,
                                  body.county_code)  # fmt: skip
    return AddressOut(**found.__dict__)


@router.get("/addresses/{code}", response_model=AddressOut, summary="One standard address")
def address(code: AddressCode, caller: CallerDep, conn: ConnDep) -> AddressOut:
    """A standard address in the caller's area."""
    caller.require("registry.read")
    return AddressOut(**addresses.find_address(conn, code, caller).__dict__)


@router.get("/records", response_model=list[RecordOut], summary="Registry records")
def list_records(
    caller: CallerDep, conn: ConnDep, page: PageDep, kind: Kind | None = None,
    address_code: Annotated[StorableStr | None, Query(max_length=32)] = None,
    grid: Annotated[str | None, Query(pattern=r"^\d{12}(\d{3}){0,2}$",
                                      description="A community, grid or unit code.")] = None,
    due_by: Annotated[IsoDate | None, Query(description="Due for a check by this day.")] = None,
) -> list[RecordOut]:  # fmt: skip
    """Current records in the caller's area (residents, key persons and rentals: the station
    and the county only; audited)."""
    found = reads.list_records(conn, caller, kind=kind, address_code=address_code, grid=grid,
                               due_by=due_by, limit=page.limit, offset=page.offset)  # fmt: skip
    return [RecordOut(**r.__dict__) for r in found]


@router.get("/records/{record_id}", response_model=RecordOut, summary="One registry record")
def record(
    record_id: RecordId, caller: CallerDep, state: StateDep, conn: ConnDep,
    reveal: Annotated[bool, Query(description="The ID number in clear (county only; "
                                  "audited).")] = False,
) -> RecordOut:  # fmt: skip
    """A record the caller may see; every read of personal details is audited."""
    cipher = IdCipher.from_settings(state.settings) if reveal else None
    return RecordOut(**reads.get_record(conn, caller, record_id, reveal=reveal,
                                        cipher=cipher).__dict__)  # fmt: skip


@router.get("/records/{record_id}/versions", response_model=list[VersionOut],
            summary="A record's versions")  # fmt: skip
def versions(record_id: RecordId, caller: CallerDep, conn: ConnDep) -> list[VersionOut]:
    """Every confirmed change of a record: who, when, before and after."""
    return [VersionOut(**v) for v in reads.record_versions(conn, caller, record_id)]


@router.post("/records/{record_id}/checks", response_model=CheckOut, status_code=201,
             summary="Log an inspection or visit")  # fmt: skip
def check(record_id: RecordId, body: CheckIn, caller: CallerDep, state: StateDep,
          conn: ConnDep) -> CheckOut:  # fmt: skip
    """An inspection of a rental or organisation, or a visit to a key person; the next due
    day."""
    due = records.log_check(conn, caller, record_id, day=body.day, note=body.note,
                            cycles_file=state.settings.registry_cycles_file)  # fmt: skip
    return CheckOut(record_id=record_id, due_on=due)


@router.post("/proposals", response_model=ProposalOut, status_code=201,
             summary="Propose a record or a change")  # fmt: skip
def propose(body: ProposalIn, caller: CallerDep, state: StateDep, conn: ConnDep) -> ProposalOut:
    """Grid staff propose; the community police officer confirms (核实)."""
    change = Change(body.kind, body.address_code, body.data, body.record_id, body.id_number,
                    body.started_on, body.ended_on)  # fmt: skip
    cipher = IdCipher.from_settings(state.settings) if body.id_number else None
    number = records.propose(conn, caller, change, cipher=cipher,
                             cycles_file=state.settings.registry_cycles_file,
                             client_request_id=body.client_request_id)  # fmt: skip
    return ProposalOut(**reads.get_proposal(conn, caller, number).__dict__)


@router.post("/address-proposals", response_model=ProposalOut, status_code=201,
             summary="Propose a standard address")  # fmt: skip
def propose_address(body: AddressProposalIn, caller: CallerDep, state: StateDep,
                    conn: ConnDep) -> ProposalOut:  # fmt: skip
    """Grid staff propose a standard address (free text and a point in their area; 400
    naming the parts not read); confirmed (核实), it is stored and placed in its grids."""
    index = state.point_lookup().index
    number = address_proposals.propose_address(
        conn, caller, index, body.text, body.lon, body.lat, body.county_code,
        body.client_request_id, note=body.note)  # fmt: skip
    return ProposalOut(**reads.get_proposal(conn, caller, number).__dict__)


@router.get("/proposals/{proposal_id}", response_model=ProposalOut, summary="One proposal")
def proposal(proposal_id: ProposalId, caller: CallerDep, conn: ConnDep) -> ProposalOut:
    """A proposal in the caller's area and how far it is (pending, confirmed, rejected);
    personal details only to who may confirm it or sees details (audited)."""
    return ProposalOut(**reads.get_proposal(conn, caller, proposal_id).__dict__)


@router.get("/proposals", response_model=list[ProposalOut], summary="Proposed changes")
def proposals(
    caller: CallerDep, conn: ConnDep, page: PageDep,
    status: Literal["pending", "confirmed", "rejected"] = "pending",
) -> list[ProposalOut]:  # fmt: skip
    """Proposals in the caller's area (of personal details: to who may confirm them)."""
    found = reads.list_proposals(conn, caller, status=status, limit=page.limit,
                                 offset=page.offset)  # fmt: skip
    return [ProposalOut(**p.__dict__) for p in found]


@router.post("/proposals/{proposal_id}/confirm", response_model=DecisionOut,
             summary="Confirm (核实) a proposal")  # fmt: skip
def confirm(proposal_id: ProposalId, body: DecisionIn, caller: CallerDep, state: StateDep,
            conn: ConnDep) -> DecisionOut:  # fmt: skip
    """The proposal becomes the record, with a version (who, when, before and after); a
    basic-information report's proposal becomes the `record` given."""
    facts = body.record
    completed = None if facts is None else Change(
        facts.kind, facts.address_code, facts.data, facts.record_id, facts.id_number,
        facts.started_on, facts.ended_on)  # fmt: skip
    cipher = IdCipher.from_settings(state.settings) if facts and facts.id_number else None
    decision = records.decide(conn, caller, proposal_id, confirm=True, note=body.note,
                              cycles_file=state.settings.registry_cycles_file,
                              completed=completed, cipher=cipher,
                              index=state.point_lookup().index)  # fmt: skip
    return DecisionOut(**decision.__dict__)


@router.post("/proposals/{proposal_id}/reject", response_model=DecisionOut,
             summary="Reject a proposal")  # fmt: skip
def reject(proposal_id: ProposalId, body: DecisionIn, caller: CallerDep,
           conn: ConnDep) -> DecisionOut:  # fmt: skip
    """The proposal is kept, rejected, and the record stays as it was."""
    decision = records.decide(conn, caller, proposal_id, confirm=False, note=body.note)
    return DecisionOut(**decision.__dict__)


@router.get("/completeness", response_model=list[CompletenessOut],
            summary="采集率 and 按期率 per grid and month")  # fmt: skip
def completeness_rates(
    caller: CallerDep, state: StateDep, conn: ConnDep,
    month: Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-05"])],
    level: Annotated[int, Query(ge=1, le=3, description="1 communities, 2 grids, 3 units.")] = 1,
) -> list[CompletenessOut]:  # fmt: skip
    """Addresses housed, households with residents, checks on time, per grid of a level in
    the caller's area, as of the month's end (or today)."""
    caller.require("registry.read")
    rows = completeness.completeness(conn, month, level, caller.area_codes(),
                                     state.settings.registry_cycles_file)  # fmt: skip
    return [CompletenessOut(**r.__dict__, collection_rate=r.collection_rate,
                            on_time_rate=r.on_time_rate) for r in rows]  # fmt: skip
