"""What every console page shares: the signed-in session, its forms, and errors as pages.

A console page is reached with the session cookie only (never a token in the URL). Without
a live session (none, expired, signed out, revoked) a page sends the browser to the sign-in
page at once; a form post must carry the session's CSRF token in its `csrf_token` field
(compared in constant time). A domain error becomes a page, not JSON: another station's
case is the console's 404 page, as it is a 404 in the API.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import parse_qs, quote

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute

from geogrid.access.errors import Forbidden, Unauthenticated
from geogrid.access.roles import Caller
from geogrid.access.sessions import SessionState, session_caller
from geogrid.api.deps import SESSION_COOKIE, ConnDep
from geogrid.api.errors import status_of
from geogrid.api.multipart import is_multipart, parse_form
from geogrid.console.render import CONSOLE, render
from geogrid.errors import GeogridError, InputError
from geogrid.vocabulary import china_now, china_today

SIGNIN = f"{CONSOLE}/signin"
MAX_FORM_BYTES = 60_000_000  # nine photos of 10 MB and the fields beside them
ERROR_TITLES = {400: "输入有误", 403: "无权操作", 404: "未找到", 409: "状态已变化"}


@dataclass(frozen=True)
class ConsolePage:
    """The signed-in caller of a page and its session (for the CSRF token of its forms)."""

    caller: Caller
    session: SessionState

    @property
    def csrf_token(self) -> str:
        """The token the page's forms send back."""
        return self.session.csrf_token or ""


@dataclass(frozen=True)
class ConsoleForm:
    """A posted form whose CSRF token matched: its fields and its files."""

    page: ConsolePage
    fields: dict[str, list[str]]
    files: list[tuple[str, bytes]] = field(default_factory=list)

    def get(self, name: str, default: str = "") -> str:
        """One field's first value, stripped."""
        values = self.fields.get(name)
        return values[0].strip() if values else default

    def all(self, name: str) -> list[str]:
        """Every value of a repeated field (ticked boxes)."""
        return [v for v in self.fields.get(name, []) if v]


def console_page(request: Request, conn: ConnDep) -> ConsolePage:
    """The live console session of the request's cookie, asked of the database each time
    (an ended session takes effect at once); Unauthenticated sends to the sign-in page."""
    secret = request.cookies.get(SESSION_COOKIE)
    found = None
    if secret:
        found = session_caller(conn, secret, "console", now=china_now(), today=china_today())
    if found is None:
        raise Unauthenticated("sign in to the console")
    page = ConsolePage(*found)
    request.state.console_page = page  # the error page draws the navigation with it
    return page


PageDep = Annotated[ConsolePage, Depends(console_page)]


async def console_form(request: Request, page: PageDep) -> ConsoleForm:
    """The posted form (urlencoded or multipart with files), its CSRF token checked."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise InputError("the form is too large", field="body")
    content_type = request.headers.get("content-type")
    fields: dict[str, list[str]] = {}
    files: list[tuple[str, bytes]] = []
    if is_multipart(content_type):
        for part in parse_form(body, content_type or ""):
            if part.filename is not None:
                if part.data:  # an empty file input sends a part without content
                    files.append((part.filename or "(no name)", part.data))
            else:
                fields.setdefault(part.name, []).append(part.data.decode("utf-8", "replace"))
    else:
        fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    if not page.session.csrf_matches((fields.get("csrf_token") or [""])[0]):
        raise Forbidden("the form's CSRF token does not match this session: reload the page")
    return ConsoleForm(page, fields, files)


FormDep = Annotated[ConsoleForm, Depends(console_form)]


class ConsoleRoute(APIRoute):
    """A console page's route: no session -> the sign-in page; a domain error -> an error
    page with the status the API would give (another station's case: the 404 page)."""

    def get_route_handler(self) -> Callable:
        """The route's handler, wrapped to turn errors into pages."""
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except Unauthenticated:
                return signin_redirect(request)
            except GeogridError as exc:
                return error_page(request, status_of(exc), str(exc))
            except RequestValidationError as exc:
                first = exc.errors()[0] if exc.errors() else {}
                where = ".".join(str(p) for p in first.get("loc", ())[1:])
                return error_page(request, 400, f"{where}: {first.get('msg', 'invalid')}")

        return page_handler


def signin_redirect(request: Request) -> RedirectResponse:
    """To the sign-in page, coming back to this page (a GET) afterwards."""
    target = SIGNIN
    if request.method == "GET" and request.url.path != SIGNIN:
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target += "?next=" + quote(back, safe="")
    return RedirectResponse(target, status_code=303)


def error_page(request: Request, status: int, message: str) -> Response:
    """The console's error page (404: "not found", whether missing or out of sight)."""
    page = getattr(request.state, "console_page", None)
    return render(request, "error.html", status_code=status, status=status, message=message,
                  title=ERROR_TITLES.get(status, "出错了"),
                  caller=page.caller if page else None,
                  csrf_token=page.csrf_token if page else None)  # fmt: skip


def page_context(page: ConsolePage, **context) -> dict:
    """What base.html needs (caller, CSRF token) with the page's own context."""
    return {"caller": page.caller, "csrf_token": page.csrf_token, **context}
