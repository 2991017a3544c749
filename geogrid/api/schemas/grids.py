"""Grids in the OGC API - Features style, versions and instructions."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from geogrid.api.schemas.common import Link, StorableStr

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"


class LandingPage(BaseModel):
    """The service's landing page."""

    title: str
    description: str
    links: list[Link]


class Conformance(BaseModel):
    """The conformance classes implemented."""

    conformsTo: list[str]


class SpatialExtent(BaseModel):
    """Bounding box of a collection, lon/lat."""

    bbox: list[list[float]]
    crs: str = CRS84


class TemporalExtent(BaseModel):
    """When the items of a collection happened: [first, last] (reports: when reported)."""

    interval: list[list[datetime | None]]
    trs: str = GREGORIAN


class Extent(BaseModel):
    """A collection's extent: where, and for reports when."""

    spatial: SpatialExtent
    temporal: TemporalExtent | None = None


class Collection(BaseModel):
    """One grid level of the active version, or the reports in the caller's scope."""

    id: Literal["communities", "grids", "units", "reports"]
    title: str
    description: str
    itemType: str = "feature"
    crs: list[str] = Field(default=[CRS84], description="The CRSs items can be served in.")
    storageCrs: str = CRS84
    extent: Extent | None = None
    links: list[Link]


class Collections(BaseModel):
    """The three grid levels and the reports."""

    collections: list[Collection]
    links: list[Link]


class Responsible(BaseModel):
    """The person answering for a grid today: community police (level 1), grid leader
    (level 2) or information officer (level 3)."""

    role: str
    person_no: str
    name: str
    phone: str


class GridProperties(BaseModel):
    """What a grid feature says besides its geometry."""

    code: str = Field(examples=["370782001001002"])
    name: str
    level: int = Field(ge=1, le=3)
    kind: str = Field(description="community, rural_village, urban_block or unit")
    parent: str | None
    community: str = Field(description="12-digit code of the community it lies in.")
    station: str | None = Field(description="Code of the police station of its community.")
    station_name: str | None
    households: int
    area_m2: float
    version: int
    responsible: Responsible | None


class GridFeature(BaseModel):
    """A grid as a GeoJSON feature (RFC 7946: WGS-84 lon/lat)."""

    type: Literal["Feature"] = "Feature"
    id: str
    geometry: dict[str, Any] = Field(description="GeoJSON MultiPolygon.")
    properties: GridProperties
    links: list[Link] | None = None


class GridFeatureCollection(BaseModel):
    """A page of grids as a GeoJSON feature collection."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[GridFeature]
    numberMatched: int
    numberReturned: int
    timeStamp: datetime
    links: list[Link]


class VersionOut(BaseModel):
    """A grid version (generation) and its counts per level."""

    id: int
    status: Literal["draft", "active", "retired"]
    created_at: datetime
    activated_at: datetime | None
    note: str
    communities: int
    grids: int
    units: int
    passed: bool = Field(description="Whether the version passed validation.")


class VersionDiffOut(BaseModel):
    """Grids added, removed and changed (same code, other geometry) from old to new, within
    the caller's area."""

    old: int
    new: int
    added: list[str]
    removed: list[str]
    changed: list[str]


class InstructionIn(BaseModel):
    """A station's standing instruction to the assistants of a grid."""

    model_config = ConfigDict(extra="forbid", strict=True)

    text: StorableStr = Field(
        min_length=1, max_length=4000, examples=["本周重点排查出租房屋消防隐患"]
    )


class InstructionOut(BaseModel):
    """A standing instruction as stored."""

    id: int
    grid: str
    at: datetime
    actor: str
    text: str


class StreetProperties(BaseModel):
    """A street's name and kind as loaded (街、路、巷 ...)."""

    name: str
    kind: str


class StreetFeature(BaseModel):
    """A street's line inside a grid, cut at the grid's edge."""

    type: Literal["Feature"] = "Feature"
    geometry: dict[str, Any] = Field(description="GeoJSON LineString or MultiLineString.")
    properties: StreetProperties


class StreetCollection(BaseModel):
    """The streets inside one grid, as a GeoJSON feature collection."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[StreetFeature]
