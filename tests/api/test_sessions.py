"""Sign-in sessions: a phone's device session and the console's cookie session.

A device secret stands for its user wherever a token does, until it is signed out; a
console cookie works for reads, needs the CSRF token for changes, and stops at sign-out,
expiry or the user's revocation at once.
"""

from __future__ import annotations

from datetime import timedelta

from geogrid.access.sessions import close_session, open_session
from geogrid.access.users import add_user, revoke_user
from geogrid.api.deps import CSRF_HEADER, SESSION_COOKIE
from geogrid.vocabulary import china_now
from tests.api.fixtures import auth
from tests.api.places import USER_PREFIX


def _cookie(secret: str) -> dict[str, str]:
    return {"Cookie": f"{SESSION_COOKIE}={secret}"}


def _console(engine, token: str, *, hours: float = 1, ago: float = 0):
    with engine.begin() as conn:
        now = china_now() - timedelta(hours=ago)
        return open_session(conn, token, "console", now=now, lifetime=timedelta(hours=hours))


def test_a_phone_signs_in_once_and_its_secret_stands_for_its_user(client, users):
    signed = client.post("/v1/devices", json={"token": users.staff01, "device_name": "红米 9A"})
    assert signed.status_code == 201, signed.text
    body = signed.json()
    assert body["secret"] != users.staff01 and body["device_name"] == "红米 9A"
    me = client.get("/v1/me", headers=auth(body["secret"])).json()
    assert me["name"] == f"{USER_PREFIX}staff01" and me["grids"]
    listed = client.get("/v1/devices", headers=auth(body["secret"])).json()
    assert body["id"] in {d["id"] for d in listed}
    assert all(d["user"] == f"{USER_PREFIX}staff01" for d in listed)
    # Another user's token cannot end this phone's session: existence does not leak.
    other = client.delete(f"/v1/devices/{body['id']}", headers=auth(users.staff02))
    assert other.status_code == 404
    ended = client.delete(f"/v1/devices/{body['id']}", headers=auth(users.staff01))
    assert ended.status_code == 204
    assert client.get("/v1/me", headers=auth(body["secret"])).status_code == 401
    assert client.get("/v1/me", headers=auth(users.staff01)).status_code == 200


def test_a_device_sign_in_names_what_is_wrong(client, users):
    wrong = client.post("/v1/devices", json={"token": "nope", "device_name": "x"})
    assert wrong.status_code == 401
    blank = client.post("/v1/devices", json={"token": users.staff01, "device_name": "   "})
    assert blank.status_code in (400, 422) and "device_name" in blank.text
    long = client.post("/v1/devices", json={"token": users.staff01, "device_name": "x" * 101})
    assert long.status_code == 422 and "device_name" in long.text


def test_revoking_the_user_ends_its_sessions_at_once(client, county):
    with county.engine.begin() as conn:
        token = add_user(conn, USER_PREFIX + "sessions-revoked", "county_admin")
    phone = client.post("/v1/devices", json={"token": token, "device_name": "p"}).json()
    console = _console(county.engine, token)
    assert client.get("/v1/me", headers=auth(phone["secret"])).status_code == 200
    assert client.get("/v1/me", headers=_cookie(console.secret)).status_code == 200
    with county.engine.begin() as conn:
        revoke_user(conn, USER_PREFIX + "sessions-revoked")
    assert client.get("/v1/me", headers=auth(phone["secret"])).status_code == 401
    assert client.get("/v1/me", headers=_cookie(console.secret)).status_code == 401


def test_a_console_cookie_reads_and_changes_only_with_its_csrf_token(client, county, users):
    console = _console(county.engine, users.p01)
    assert console.csrf_token and console.csrf_token != console.secret
    me = client.get("/v1/me", headers=_cookie(console.secret))
    assert me.status_code == 200 and me.json()["station"] == "370782P01"
    path = f"/v1/grids/{county.p01.grid}/instructions"
    bare = client.post(path, json={"text": "csrf"}, headers=_cookie(console.secret))
    assert bare.status_code == 403 and "CSRF" in bare.text
    forged = client.post(path, json={"text": "csrf"},
                         headers=_cookie(console.secret) | {CSRF_HEADER: "forged"})  # fmt: skip
    assert forged.status_code == 403
    headers = _cookie(console.secret) | {CSRF_HEADER: console.csrf_token}
    good = client.post(path, json={"text": "csrf"}, headers=headers)
    assert good.status_code == 201, good.text
    with county.engine.begin() as conn:
        assert close_session(conn, console.secret, now=china_now())
    assert client.get("/v1/me", headers=_cookie(console.secret)).status_code == 401


def test_an_expired_or_foreign_session_is_refused(client, county, users):
    expired = _console(county.engine, users.p01, hours=1, ago=2)
    assert client.get("/v1/me", headers=_cookie(expired.secret)).status_code == 401
    phone = client.post("/v1/devices", json={"token": users.p01, "device_name": "p"}).json()
    # A phone's secret is no console cookie, and a console secret is no bearer token.
    assert client.get("/v1/me", headers=_cookie(phone["secret"])).status_code == 401
    live = _console(county.engine, users.p01)
    assert client.get("/v1/me", headers=auth(live.secret)).status_code == 401
