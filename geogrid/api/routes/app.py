"""The grid staff's phone app (/app): its shell, manifest, service worker and static files.

None of these carries data: the app reads and sends everything through the /v1 API with
its device secret, so these routes need no token (a phone must start offline and signed
out alike) and stay out of the API's documentation.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse, RedirectResponse, Response

from geogrid.api.schemas.common import StorableStr
from geogrid.app.shell import (
    APP,
    STATIC,
    kinds_json,
    manifest,
    release,
    service_worker,
    shell_html,
)
from geogrid.console.render import CSP
from geogrid.errors import NotFoundError

router = APIRouter(include_in_schema=False)
# The page itself is revalidated each time online (the service worker answers offline).
PAGE_HEADERS = {"Content-Security-Policy": CSP, "Cache-Control": "no-cache",
                "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "same-origin"}  # fmt: skip
STATIC_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


@router.get(APP)
def app_root() -> RedirectResponse:
    """The app lives under /app/ (the service worker's scope)."""
    return RedirectResponse(f"{APP}/", status_code=307)


@router.get(f"{APP}/")
def shell() -> Response:
    """The app's one page."""
    return Response(shell_html(), media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)


@router.get(f"{APP}/sw.js")
def worker() -> Response:
    """The service worker for the scope /app/ (never cached by HTTP, so a release shows)."""
    return Response(
        service_worker(),
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": f"{APP}/"},
    )


@router.get(f"{APP}/manifest.webmanifest")
def web_manifest() -> Response:
    """The manifest that makes the app installable."""
    import json

    body = json.dumps(manifest(), ensure_ascii=False)
    return Response(body, media_type="application/manifest+json",
                    headers={"Cache-Control": "no-cache"})  # fmt: skip


@router.get(f"{APP}/kinds.json")
def kinds() -> Response:
    """The categories with the fields the report form asks for."""
    return Response(
        kinds_json(),
        media_type="application/json",
        headers={"Cache-Control": "no-cache", "X-Release": release()},
    )


@router.get(APP + "/static/{path:path}")
def static_file(path: StorableStr) -> FileResponse:
    """A script, style sheet or icon of the app."""
    target = (STATIC / path).resolve()
    if (
        not target.is_file()
        or not target.is_relative_to(STATIC.resolve())
        or target.suffix not in STATIC_TYPES
        or target.name.endswith(".template.js")
    ):
        raise NotFoundError(f"no app file {path}", field="path")
    return FileResponse(
        target, media_type=STATIC_TYPES[target.suffix], headers={"Cache-Control": "no-cache"}
    )
