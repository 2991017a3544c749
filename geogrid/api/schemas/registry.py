"""The registry's requests and answers (README "The registry")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from geogrid.api.schemas.common import IsoDate, StorableStr
from geogrid.vocabulary import ADDRESS_PARTS

Kind = Literal["housing", "resident", "organisation", "key_person"]
# A proposal's kind: a record's, a basic-information report's (to be completed), an address.
ProposalKind = Literal["housing", "resident", "organisation", "key_person", "report", "address"]


def _whole(value: Any) -> Any:
    """JSON Schema's integer: 18.0 is 18 (a strict model refuses a float otherwise)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


RecordNumber = Annotated[int, Field(ge=1, le=2**53), BeforeValidator(_whole)]


class AddressOut(BaseModel):
    """A standard address: code, written form, parts, point and where it lies."""

    code: str = Field(description="Stable address code: county code + 12 hex digits.")
    text: str = Field(description="The standard written form (人民路12号3号楼2单元501室).")
    parts: dict[str, str] = Field(description=f"Parts read: {', '.join(ADDRESS_PARTS)}.")
    lon: float
    lat: float
    unit_code: str | None = Field(description="Level-3 unit (三级网格) the address lies in.")
    grid_code: str | None
    community_code: str | None
    unit_name: str | None = None
    distance_m: float | None = Field(default=None, description="From the asked point (nearest).")


class AddressIn(BaseModel):
    """A new standard address: free text (read into parts) and a point in WGS-84."""

    model_config = ConfigDict(extra="forbid", strict=True)
    text: StorableStr = Field(min_length=1, max_length=200, examples=["人民路12号3号楼2单元501室"])
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    county_code: str | None = Field(
        default=None, pattern=r"^\d{6}$", description="Default: the county of the point's unit."
    )


class AddressProposalIn(AddressIn):
    """A standard address grid staff propose: confirmed, it is stored and placed."""

    client_request_id: StorableStr | None = Field(
        default=None, min_length=1, max_length=64,
        description="The sender's id of this item: sent again, the same proposal answers.",
    )  # fmt: skip
    note: StorableStr = Field(
        default="", max_length=500, description="The proposer's note for the officer."
    )


class RecordOut(BaseModel):
    """A record as the caller may see it (the ID number masked unless revealed)."""

    id: int
    kind: Kind
    category: str
    address_code: str
    address: str
    unit_code: str | None
    status: Literal["current", "ended"]
    started_on: date
    ended_on: date | None
    last_checked_on: date | None
    due_on: date | None = Field(description="The next inspection or visit.")
    revision: int
    data: dict[str, Any]
    id_number: str | None = Field(description="Masked (3707**********1234) unless revealed.")


class VersionOut(BaseModel):
    """One confirmed change of a record."""

    revision: int
    at: datetime
    actor: str
    proposal_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any]


class RecordFacts(BaseModel):
    """The record a basic-information report's proposal is completed into on confirming."""

    model_config = ConfigDict(extra="forbid", strict=True)
    kind: Kind
    address_code: StorableStr = Field(min_length=1, max_length=32)
    record_id: RecordNumber | None = Field(default=None, description="The record changed.")
    data: dict[str, Any] = Field(description='The kind\'s fields (README "The registry").')
    id_number: StorableStr | None = Field(
        default=None, max_length=32, description="Stored encrypted, shown masked."
    )
    started_on: IsoDate | None = Field(default=None, description="Arrival, registration.")
    ended_on: IsoDate | None = Field(default=None, description="Departure, closing.")


class ProposalIn(RecordFacts):
    """A new record (no record_id) or a change of one, to be confirmed."""

    client_request_id: StorableStr | None = Field(
        default=None, min_length=1, max_length=64,
        description="The sender's id of this item: sent again, the same proposal answers.",
    )  # fmt: skip


class ProposalOut(BaseModel):
    """A proposed change and how far it is."""

    id: int
    kind: ProposalKind
    record_id: int | None
    address_code: str | None = Field(description="None: a report's proposal with no address.")
    status: Literal["pending", "confirmed", "rejected"]
    proposed_by: str
    change: dict[str, Any]
    id_number: str | None
    decided_by: str | None
    note: str
    report_id: str | None = Field(
        default=None,
        description="The basic-information report "
        "it was filed from (kind report, or completed from one).",
    )
    unit_code: str | None = None
    photo_ids: list[str] = Field(default=[], description="The report's photos.")


class DecisionIn(BaseModel):
    """Why a proposal was confirmed or rejected (a report's: the reason it is declined), and
    for a report's proposal confirmed, the record it becomes."""

    model_config = ConfigDict(extra="forbid", strict=True)
    note: StorableStr = Field(default="", max_length=500)
    record: RecordFacts | None = Field(
        default=None, description="Only to confirm a report's proposal: the record it becomes."
    )


class DecisionOut(BaseModel):
    """What came of a proposal."""

    proposal_id: int
    status: Literal["confirmed", "rejected"]
    record_id: int | None


class CheckIn(BaseModel):
    """An inspection or visit made on a day (default today, China time)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    day: IsoDate | None = None
    note: StorableStr = Field(default="", max_length=500)


class CheckOut(BaseModel):
    """The record's next due day after the check."""

    record_id: int
    due_on: date | None


class CompletenessOut(BaseModel):
    """A grid's registry counts in a month and its 采集率 and 按期率 (null: nothing to count)."""

    code: str = Field(description="The grid's code (12, 15 or 18 digits, by level).")
    addresses: int
    housed: int = Field(description="Addresses with a housing record.")
    households: int = Field(description="Lived-in houses (home, rental).")
    with_residents: int = Field(description="Lived-in houses with residents recorded.")
    due: int = Field(description="Rentals, key units, dangerous goods, key persons.")
    on_time: int = Field(description="Of those, checked or visited within their cycle.")
    collection_rate: float | None = Field(description="采集率, 0..1.")
    on_time_rate: float | None = Field(description="按期率, 0..1.")
