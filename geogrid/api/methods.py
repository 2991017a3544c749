"""405 answers that tell the truth: every path answers a method it does not serve with 405
and an `Allow` header listing what it does serve.

Starlette answers 405 only when no route's path matches with the method, and then names
the methods of the one route it tried; a path served by two routes (GET and a lean POST
on /v1/reports) got half its Allow header, and a method missing on a fixed path fell
through to a parameterised one (GET /v1/reports/batch reached GET /v1/reports/{id}: 422).
A guard route per path, placed before its first route, takes every method the path lacks.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Route

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")


def install_method_guards(app: FastAPI) -> None:
    """Put a 405 guard before the first route of each path, for the methods it lacks."""
    routes = app.router.routes
    served: dict[str, set[str]] = {}
    first: dict[str, BaseRoute] = {}
    for route in routes:
        if isinstance(route, Route) and route.methods:
            served.setdefault(route.path, set()).update(route.methods)
            first.setdefault(route.path, route)
    for path, methods in served.items():
        lacking = [m for m in METHODS if m not in methods]
        if lacking:
            guard = Route(path, _not_allowed(methods), methods=lacking, include_in_schema=False)
            routes.insert(routes.index(first[path]), guard)


def _not_allowed(methods: set[str]):
    allow = ", ".join(m for m in METHODS if m in methods and m != "HEAD")

    async def not_allowed(request: Request) -> None:
        raise HTTPException(405, headers={"Allow": allow})

    return not_allowed
