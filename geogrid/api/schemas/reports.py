"""Reports: what a client sends, and how a stored report is shown."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict

from geogrid.api.schemas.common import Contact, GridRef, IsoDateTime, Link, StorableStr

# The table's enumerations, spelled out for the OpenAPI document (a test keeps them in step).
Status = Literal[
    "received", "assigned", "accepted", "dispatched", "in_progress", "resolved", "rework",
    "verified", "closed", "rejected", "duplicate", "registry",
]  # fmt: skip
Method = Literal["inside", "boundary", "nearest", "unassigned"]
Route = Literal["station", "department", "triage", "registry"]
PhotoId = Annotated[str, Field(pattern="^[0-9a-f]{64}$", description="An uploaded photo's id.")]


class ReportItem(BaseModel):
    """One geotagged report as a phone sends it."""

    model_config = ConfigDict(
        extra="forbid", strict=True,  # JSON's types as documented: no "1.5" or true for a number
        json_schema_extra={"examples": [{
            "category": "fire_hazard", "lon": 119.4012, "lat": 35.9987,
            "reported_at": "2026-05-12T09:30:00+08:00", "text": "楼道堆放杂物，堵塞消防通道",
            "client_request_id": "phone-17-000231",
        }]},
    )  # fmt: skip

    category: str = Field(min_length=1, max_length=32, description="Category code "
                          "(GET /open311/v2/services.json lists them).")  # fmt: skip
    lon: float = Field(allow_inf_nan=False, description="Longitude, or x in a projected CRS.")
    lat: float = Field(allow_inf_nan=False, description="Latitude, or y in a projected CRS.")
    crs: str | None = Field(default=None, max_length=64, description="EPSG:4326 (default), "
                            "gcj02, bd09, EPSG:4490 or any EPSG code.")  # fmt: skip
    reported_at: IsoDateTime | None = Field(
        default=None,
        description="When it was seen (ISO 8601; without an offset: China time). Default: now.",
    )
    reporter: str | None = Field(default=None, max_length=200)
    text: str | None = Field(default=None, max_length=4000)
    client_request_id: str | None = Field(
        default=None, min_length=1, max_length=128,
        description="Makes retries safe: the same id and body give the first result.",
    )  # fmt: skip
    urgent: bool | None = Field(
        default=None, description="Urgent (紧急): every time limit of the case is halved "
        "(README \"Deadlines\"). Default: not urgent.",
    )  # fmt: skip
    photo_ids: list[PhotoId] | None = Field(
        default=None, max_length=9, description="Evidence photos uploaded first "
        "(POST /v1/photos), by id: at most 9.",
    )  # fmt: skip

    def intake_item(self, default_reporter: str) -> dict:
        """The item as the intake core takes it (photos are linked after it is stored)."""
        item = self.model_dump(exclude_none=True, exclude={"photo_ids"})
        item.setdefault("reporter", default_reporter)
        if self.reported_at is not None:
            item["reported_at"] = self.reported_at.isoformat()
        return item


class PhotoLink(BaseModel):
    """A photo of a report's step, and why it is doubtful evidence (null: it is not)."""

    id: PhotoId
    href: str
    step: str = "report"
    flag: str | None = None


class ReportCreated(BaseModel):
    """A stored report (or the earlier one, for a retried request id), with its photos."""

    id: uuid.UUID
    outcome: Literal["accepted", "repeated"]
    href: str
    photos: list[PhotoLink] | None = None


class ReportBatch(BaseModel):
    """A batch of reports, e.g. a phone's day of offline work."""

    model_config = ConfigDict(extra="forbid", strict=True)

    crs: StorableStr | None = Field(default=None, max_length=64,
                                    description="CRS of items without one.")  # fmt: skip
    items: list[ReportItem] = Field(min_length=1)


class ItemResult(BaseModel):
    """What became of one item of a batch."""

    index: int
    outcome: Literal["accepted", "repeated", "rejected"]
    id: uuid.UUID | None = None
    field: str | None = None
    message: str | None = None


class BatchResult(BaseModel):
    """Counts, and a result for every item in order."""

    accepted: int
    repeated: int
    rejected: int
    duplicates: int = Field(description="New reports flagged as possible duplicates.")
    methods: dict[str, int]
    routes: dict[str, int]
    results: list[ItemResult]


class EventOut(BaseModel):
    """One entry of a report's trail."""

    model_config = ConfigDict(from_attributes=True)

    at: datetime
    actor: str
    kind: Literal["status", "note", "instruction", "assignment", "extension", "supervision"]
    from_status: str | None
    to_status: str | None
    note: str | None
    step: str | None = None  # the case loop's step, when the event is one
    due_at: datetime | None = None  # the deadline the step set
    photo_ids: list[str] = []


class Received(BaseModel):
    """The coordinates as received, in their CRS."""

    x: float | None
    y: float | None
    crs: str


class Assignment(BaseModel):
    """Where the report fell and who answers for it."""

    method: Method
    distance_m: float | None
    version: int | None
    unit: GridRef | None
    grid: GridRef | None
    community: GridRef | None
    leader: Contact | None
    officer: Contact | None
    police: Contact | None


class Routing(BaseModel):
    """Which desk the report went to."""

    route: Route
    station: GridRef | None
    department: GridRef | None


class CaseClock(BaseModel):
    """Where the case stands in the loop against its stage's deadline, as of the request."""

    model_config = ConfigDict(from_attributes=True)

    due_at: datetime | None
    overdue: bool
    hours_left: float | None = Field(description="Working hours to the deadline; negative: "
                                     "over by that much.")  # fmt: skip
    escalation: int = Field(description="0 on time, 1 overdue, +1 per working day over (max 3).")
    urgent: bool = False
    supervised: bool = False
    rework_count: int = 0


class ReportOut(BaseModel):
    """A stored report. `reporter` and `text` are null (and `redacted` true) for sensitive
    categories unless the caller is the station or the county."""

    id: uuid.UUID
    category: str
    category_name: str
    category_name_en: str
    sensitive: bool
    redacted: bool
    status: Status
    reported_at: datetime
    received_at: datetime
    lon: float
    lat: float
    received: Received
    reporter: str | None
    text: str | None
    assignment: Assignment
    routing: Routing
    duplicate_of: uuid.UUID | None
    case: CaseClock | None = None
    events: list[EventOut] | None = None
    photos: list[PhotoLink] | None = None

    @classmethod
    def from_row(
        cls,
        row: dict,
        events: list | None = None,
        clock=None,
        photos: list[PhotoLink] | None = None,
    ) -> ReportOut:
        """From a row of geogrid.reports.queries."""

        def ref(prefix: str, name: str = "name") -> GridRef | None:
            code = row[f"{prefix}_code"]
            return None if code is None else GridRef(code=code, name=row[f"{prefix}_{name}"] or "")

        def person(prefix: str) -> Contact | None:
            name = row[f"{prefix}_name"]
            return None if name is None else Contact(name=name, phone=row[f"{prefix}_phone"] or "")

        return cls(
            **{k: row[k] for k in ("id", "category", "category_name", "category_name_en",
                                   "sensitive", "redacted", "status", "reported_at",
                                   "received_at", "lon", "lat", "reporter", "text",
                                   "duplicate_of")},
            received=Received(x=row["received_x"], y=row["received_y"], crs=row["received_crs"]),
            assignment=Assignment(
                method=row["method"], distance_m=row["distance_m"], version=row["version_id"],
                unit=ref("unit"), grid=ref("grid"), community=ref("community"),
                leader=person("leader"), officer=person("officer"), police=person("police"),
            ),
            routing=Routing(route=row["route"], station=ref("station"),
                            department=ref("department")),
            events=events, photos=photos, case=None if clock is None else CaseClock(
                due_at=clock.due_at, overdue=clock.overdue, hours_left=clock.hours_left,
                escalation=clock.escalation, urgent=row["urgent"],
                supervised=row["supervised_at"] is not None, rework_count=row["rework_count"]),
        )  # fmt: skip


class ReportPage(BaseModel):
    """A page of reports, newest first, with a `next` link when more follow."""

    items: list[ReportOut]
    numberReturned: int
    links: list[Link]


class StatusChange(BaseModel):
    """Move a report along its lifecycle."""

    model_config = ConfigDict(extra="forbid", strict=True)

    status: Status
    note: StorableStr = Field(default="", max_length=4000)
    duplicate_of: Annotated[uuid.UUID, Strict(False)] | None = Field(
        default=None, description="With status duplicate."
    )


class NoteIn(BaseModel):
    """A note on a report, or (station, county) an instruction to the assistant."""

    model_config = ConfigDict(extra="forbid", strict=True)

    text: StorableStr = Field(min_length=1, max_length=4000, examples=["已联系网格长现场核实"])
    instruction: bool = False
