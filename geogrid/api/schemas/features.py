"""Reports as OGC API - Features items: points with flat properties (what GIS tools read)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from geogrid.api.schemas.common import Link
from geogrid.api.schemas.reports import Method, Route, Status


class ReportProperties(BaseModel):
    """A report's attributes, one level deep. `reporter` and `text` are null for sensitive
    categories unless the caller is the station or the county."""

    category: str
    category_name: str
    sensitive: bool
    redacted: bool
    status: Status
    reported_at: datetime
    received_at: datetime
    method: Method
    unit: str | None = Field(description="18-digit code of its level-3 unit.")
    unit_name: str | None
    grid: str | None
    community: str | None
    route: Route
    station: str | None
    station_name: str | None
    department: str | None
    reporter: str | None
    text: str | None


class ReportFeature(BaseModel):
    """A report as a GeoJSON point feature, in the requested CRS."""

    type: Literal["Feature"] = "Feature"
    id: uuid.UUID
    geometry: dict[str, Any] = Field(description="GeoJSON Point.")
    properties: ReportProperties


class ReportFeatureCollection(BaseModel):
    """A page of reports, newest first, as a GeoJSON feature collection."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[ReportFeature]
    numberMatched: int
    numberReturned: int
    timeStamp: datetime
    links: list[Link]
