"""The application factory: `create_app(settings)` builds the API; nothing happens at import.

The engine, the assignment index and the token cache are made in the lifespan, so tests and
each uvicorn worker build their own (`uvicorn --factory geogrid.api.app:create_app`).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import Engine

from geogrid.api.caching import NoStoreForCallers
from geogrid.api.deps import SESSION_COOKIE
from geogrid.api.docs import install_docs
from geogrid.api.errors import install_error_handlers
from geogrid.api.gcfreeze import FreezeWhenWarm
from geogrid.api.limits import BodySizeLimit
from geogrid.api.methods import install_method_guards
from geogrid.api.routes import install
from geogrid.api.settings import ApiSettings, load_api_settings
from geogrid.api.state import make_state
from geogrid.settings import Settings, get_settings

PUBLIC_PATHS = ("/", "/v1/", "/conformance", "/v1/conformance", "/healthz")
UPLOAD_PATHS = ("/v1/photos", "/v1/reports")  # multipart bodies with photos may be larger
DESCRIPTION = """
Grids, geotag lookup, reports and statistics of the county's grid management (网格化管理).

**Tokens.** Every call but the landing page, conformance and `/healthz` needs
`Authorization: Bearer <token>` (Open311 clients may send `api_key`). Tokens are made with
`geogrid users add NAME --role ROLE [--station CODE | --department CODE | --person NO]`.

| role | sees |
| --- | --- |
| county_admin | everything |
| station | grids, people and reports of its jurisdiction |
| grid_staff | submits reports; its own grids and the reports assigned to it |
| department | the reports routed to it |

No token: 401. Outside your scope: 404 (existence does not leak). A role that may never do
something: 403. Reporter and text of sensitive categories (population, rental housing ...)
are shown to the station and the county only, and such reads are audited. A report may be
submitted from anywhere (none is refused for its place); reading it back follows the scopes.

**Limits.** Request bodies up to 8 MB (multipart bodies with photos up to 91 MB: nine
photos of at most 10 MB each), batches up to 10,000 reports, pages up to 1,000 items
(a larger `limit` is reduced), exports up to 200,000 reports (GEOGRID_API_* settings).

**Errors** are `application/problem+json` bodies with a `code`, a `detail` and the
offending `field`.
"""


def create_app(
    settings: Settings | None = None,
    api_settings: ApiSettings | None = None,
    *,
    engine: Engine | None = None,
) -> FastAPI:
    """The geogrid API. With `engine`, that engine is used (and not disposed) instead of
    one made from `settings` in the lifespan."""
    api = api_settings or load_api_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        config = settings or get_settings()
        own = engine is None
        eng = engine if engine is not None else await asyncio.to_thread(_engine, config, api)
        state = make_state(config, api, eng)
        await state.refresh_index()
        app.state.geogrid = state
        if api.gc_freeze:
            # A full collection walks every object the process holds (the index included):
            # freezing what startup made keeps those walks, and the pauses, short.
            gc.collect()
            gc.freeze()
        tasks = [asyncio.create_task(state.keep_index_fresh())]
        if own and config.database_url is None:  # this server runs on the embedded cluster
            tasks.append(asyncio.create_task(state.keep_embedded_database_up()))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            state.warmer.stop()
            await state.writer.close()
            if own:
                eng.dispose()

    app = FastAPI(
        title="geogrid API", version="1", description=DESCRIPTION, lifespan=lifespan,
        docs_url=None, redoc_url=None,  # served offline by install_docs, below
        # No OpenTelemetry on an air-gapped network; checking for it costs every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )  # fmt: skip
    install_error_handlers(app)
    app.add_middleware(
        BodySizeLimit, max_bytes=api.max_body_bytes, upload_max_bytes=api.max_upload_bytes,
        upload_paths=UPLOAD_PATHS,
    )  # fmt: skip
    app.add_middleware(NoStoreForCallers, cookie=SESSION_COOKIE)
    if api.gc_freeze:
        app.add_middleware(FreezeWhenWarm)
    install(app)
    if api.docs:
        install_docs(app)
    install_method_guards(app)
    _document_tokens(app)
    return app


def _engine(settings: Settings, api: ApiSettings) -> Engine:
    from geogrid.storage.database import make_engine
    from geogrid.storage.schema import ensure_schema

    engine = make_engine(settings, pool_size=api.db_pool_size, max_overflow=api.db_pool_size)
    ensure_schema(engine, migrate=settings.database_url is None)
    return engine


def _document_tokens(app: FastAPI) -> None:
    """Declare the tokens in the OpenAPI document: bearer, Basic with the token as the
    password, and Open311's api_key.

    Authentication is one light dependency reading the header, rather than FastAPI's
    security classes, which cost the hot lookup route more than the lookup itself.
    """
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        schema.setdefault("components", {})["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer"},
            # The token as the password, any user name: for clients that can send nothing
            # else (QGIS 3.22's authentication methods).
            "basic": {"type": "http", "scheme": "basic"},
            "api_key": {"type": "apiKey", "in": "query", "name": "api_key"},
        }
        for path, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                if path in PUBLIC_PATHS:
                    operation["security"] = []
                elif path.startswith("/open311/"):
                    operation["security"] = [{"bearer": []}, {"basic": []}, {"api_key": []}]
                else:
                    operation["security"] = [{"bearer": []}, {"basic": []}]
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
