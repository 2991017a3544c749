"""LeanRoute: a route served without FastAPI's per-request machinery, for the hottest calls.

FastAPI's request handler solves dependencies, reads and checks the body and validates
the answer: about 55 us in process for every request (measured on the lookup and the
report POST, each lean against plain in the same process), more than the geotag lookup's
own work. An endpoint that takes the Request alone and returns a Response needs
none of it, so a LeanRoute calls it directly. What the app does around a route stays: the
middleware (body limits, server errors) and the exception handlers, so a lean endpoint's
errors are the same problem bodies as any other's. Its documentation is a normal route's:
the response model, the status code and the parameters declared with `openapi_extra`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute


class LeanRoute(APIRoute):
    """An APIRoute whose endpoint `async def f(request: Request) -> Response` is called as is.

    It refuses an endpoint with any parameter besides the request, or any dependency
    (its own or its router's): those would need the machinery this route skips.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        d = self.dependant
        declared = (d.dependencies, d.path_params, d.query_params, d.header_params,
                    d.cookie_params, d.body_params)  # fmt: skip
        special = (d.response_param_name, d.background_tasks_param_name,
                   d.http_connection_param_name, d.security_scopes_param_name)  # fmt: skip
        if any(declared) or any(special) or d.request_param_name is None:
            raise TypeError(
                f"LeanRoute {path}: the endpoint must take the Request alone and have no "
                "dependencies"
            )

    def get_route_handler(self) -> Callable[[Any], Any]:
        """The endpoint itself: it reads its caller and input from the request."""
        return self.endpoint
