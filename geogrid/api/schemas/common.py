"""Pieces shared by several responses."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    Strict,
)
from pydantic_core import PydanticCustomError, core_schema

from geogrid.geo.text import STORABLE_PATTERN, unstorable_text


class _Storable:
    """Annotated metadata for text the database stores: refuses NUL and lone surrogates
    (422 naming the field, with geo.text's message) and documents that as a pattern."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler):
        return core_schema.no_info_after_validator_function(_storable, handler(source))

    def __get_pydantic_json_schema__(self, schema, handler: GetJsonSchemaHandler) -> dict:
        out = handler(schema)
        if out.get("type") == "string":
            out["pattern"] = STORABLE_PATTERN
        return out


def _storable(value: str) -> str:
    problem = unstorable_text(value) if isinstance(value, str) else None
    if problem is not None:
        raise PydanticCustomError("unstorable_text", problem)
    return value


STORABLE = _Storable()
StorableStr = Annotated[str, STORABLE]  # text that goes into (or is compared in) the database
_ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d")


def _iso_8601(value: Any) -> Any:
    """Only ISO 8601 text, as documented: pydantic alone reads a number as a Unix time."""
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DAY.match(value)):
        return value
    raise PydanticCustomError("iso_8601", "not an ISO 8601 date or time (2026-05-12T09:30+08:00)")


# Not strict once the text is known to be ISO 8601: a strict model would refuse any text.
IsoDateTime = Annotated[datetime, Strict(False), BeforeValidator(_iso_8601)]
IsoDate = Annotated[date, Strict(False), BeforeValidator(_iso_8601)]


class Link(BaseModel):
    """A link in the OGC API style."""

    href: str
    rel: str
    type: str | None = None
    title: str | None = None


class GridRef(BaseModel):
    """A grid's code and name."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str


class Contact(BaseModel):
    """A person's (or a station's) name and phone."""

    model_config = ConfigDict(from_attributes=True)

    name: str
    phone: str
    code: str | None = None


class Me(BaseModel):
    """The caller: name, role and scope."""

    name: str
    role: str
    station: str | None = None
    department: str | None = None
    person: str | None = None
    grids: list[str] = []
    communities: list[str] = []
