"""The request body limit, as plain ASGI middleware (no per-request cost on GETs)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from geogrid.api.errors import TOO_LARGE, problem_response


class BodySizeLimit:
    """Refuse bodies over `max_bytes` with 413: at once when Content-Length says so, else
    as soon as the streamed body passes the limit. Multipart bodies to `upload_paths`
    (photos) may be up to `upload_max_bytes` instead."""

    def __init__(self, app: ASGIApp, max_bytes: int, upload_max_bytes: int = 0,
                 upload_paths: tuple[str, ...] = ()) -> None:  # fmt: skip
        self.app, self.max_bytes = app, max_bytes
        self.upload_max_bytes, self.upload_paths = max(upload_max_bytes, max_bytes), upload_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            from starlette.requests import Request

            response = problem_response(Request(scope), 413, _message(limit), code=TOO_LARGE)
            await response(scope, receive, send)
            return
        await self.app(scope, _counting(receive, limit), send)

    def _limit(self, scope: Scope) -> int:
        if scope["path"] not in self.upload_paths:
            return self.max_bytes
        for name, value in scope["headers"]:
            if name == b"content-type":
                return self.upload_max_bytes if b"multipart/form-data" in value.lower() else (
                    self.max_bytes)  # fmt: skip
        return self.max_bytes


def _message(limit: int) -> str:
    return f"the request body is larger than {limit:,} bytes"


def _counting(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > limit:
            # FastAPI turns other errors while reading a body into a 400.
            raise HTTPException(413, _message(limit))
        return message

    return counted


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
