"""The geotag lookup's query and answer."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from geogrid.api.schemas.common import Contact, GridRef, StorableStr


class LookupQuery(BaseModel):
    """A point in WGS-84 (default), GCJ-02, BD-09 or any EPSG CRS."""

    lon: float = Field(
        allow_inf_nan=False, description="Longitude (or x in a projected CRS).",
        examples=[119.4],
    )  # fmt: skip
    lat: float = Field(
        allow_inf_nan=False, description="Latitude (or y in a projected CRS).", examples=[36.0]
    )
    crs: StorableStr = Field(
        default="EPSG:4326", max_length=64,
        description="EPSG:4326 (GPS), gcj02 (AMap, Tencent), bd09 (Baidu), EPSG:4490 or any EPSG.",
        examples=["EPSG:4326", "gcj02"],
    )  # fmt: skip
    day: date | None = Field(
        default=None, description="Whose duty: this day (default today, China time)."
    )
    addresses: int = Field(
        default=3, ge=0, le=10,
        description="How many of the nearest standard addresses (registry) to add, within 200 m.",
    )  # fmt: skip


class NearAddress(BaseModel):
    """A standard address near the point (README "The registry")."""

    code: str
    text: str = Field(description="The standard written form (人民路12号3号楼2单元501室).")
    unit_code: str | None
    distance_m: float


class LookupOut(BaseModel):
    """Where the point falls, who answers for it and how far it is from the unit's edge."""

    lon: float = Field(description="The point in WGS-84.")
    lat: float
    method: Literal["inside", "boundary", "nearest", "unassigned"] = Field(
        description="inside a unit; on a shared edge (smallest code); nearest unit within the "
        "GPS tolerance; or outside every unit (county triage)."
    )
    edge_distance_m: float | None = Field(
        description="Metres to the unit's edge: inside (inside), 0 (boundary), outside (nearest)."
    )
    unit: GridRef | None = Field(description="Level-3 unit (三级网格).")
    grid: GridRef | None = Field(description="Level-2 grid (二级网格).")
    community: GridRef | None = Field(description="Level-1 community (社区).")
    leader: Contact | None = Field(description="Grid leader (网格长) on duty.")
    officer: Contact | None = Field(description="Information officer (网格信息员) on duty.")
    police: Contact | None = Field(description="Community police officer (社区民警) on duty.")
    station: Contact | None = Field(description="The police station of the community.")
    version: int = Field(description="The grid version answered from.")
    addresses: list[NearAddress] = Field(
        default_factory=list, description="The nearest standard addresses, nearest first."
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{
                "lon": 119.40123, "lat": 35.99871, "method": "inside", "edge_distance_m": 41.7,
                "unit": {"code": "370782001001002003", "name": "东关村3号单元"},
                "grid": {"code": "370782001001002", "name": "东关村"},
                "community": {"code": "370782001001", "name": "东关社区"},
                "leader": {"name": "王建国", "phone": "10012345678"},
                "officer": {"name": "李秀英", "phone": "10087654321"},
                "police": {"name": "张伟", "phone": "10011112222"},
                "station": {"name": "密州派出所", "phone": "0536-10000001", "code": "370782P01"},
                "version": 3,
                "addresses": [{"code": "37078212AB34CD56EF78", "text": "东关村45号",
                               "unit_code": "370782001001002003", "distance_m": 12.4}],
            }]
        }
    )  # fmt: skip
