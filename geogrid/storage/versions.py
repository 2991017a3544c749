"""Which grid version answers: the one asked for (it must exist) or the active one.

Every front resolves a version here, so "no such version" is always UnknownVersionError
(HTTP 404, naming the field) and "none active yet" always NoActiveVersionError (HTTP 409).
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from geogrid.errors import NoActiveVersionError, UnknownVersionError
from geogrid.storage.models import GridVersion

NO_ACTIVE = "no active grid version: build one and activate it (geogrid grids activate N)"


# The active version's number, as a statement and as a subquery for other statements.
ACTIVE = select(GridVersion.id).where(GridVersion.status == "active")
ACTIVE_ID = ACTIVE.scalar_subquery()


def active_version_or_none(conn: Connection) -> int | None:
    """The active version's number, None before one is activated."""
    return conn.execute(ACTIVE).scalar_one_or_none()


def active_version(conn: Connection) -> int:
    """The active version's number; NoActiveVersionError when none is active."""
    found = active_version_or_none(conn)
    if found is None:
        raise NoActiveVersionError(NO_ACTIVE)
    return found


def latest_version(conn: Connection) -> int | None:
    """The newest version, whatever its status; None before the first build."""
    return conn.execute(select(func.max(GridVersion.id))).scalar()


def existing_version(conn: Connection, version: int, *, field: str = "version") -> int:
    """`version` itself if it exists; UnknownVersionError naming `field` otherwise."""
    found = conn.execute(select(GridVersion.id).where(GridVersion.id == version)).first()
    if found is None:
        raise UnknownVersionError(f"grid version {version} does not exist", field=field)
    return version


def known_version(conn: Connection, version: int | None = None, *, field: str = "version") -> int:
    """The version asked for (it must exist) or, when none is asked for, the active one."""
    if version is None:
        return active_version(conn)
    return existing_version(conn, version, field=field)
