"""Open311 GeoReport v2 (JSON): services from our categories, requests from our reports."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from geogrid.api.schemas.common import StorableStr


class Service(BaseModel):
    """A report category as an Open311 service."""

    service_code: str
    service_name: str
    description: str
    metadata: bool = False
    type: Literal["realtime", "batch", "blackbox"] = "realtime"
    keywords: str
    group: str


class ServiceRequestIn(BaseModel):
    """A new service request (form-encoded, as Open311 clients send it; JSON also accepted).
    `crs` is an extension: EPSG:4326 by default, gcj02 or bd09 for Chinese map apps."""

    model_config = ConfigDict(extra="ignore")

    service_code: StorableStr = Field(min_length=1, max_length=32, examples=["fire_hazard"])
    lat: float = Field(allow_inf_nan=False, examples=[35.9987])
    long: float = Field(allow_inf_nan=False, examples=[119.4012])
    crs: StorableStr | None = Field(default=None, max_length=64)
    description: StorableStr | None = Field(default=None, max_length=4000)
    address_string: StorableStr | None = Field(default=None, max_length=500)
    first_name: StorableStr | None = Field(default=None, max_length=100)
    last_name: StorableStr | None = Field(default=None, max_length=100)
    device_id: StorableStr | None = Field(default=None, max_length=64)
    api_key: StorableStr | None = Field(default=None, max_length=200)
    jurisdiction_id: StorableStr | None = Field(default=None, max_length=64)
    media_url: StorableStr | None = Field(
        default=None, max_length=500, description="A photo uploaded first to this server: "
        "the `href` POST /v1/photos gave (no other server is fetched from).",
    )  # fmt: skip


class ServiceRequestCreated(BaseModel):
    """The id given to a new request."""

    service_request_id: str
    service_notice: str | None = None
    account_id: str | None = None


class ServiceRequest(BaseModel):
    """A report as an Open311 service request."""

    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: str | None
    service_name: str
    service_code: str
    description: str | None
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: datetime
    updated_datetime: datetime
    expected_datetime: datetime | None = None
    address: str | None
    address_id: str | None = None
    zipcode: str | None = None
    lat: float
    long: float
    media_url: str | None = None
