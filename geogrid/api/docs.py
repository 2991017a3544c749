"""The API documentation, Swagger UI at /docs and ReDoc at /redoc, working with no internet.

FastAPI's own pages load their scripts, a favicon and Google Fonts from outside hosts: on the
police network they stay blank. These pages load Swagger UI, ReDoc and the favicon from
/static/docs, a folder of the fastapi-offline wheel (the swagger-ui-dist and redoc
standalone bundles, installed from PyPI with geogrid), and no font from anywhere; the one
outside address inside ReDoc's bundle (its maker's logo) is pointed at our favicon.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from geogrid.errors import ConfigurationError

ASSET_BASE = "/static/docs"
ASSET_PACKAGE = "fastapi_offline"
FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png")
# No validator badge: Swagger UI would fetch it from validator.swagger.io.
SWAGGER_PARAMETERS = {"validatorUrl": None, "persistAuthorization": True}
# ReDoc draws its maker's logo from an outside host whatever its options say: any absolute
# image address in the bundle is pointed at our favicon, so no host's name is kept here.
OUTSIDE_IMAGE = re.compile(rb"https?://[^\"' )]+\.svg")


def asset_folder() -> Path:
    """The installed folder holding the documentation's scripts; ConfigurationError if the
    package or a file is missing."""
    spec = importlib.util.find_spec(ASSET_PACKAGE)
    if spec is None or spec.origin is None:
        raise ConfigurationError(f"the package {ASSET_PACKAGE} (fastapi-offline) is not "
                                 "installed: pip install -e . installs it")  # fmt: skip
    folder = Path(spec.origin).parent / "static"
    missing = [name for name in FILES if not (folder / name).is_file()]
    if missing:
        raise ConfigurationError(f"{folder} lacks {', '.join(missing)}: reinstall fastapi-offline")
    return folder


def install_docs(app: FastAPI) -> None:
    """Serve /docs, its OAuth redirect page, /redoc and their assets from this server."""
    folder = asset_folder()
    script = _redoc_script(folder)

    async def redoc_script() -> Response:
        return Response(script, media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})  # fmt: skip

    # Before the mount, which would serve the file as shipped.
    app.add_api_route(f"{ASSET_BASE}/redoc.standalone.js", redoc_script, methods=["GET"],
                      include_in_schema=False)  # fmt: skip
    app.mount(ASSET_BASE, StaticFiles(directory=folder), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"
    redirect = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"

    async def swagger(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=root + openapi_url, title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=root + redirect,
            swagger_js_url=f"{root}{ASSET_BASE}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSET_BASE}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSET_BASE}/favicon.png",
            swagger_ui_parameters=SWAGGER_PARAMETERS,
        )  # fmt: skip

    async def swagger_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=root + openapi_url, title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSET_BASE}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSET_BASE}/favicon.png", with_google_fonts=False,
        )  # fmt: skip

    app.add_api_route("/docs", swagger, methods=["GET"], include_in_schema=False)
    app.add_api_route(redirect, swagger_redirect, methods=["GET"], include_in_schema=False)
    app.add_api_route("/redoc", redoc, methods=["GET"], include_in_schema=False)


def _redoc_script(folder: Path) -> bytes:
    """The ReDoc bundle with its outside image addresses (its logo) pointing at our favicon."""
    script = (folder / "redoc.standalone.js").read_bytes()
    return OUTSIDE_IMAGE.sub(f"{ASSET_BASE}/favicon.png".encode(), script)
