"""Work logs, patrols, check-ins and patrol coverage: what the phone sends, what it gets.

Every write is idempotent (a client id, batch id or request id makes a repeat harmless)
and answers 200 with an `outcome` saying what it did.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from geogrid.api.schemas.common import IsoDateTime, StorableStr
from geogrid.api.schemas.reports import PhotoId
from geogrid.vocabulary import PATROL_BATCH_MAX_POINTS, PATROL_COVER_M

ClientId = Annotated[StorableStr, Field(min_length=1, max_length=128)]
Lon = Annotated[float, Field(allow_inf_nan=False, description="Longitude, WGS-84.")]
Lat = Annotated[float, Field(allow_inf_nan=False, description="Latitude, WGS-84.")]
Accuracy = Annotated[float | None, Field(allow_inf_nan=False, description="The phone's GPS "
                                         "accuracy in metres.")]  # fmt: skip
STRICT = ConfigDict(extra="forbid", strict=True)
UPLOADED = "Photos uploaded first (POST /v1/photos), by id."
CRS = "EPSG:4326 (default), gcj02, bd09, EPSG:4490 or any EPSG code."


class PlaceIn(BaseModel):
    """A place visited: a name, and its point if the phone had one."""

    model_config = STRICT
    name: StorableStr = Field(min_length=1, max_length=200)
    lon: Lon | None = None
    lat: Lat | None = None


class WorkLogIn(BaseModel):
    """A day's work log (工作日志) as the phone saves it."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [{
        "client_request_id": "phone-17-log-20260601-1", "text": "走访东村三户，调解邻里纠纷一起",
        "places": [{"name": "东村", "lon": 119.4012, "lat": 35.9987}],
        "edited_at": "2026-06-01T18:05:00+08:00"}]})  # fmt: skip
    client_request_id: ClientId = Field(description="The same id sent again changes nothing.")
    text: StorableStr = Field(max_length=10_000)
    photo_ids: list[PhotoId] = Field(default=[], max_length=9, description=UPLOADED)
    places: list[PlaceIn] = Field(default=[], max_length=50)
    edited_at: IsoDateTime | None = Field(default=None, description="When edited on the "
                                          "phone; an edit older than the kept one is not "
                                          "applied (`stale`). Default: now.")  # fmt: skip


class WorkLogOut(BaseModel):
    """A work log as kept, with whose it is."""

    day: date
    text: str
    photo_ids: list[str]
    places: list[dict]
    grid_codes: list[str] = Field(description="The grids the person held that day.")
    edited_at: datetime
    updated_at: datetime
    person_no: str | None = None
    name: str | None = None


class WorkLogSaved(BaseModel):
    """What a save did: created, updated, repeated (request id seen) or stale (older edit)."""

    outcome: Literal["created", "updated", "repeated", "stale"]
    log: WorkLogOut


class WorkLogPage(BaseModel):
    """A month's work logs in the caller's scope, by day."""

    month: str
    items: list[WorkLogOut]
    next: str | None = None


class PatrolStart(BaseModel):
    """A patrol started on the phone."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [
                {"client_id": "phone-17-patrol-0042", "started_at": "2026-06-01T09:00:00+08:00"}
            ]
        },
    )
    client_id: ClientId = Field(description="The same id gives the same patrol back.")
    started_at: IsoDateTime


class PatrolStop(BaseModel):
    """When the patrol stopped (a second stop keeps the first time)."""

    model_config = STRICT
    stopped_at: IsoDateTime


class TrackPoint(BaseModel):
    """One track point. `at` is ISO 8601 text (without an offset: China time), read by the
    point checks, so a bad time rejects that point only (and a batch validates 5x faster)."""

    model_config = STRICT
    at: str = Field(max_length=64, examples=["2026-06-01T09:00:05+08:00"])
    lon: Lon
    lat: Lat
    accuracy_m: Accuracy = None


class TrackBatch(BaseModel):
    """A batch of track points with the phone's batch id."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [{
        "batch_id": "phone-17-patrol-0042-b3", "points": [
            {"at": "2026-06-01T09:00:05+08:00", "lon": 119.4012, "lat": 35.9987,
             "accuracy_m": 6.0}]}]})  # fmt: skip
    batch_id: ClientId = Field(description="A batch sent again stores nothing.")
    points: list[TrackPoint] = Field(description=f"At most {PATROL_BATCH_MAX_POINTS:,} "
                                     "points (more: 400 naming `points`).")  # fmt: skip


class PatrolOut(BaseModel):
    """A patrol without its track."""

    id: int
    client_id: str
    started_at: datetime
    stopped_at: datetime | None
    points: int = Field(description="Track points stored.")
    grid_codes: list[str]
    person_no: str | None = None
    name: str | None = None
    length_m: float | None = Field(None, description="Length of the drawn track.")


class PatrolSaved(BaseModel):
    """What a start or stop did, and the patrol."""

    outcome: Literal["created", "repeated", "stopped"]
    patrol: PatrolOut


class PointRejected(BaseModel):
    """A point not stored: its index in the batch, the field and why."""

    index: int
    field: str
    message: str


class BatchOut(BaseModel):
    """What became of a batch: stored, or repeated (nothing stored again)."""

    outcome: Literal["stored", "repeated"]
    stored: int = Field(description="Points stored (for a repeat: by the first sending).")
    rejected: list[PointRejected]
    patrol: PatrolOut


class PatrolDetail(PatrolOut):
    """A patrol with its track (GeoJSON MultiLineString, WGS-84; null while it runs)."""

    track: dict | None = None


class PatrolPage(BaseModel):
    """A month's patrols in the caller's scope, by start."""

    month: str
    items: list[PatrolOut]
    next: str | None = None


class CheckInIn(BaseModel):
    """A check-in (签到) at a place, with at least one photo."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [{
        "client_request_id": "phone-17-checkin-0007", "at": "2026-06-01T10:00:00+08:00",
        "lon": 119.4012, "lat": 35.9987, "accuracy_m": 8.0, "place": "东村村委会",
        "photo_ids": ["9f2c" + "0" * 60]}]})  # fmt: skip
    client_request_id: ClientId
    at: IsoDateTime
    lon: float = Field(allow_inf_nan=False, description="Longitude, or x in a projected CRS.")
    lat: float = Field(allow_inf_nan=False, description="Latitude, or y in a projected CRS.")
    crs: StorableStr | None = Field(default=None, max_length=64, description=CRS)
    accuracy_m: Accuracy = None
    place: StorableStr = Field(default="", max_length=200)
    note: StorableStr = Field(default="", max_length=2000)
    photo_ids: list[PhotoId] = Field(min_length=1, max_length=9, description=UPLOADED)


class CheckInOut(BaseModel):
    """A check-in as kept, with the unit it fell in (as a report would)."""

    id: int
    client_request_id: str
    at: datetime
    lon: float
    lat: float
    accuracy_m: float | None
    place: str
    note: str
    photo_ids: list[str]
    unit_code: str | None
    method: str
    version_id: int | None
    person_no: str | None = None
    name: str | None = None


class CheckInSaved(BaseModel):
    """What a check-in did: created or repeated."""

    outcome: Literal["created", "repeated"]
    check_in: CheckInOut


class CheckInPage(BaseModel):
    """A month's check-ins in the caller's scope, by time."""

    month: str
    items: list[CheckInOut]
    next: str | None = None


class UnitCoverageOut(BaseModel):
    """A unit's patrol coverage of the month."""

    code: str
    name: str
    area_m2: float
    covered_m2: float = Field(description=f"Area within {PATROL_COVER_M:g} m of a track.")
    share: float = Field(description="covered_m2 / area_m2 (巡查覆盖率).")
    patrols: int = Field(description="Patrols whose tracks came that near.")
    days: int = Field(description="China days with such a patrol.")
    check_ins: int


class UnitCoveragePage(BaseModel):
    """Every unit of the caller's area with its coverage (join on `code` with the units
    collection or tiles for a map)."""

    month: str
    cover_m: float
    items: list[UnitCoverageOut]


class PersonCoverageOut(BaseModel):
    """A grid leader's or information officer's coverage: area-weighted over their units."""

    person_no: str
    name: str
    coverage: float


class PersonCoveragePage(BaseModel):
    """The people on duty in the caller's area during the month, with their coverage."""

    month: str
    items: list[PersonCoverageOut]
