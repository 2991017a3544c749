"""The console's tests use the API's fixtures: the tiny county, its users, a TestClient and a
served geogrid; plus console sessions (the cookie a signed-in browser holds)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from geogrid.access.sessions import open_session
from geogrid.api.deps import SESSION_COOKIE
from geogrid.vocabulary import china_now
from tests.api.conftest import api_settings, client, county, reports, served, users  # noqa: F401


def console_cookie(engine: Engine, token: str) -> str:
    """The secret of a new console session of the token's user (as signing in sets it)."""
    with engine.begin() as conn:
        opened = open_session(conn, token, "console", now=china_now(), lifetime=timedelta(hours=1))
    return opened.secret


def cookie_header(engine: Engine, token: str) -> dict[str, str]:
    """A Cookie header carrying a new console session of the token's user."""
    return {"Cookie": f"{SESSION_COOKIE}={console_cookie(engine, token)}"}
