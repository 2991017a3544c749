"""Pieces shared by several responses."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


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
