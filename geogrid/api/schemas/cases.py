"""The case loop's request bodies and answers: one body per kind of step, and the inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from geogrid.api.schemas.common import IsoDateTime, StorableStr
from geogrid.vocabulary import MAX_PHOTOS_PER_STEP

PhotoId = Annotated[StorableStr, Field(min_length=1, max_length=64)]
Note = Annotated[StorableStr, Field(max_length=4000)]
Photos = Annotated[list[PhotoId], Field(max_length=MAX_PHOTOS_PER_STEP, description="Ids of "
                   "photos already uploaded to the media store (at most 9).")]  # fmt: skip


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class NoteStep(_Body):
    """A step with a note: accept, close (optional), refuse and return (the reason), start,
    supervise."""

    note: Note = Field(default="", examples=["非本单位职责，退回县级分流"])


class HandleStep(_Body):
    """Handled: what was done, with photos as evidence."""

    note: Note = Field(examples=["已清理楼道杂物"])
    photo_ids: Photos = []


class DispatchStep(_Body):
    """Dispatch to one handler (a person by number, or a department by code)."""

    handler_person: str | None = Field(default=None, max_length=32, description="person_no")
    handler_department: str | None = Field(default=None, max_length=32,
                                           description="Department code.")  # fmt: skip
    instruction: Note = Field(examples=["请于今日内到场处置"])
    due_at: IsoDateTime | None = Field(default=None, description="The deadline; default: the "
                                       "category's limit in working days (ISO 8601, without "
                                       "offset China time).")  # fmt: skip
    urgent: bool | None = None


class VerifyStep(_Body):
    """The grid's verification on site: passed closes the case, failed sends it back."""

    passed: bool
    note: Note = ""
    photo_ids: Photos = []


class ExtensionAsk(_Body):
    """The handler asks for a later deadline, with a reason."""

    reason: Note = Field(examples=["需协调住建部门"])
    due_at: IsoDateTime = Field(description="The deadline asked for.")


class ExtensionDecision(_Body):
    """Whoever dispatched approves (the asked deadline holds) or refuses."""

    approve: bool
    note: Note = ""


class StepOut(BaseModel):
    """A step taken: the event written to the case's trail."""

    step: str
    from_status: str
    to_status: str
    at: datetime
    actor: str
    note: str
    due_at: datetime | None
    photo_ids: list[str]


Waiting = Literal["to_accept", "to_dispatch", "to_handle", "to_verify", "to_close",
                  "extension_to_decide", "attention"]  # fmt: skip


class InboxItemOut(BaseModel):
    """A case waiting for the caller, with its deadline as of the request."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    waiting: Waiting
    status: str
    category: str
    route: str
    reported_at: datetime
    urgent: bool
    supervised: bool
    rework_count: int
    due_at: datetime | None
    overdue: bool
    hours_left: float | None = Field(description="Working hours to the deadline; negative: "
                                     "over by that much.")  # fmt: skip
    escalation: int = Field(description="0 on time, 1 overdue, +1 per working day over (max 3).")


class InboxQuery(BaseModel):
    """The inbox's query: how many cases at most."""

    limit: int = Field(100, ge=1, le=500, description="Cases at most (default 100).")


class InboxOut(BaseModel):
    """What is waiting for the caller: supervised first, then by deadline."""

    items: list[InboxItemOut]
    numberReturned: int
