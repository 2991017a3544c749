"""Rendering a console page: one Jinja2 environment and the headers every page carries.

Every page is sent with a Content-Security-Policy that allows only this server (no inline
script, no outside host), is never cached (it holds a person's data), and may not be
framed. Templates extend `base.html`, which gives the navigation and the CSRF token that
the page's forms and scripts send back.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from geogrid.vocabulary import as_china_time

CONSOLE = "/console"
STATIC = "/console/static"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "font-src 'self'; connect-src 'self'; worker-src 'self'; frame-ancestors 'none'; "
       "base-uri 'none'; form-action 'self'; object-src 'none'")  # fmt: skip
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The console's templates (autoescaped), loaded once."""
    env = Environment(loader=PackageLoader("geogrid.console", "templates"),
                      autoescape=select_autoescape(("html", "xml")), auto_reload=False)  # fmt: skip
    env.globals.update(console=CONSOLE, static=STATIC)
    env.filters["cn"] = china_time_text
    env.filters["clock"] = clock_html
    return env


def china_time_text(moment: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A moment as China's clocks show it (the database's are UTC); "" for none."""
    return "" if moment is None else as_china_time(moment).strftime(pattern)


_NO_CLOCK = Markup('<span class="muted">—</span>')


def clock_html(clock: Any) -> Markup:
    """Where a case stands against its deadline (a clock with `due_at`, `overdue` and
    `hours_left`; none or no deadline: a dash): a filter, not a macro, as the inbox draws
    200 of them (a macro's call cost a fifth of its page)."""
    if clock is None or clock.due_at is None:
        return _NO_CLOCK
    if clock.overdue:
        return Markup(f'<span class="overdue">超期 {-clock.hours_left:.1f} 小时</span>')
    return Markup(f'<span class="left">剩 {clock.hours_left:.1f} 小时</span>')


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A console page from `template` with the console's headers; `context` names what the
    template shows (`caller` and `csrf_token` for the navigation and forms)."""
    html = environment().get_template(template).render(request=request, **context)
    return HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)
