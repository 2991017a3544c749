"""Answers to a signed-in caller are not kept by caches: plain ASGI middleware.

A response to a request carrying a token (Authorization) or the console's session cookie
gets `Cache-Control: no-store` unless its route chose its own caching (tiles, photos and
the map assets say `private, max-age=...`). Without it, clients keep scoped and personal
answers on disk: QGIS 3.22 served a grid layer from its cache to a layer that had no
credentials at all.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

NO_STORE = (b"cache-control", b"no-store")


class NoStoreForCallers:
    """Add `Cache-Control: no-store` to the responses of authenticated requests."""

    def __init__(self, app: ASGIApp, cookie: str) -> None:
        self.app, self.cookie = app, cookie.encode("latin-1") + b"="

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._signed_in(scope):
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                if not any(name.lower() == b"cache-control" for name, _ in headers):
                    message["headers"] = [*headers, NO_STORE]
            await send(message)

        await self.app(scope, receive, sending)

    def _signed_in(self, scope: Scope) -> bool:
        for name, value in scope["headers"]:
            if name == b"authorization" or (name == b"cookie" and self.cookie in value):
                return True
        return False
