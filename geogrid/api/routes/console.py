"""The station console's door: sign in with a token once, sign out, its static files, and
its 404 page for any address it does not have.

Sign-in exchanges the user's token (typed into a form, never in a URL) for a session held in
an HttpOnly, SameSite=Strict cookie (Secure over https) that lasts
`ApiSettings.console_session_hours`; the pages then ask the database for the session at each
request, so sign-out, expiry and revocation take effect at once.
"""

from __future__ import annotations

from datetime import timedelta
from importlib.resources import files
from urllib.parse import parse_qs

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from geogrid.access.errors import Unauthenticated
from geogrid.access.sessions import close_session, open_session
from geogrid.api.deps import SESSION_COOKIE, ConnDep, StateDep
from geogrid.console.pages import SIGNIN, ConsoleRoute, FormDep, PageDep, error_page
from geogrid.console.render import CONSOLE, STATIC, render
from geogrid.vocabulary import china_now

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)
HOME = f"{CONSOLE}/cases"
MAX_SIGNIN_BYTES = 4096


@router.get(CONSOLE)
@router.get(CONSOLE + "/")
def home(page: PageDep) -> RedirectResponse:
    """The console opens on the cases inbox."""
    return RedirectResponse(HOME, status_code=303)


@router.get(SIGNIN)
def signin_form(request: Request, next: str = "") -> Response:
    """The sign-in form: the user's token, typed or pasted once."""
    return render(request, "signin.html", next=_local(next), caller=None, csrf_token=None)


@router.post(SIGNIN)
async def signin(request: Request, state: StateDep) -> Response:
    """Open a console session for the token's user; the cookie carries it from now on."""
    body = await request.body()
    fields = parse_qs(body[:MAX_SIGNIN_BYTES].decode("utf-8", "replace"))
    token = (fields.get("token") or [""])[0].strip()
    target = _local((fields.get("next") or [""])[0])
    hours = state.api.console_session_hours
    try:
        opened = await run_in_threadpool(_open, state.engine, token, hours)
    except Unauthenticated:
        message = "令牌无效或已停用（the token is unknown or revoked）"
        return render(request, "signin.html", status_code=401, next=target, caller=None,
                      csrf_token=None, message=message)  # fmt: skip
    response = RedirectResponse(target or HOME, status_code=303)
    response.set_cookie(SESSION_COOKIE, opened.secret, max_age=int(hours * 3600), path="/",
                        httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")  # fmt: skip
    return response


@router.post(CONSOLE + "/signout")
def signout(form: FormDep, request: Request, conn: ConnDep) -> RedirectResponse:
    """End the session (its CSRF token checked) and forget the cookie."""
    close_session(conn, request.cookies.get(SESSION_COOKIE, ""), now=china_now())
    response = RedirectResponse(SIGNIN, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response


def _open(engine, token: str, hours: float):
    with engine.begin() as conn:
        return open_session(conn, token, "console", now=china_now(),
                            lifetime=timedelta(hours=hours))  # fmt: skip


def _local(target: str) -> str:
    """A page of the console to go back to, never another site (an open redirect)."""
    if target.startswith(CONSOLE + "/") and not target.startswith("//") and "\\" not in target:
        return target
    return ""


async def _not_found(request: Request) -> Response:
    """Any console address that is no page: the 404 page."""
    return error_page(request, 404, f"没有这个页面：{request.url.path}")


def mount(app: FastAPI) -> None:
    """Serve the console's static files, and its 404 page for any other console address
    (both after every route: the page routes come first)."""
    folder = files("geogrid.console") / "static"
    app.mount(STATIC, StaticFiles(directory=str(folder)), name="console-static")
    app.router.routes.append(
        ConsoleRoute(CONSOLE + "/{rest:path}", _not_found, methods=["GET"], include_in_schema=False)
    )
