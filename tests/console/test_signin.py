"""Signing in and out of the console: the cookie's flags, CSRF on every form, and the pages
going back to the sign-in page the moment a session ends (sign-out, expiry, revocation)."""

from __future__ import annotations

from sqlalchemy import text

from geogrid.api.deps import SESSION_COOKIE
from geogrid.console.render import CSP


def test_the_cookie_is_httponly_strict_and_secure_over_https(browser_for, users):
    plain = browser_for().post("/console/signin", data={"token": users.p01},
                               follow_redirects=False)  # fmt: skip
    assert plain.status_code == 303 and plain.headers["location"] == "/console/cases"
    cookie = plain.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=") and users.p01 not in cookie
    for flag in ("HttpOnly", "SameSite=strict", "Path=/", "Max-Age=43200"):
        assert flag.lower() in cookie.lower(), (flag, cookie)
    assert "secure" not in cookie.lower()
    secure = browser_for(base_url="https://testserver").post(
        "/console/signin", data={"token": users.p01}, follow_redirects=False)  # fmt: skip
    assert "secure" in secure.headers["set-cookie"].lower()


def test_a_wrong_token_stays_on_the_form(browser_for):
    answer = browser_for().post("/console/signin", data={"token": "nope"})
    assert answer.status_code == 401 and "令牌无效" in answer.text
    assert SESSION_COOKIE not in answer.headers.get("set-cookie", "")
    assert answer.headers["content-security-policy"] == CSP


def test_without_a_session_every_page_goes_to_signin(browser_for):
    anonymous = browser_for()
    for path in ("/console/", "/console/cases", "/console/cases/list?status=closed"):
        answer = anonymous.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/console/signin?next=%2Fconsole"), path
    assert anonymous.get("/console/signin?next=//evil.example/x").text.count("evil") == 0


def test_signing_back_in_returns_to_the_page_asked_for(browser_for, users):
    answer = browser_for().post("/console/signin", follow_redirects=False,
                                data={"token": users.p01, "next": "/console/grids"})  # fmt: skip
    assert answer.headers["location"] == "/console/grids"
    outside = {"token": users.p01, "next": "https://evil.example/"}
    elsewhere = browser_for().post("/console/signin", follow_redirects=False, data=outside)
    assert elsewhere.headers["location"] == "/console/cases"


def test_sign_out_needs_the_csrf_token_and_ends_the_session(browser_for, users):
    one = browser_for(users.p01)
    token = one.csrf()
    refused = one.post("/console/signout", data={"csrf_token": "forged"})
    assert refused.status_code == 403 and "CSRF" in refused.text
    assert one.get("/console/cases").status_code == 200, "a refused sign-out changes nothing"
    done = one.post("/console/signout", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/console/signin"
    # The old cookie, replayed, is dead too (not just forgotten by the browser).
    one.cookies.clear()
    replay = browser_for()
    replay.cookies.set(SESSION_COOKIE, done.request.headers["cookie"].split("=", 1)[1])
    assert replay.get("/console/cases", follow_redirects=False).status_code == 303


def test_an_expired_or_revoked_session_goes_back_to_signin_at_once(browser_for, users, county):
    for end in ("expires_at = now() - interval '1 second'", "ended_at = now()"):
        one = browser_for(users.p02)
        assert one.get("/console/cases", follow_redirects=False).status_code == 200
        with county.engine.begin() as conn:
            latest = "(select max(id) from web_sessions where kind = 'console')"
            conn.execute(text(f"update web_sessions set {end} where id = {latest}"))
        answer = one.get("/console/cases", follow_redirects=False)
        assert answer.status_code == 303 and "/console/signin" in answer.headers["location"]


def test_the_map_pages_open_with_the_console_session_and_never_by_a_url_token(
    browser_for, users, county
):
    own = county.p01.station
    assert browser_for().get(f"/maps/stations/{own}.html?api_key={users.p01}").status_code == 401
    signed_in = browser_for(users.p01)
    page = signed_in.get(f"/maps/stations/{own}.html")
    assert page.status_code == 200 and "派出所" in page.text


def test_an_unknown_console_address_is_the_404_page(browser_for, users):
    answer = browser_for(users.p01).get("/console/no/such/page")
    assert answer.status_code == 404 and "未找到" in answer.text
    assert answer.headers["content-security-policy"] == CSP
    assert browser_for().get("/console/static/console.css").status_code == 200
