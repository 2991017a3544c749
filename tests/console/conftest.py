"""The console on the tiny county: the API's fixtures (the county, its users, a TestClient
and a served geogrid), a browser-like client per user that signs in through the form and
keeps its own cookie, and console sessions made directly (the cookie signing in sets)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from geogrid.access.sessions import open_session
from geogrid.api.deps import SESSION_COOKIE
from geogrid.vocabulary import china_now

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser(TestClient):
    """A TestClient with its own cookie jar, like one browser signed in to the console."""

    def sign_in(self, token: str) -> None:
        """Sign in through the form; the session cookie is kept."""
        answer = self.post("/console/signin", data={"token": token}, follow_redirects=False)
        assert answer.status_code == 303, answer.text

    def csrf(self, path: str = "/console/cases") -> str:
        """The CSRF token of the forms on a page."""
        page = self.get(path)
        assert page.status_code == 200, page.text
        return CSRF.search(page.text).group(1)


@contextmanager
def browsers(app, users, roles: tuple[str, ...]) -> Iterator[dict[str, Browser]]:
    """A browser signed in per role (of `users`' tokens), each closed afterwards."""
    made = {}
    try:
        for role in roles:
            made[role] = Browser(app, raise_server_exceptions=False)
            made[role].sign_in(getattr(users, role))
        yield made
    finally:
        for one in made.values():
            one.close()


@pytest.fixture
def browser_for(client):
    """A fresh signed-in client for a user's token (no cookie shared with the API tests)."""
    made = []

    def make(token: str | None = None, base_url: str = "http://testserver") -> Browser:
        one = Browser(client.app, base_url=base_url, raise_server_exceptions=False)
        made.append(one)
        if token is not None:
            one.sign_in(token)
        return one

    yield make
    for one in made:
        one.close()


def console_cookie(engine: Engine, token: str) -> str:
    """The secret of a new console session of the token's user (as signing in sets it)."""
    with engine.begin() as conn:
        opened = open_session(conn, token, "console", now=china_now(), lifetime=timedelta(hours=1))
    return opened.secret


def cookie_header(engine: Engine, token: str) -> dict[str, str]:
    """A Cookie header carrying a new console session of the token's user."""
    return {"Cookie": f"{SESSION_COOKIE}={console_cookie(engine, token)}"}
