"""Request and answer bodies of the phones' device sessions."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from geogrid.api.schemas.common import StorableStr


class DeviceSignIn(BaseModel):
    """A phone signs in once with its user's API token and names itself."""

    model_config = ConfigDict(extra="forbid")

    token: StorableStr = Field(min_length=1, max_length=200, description="The user's API token.")
    device_name: StorableStr = Field(
        min_length=1, max_length=100, description="How the user tells this phone apart.",
        examples=["红米 9A (张伟)"],
    )  # fmt: skip


class DeviceSession(BaseModel):
    """A device session as listed (without its secret)."""

    id: int
    user: str
    device_name: str | None
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ended_at: datetime | None


class DeviceSessionOpened(BaseModel):
    """The answer to a device sign-in: the secret is shown this once."""

    id: int
    user: str
    device_name: str
    secret: str = Field(description="Send it as `Authorization: Bearer <secret>` from now on.")
    expires_at: datetime
