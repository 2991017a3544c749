"""The request body limit, as plain ASGI middleware (no per-request cost on GETs)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from geogrid.api.errors import TOO_LARGE, problem_response


class BodySizeLimit:
    """Refuse bodies over `max_bytes` with 413: at once when Content-Length says so, else
    as soon as the streamed body passes the limit."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            from starlette.requests import Request

            response = problem_response(Request(scope), 413, self._message(), code=TOO_LARGE)
            await response(scope, receive, send)
            return
        await self.app(scope, self._counting(receive), send)

    def _message(self) -> str:
        return f"the request body is larger than {self.max_bytes:,} bytes"

    def _counting(self, receive: Receive) -> Receive:
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                # FastAPI turns other errors while reading a body into a 400.
                raise HTTPException(413, self._message())
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
