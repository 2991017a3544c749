"""Which version answers: the one asked for or the active one, with one error for each miss."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, Engine, text

from geogrid.api.errors import status_of
from geogrid.errors import NoActiveVersionError, UnknownVersionError, VersionError
from geogrid.storage import versions


def _versions(conn: Connection, *statuses: str) -> list[int]:
    sql = text(
        "insert into grid_versions (status, source, note) values (:s, 'test', '') returning id"
    )
    return [conn.execute(sql, {"s": status}).scalar_one() for status in statuses]


def test_the_active_or_the_asked_version_and_one_error_for_each_miss(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("update grid_versions set status = 'retired' where status = 'active'"))
        with pytest.raises(NoActiveVersionError, match="no active grid version"):
            versions.known_version(conn, None)
        assert versions.active_version_or_none(conn) is None
        retired, active, draft = _versions(conn, "retired", "active", "draft")
        assert versions.known_version(conn, None) == active
        assert versions.known_version(conn, retired) == retired
        assert versions.latest_version(conn) == draft
        with pytest.raises(UnknownVersionError, match=f"grid version {draft + 1} does not") as e:
            versions.known_version(conn, draft + 1, field="old")
        assert e.value.field == "old"
        conn.rollback()


def test_a_missing_version_is_404_and_none_active_is_409() -> None:
    missing = UnknownVersionError("grid version 9 does not exist", field="version")
    assert isinstance(missing, VersionError)  # callers that catch VersionError still do
    assert status_of(missing) == 404
    assert status_of(NoActiveVersionError(versions.NO_ACTIVE)) == 409
