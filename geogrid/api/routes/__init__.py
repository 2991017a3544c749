"""The API's routers, one module per resource, and the hook for more.

To add a resource (the Folium map pages, say), write `routes/maps.py` with a `router` and
add "maps" to ROUTER_MODULES; `create_app` includes every router listed here. A module may
also define `mount(app)` to mount what a router cannot hold (static files such as the map
assets under /static/maps). A station's map is scoped with the same `CallerDep` as the
other routes (`caller.area_codes()`, `caller.report_scope()`).
"""

from __future__ import annotations

from importlib import import_module

from fastapi import FastAPI

from geogrid.api.lean import LeanRoute

# In the documentation's order; the lean routes are matched first whatever it is (install).
ROUTER_MODULES = (
    "lookup",
    "meta",
    "sessions",
    "features",
    "grids",
    "reports",
    "cases",
    "photos",
    "open311",
    "stats",
    "maps",
    "tiles",
    "console",
    "console_cases",
    "console_grids",
    "console_reports",
    "console_map",
    "console_team",
    "console_team_month",
    "console_registry",
    "team",
    "team_month",
    "app",
    "registry",
    "patrols",
)


def install(app: FastAPI) -> None:
    """Add every route of ROUTER_MODULES' routers to the app, and let each module mount
    what it needs.

    The routes are added flat, as routes of the app's own router, rather than with
    `include_router`: since FastAPI 0.137 an included router stays a node of its own that
    each request walks twice (to match, then to handle): measured in process, about 30 us
    of every request, a fifth of /healthz and a seventh of a report POST's HTTP side.
    The lean routes go first, and FastAPI's documentation routes last.
    """
    ours = []
    for name in ROUTER_MODULES:
        module = import_module(f"{__name__}.{name}")
        ours.extend(module.router.routes)
        mount = getattr(module, "mount", None)
        if mount is not None:
            mount(app)
    # Routes are matched in order: the phones' lean calls (the lookup, the report POST)
    # first, then ours in module order, then FastAPI's own (/openapi.json, /docs, ...),
    # whose paths none of ours takes. A path is documented where its first route is.
    ours.sort(key=lambda route: not isinstance(route, LeanRoute))  # stable
    app.router.routes[:0] = ours
