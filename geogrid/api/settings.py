"""Settings of the HTTP API (prefix GEOGRID_API_), apart from the store's own settings."""

from __future__ import annotations

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from geogrid.settings import settings_error
from geogrid.vocabulary import GPS_TOLERANCE_M


class ApiSettings(BaseSettings):
    """Limits and tunables of the API; every one has a working default."""

    model_config = SettingsConfigDict(env_prefix="GEOGRID_API_", extra="ignore")

    max_body_bytes: int = Field(
        default=8 * 1024 * 1024, ge=1024, description="Largest request body accepted (413)."
    )
    max_upload_bytes: int = Field(
        default=9 * 10 * 1024 * 1024 + 1024 * 1024, ge=1024,
        description="Largest multipart body of photos (nine 10 MB photos and a report) (413).",
    )  # fmt: skip
    max_batch_items: int = Field(
        default=10_000, ge=1, description="Most report items in one batch (a phone's day)."
    )
    default_page_size: int = Field(default=100, ge=1, description="Items per page by default.")
    max_page_size: int = Field(
        default=1_000, ge=1, description="Most items per page; a larger limit is clamped."
    )
    max_export_rows: int = Field(
        default=200_000, ge=1, description="Most reports in one CSV or GeoJSON export."
    )
    tolerance_m: float = Field(
        default=GPS_TOLERANCE_M, ge=0, description="GPS tolerance of the spatial join, in metres."
    )
    auth_cache_seconds: float = Field(
        default=5.0, ge=0, description="How long a verified token is trusted without asking "
        "the database again (a revoked token stops working within this time).",
    )  # fmt: skip
    index_refresh_seconds: float = Field(
        default=1.0, gt=0, description="How often the assignment index is checked for a new "
        "active version or roster.",
    )  # fmt: skip
    write_batch_max: int = Field(
        default=500, ge=1, description="Most single report POSTs committed together."
    )
    write_linger_ms: float = Field(
        default=1.0, ge=0, le=100, description="Under load, how long the report writer waits "
        "after a batch for more POSTs before writing the next (0: at once). Bigger batches "
        "cost less per report; a lone POST on an idle server is written at once.",
    )  # fmt: skip
    db_pool_size: int = Field(default=10, ge=1, description="Database connections kept open.")
    docs: bool = Field(default=True, description="Serve /docs and /redoc.")
    console_session_hours: float = Field(
        default=12.0, gt=0, le=24 * 30, description="How long a console sign-in lasts (the "
        "session cookie), from sign-in: a working day and a half.",
    )  # fmt: skip
    device_session_days: float = Field(
        default=180.0, gt=0, le=3660, description="How long a phone's sign-in lasts before "
        "the assistant signs in again (revoked at once from the console or CLI).",
    )  # fmt: skip
    warm_tiles: bool = Field(
        default=True, description="At startup and when a version becomes active, make the "
        "console map's first-view tiles of the county in the background (api/tilewarm.py).",
    )  # fmt: skip
    warm_station_tiles: bool = Field(
        default=True, description="Warm each station's first-view tiles too, after the "
        "county's (each station's area is its own cache key).",
    )  # fmt: skip
    gc_freeze: bool = Field(
        default=True, description="After startup, exempt what exists (modules, the index) from "
        "the garbage collector's full scans, which otherwise pause requests for tens of ms.",
    )  # fmt: skip

    @model_validator(mode="after")
    def _pages_fit(self) -> ApiSettings:
        if self.default_page_size > self.max_page_size:
            raise ValueError("GEOGRID_API_DEFAULT_PAGE_SIZE exceeds GEOGRID_API_MAX_PAGE_SIZE")
        return self


def load_api_settings() -> ApiSettings:
    """The API settings from the environment; ConfigurationError naming a bad variable."""
    try:
        return ApiSettings()
    except ValidationError as exc:
        raise settings_error(exc, "GEOGRID_API_") from None
