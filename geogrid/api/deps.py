"""Reusable dependencies: the process state, the caller, a transaction, paging, bbox."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Annotated, TypeVar
from urllib.parse import unquote_plus

from fastapi import Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from geogrid.access.errors import Forbidden, Unauthenticated
from geogrid.access.roles import Caller
from geogrid.access.sessions import SessionState, session_caller
from geogrid.api.state import AppState
from geogrid.errors import InputError
from geogrid.vocabulary import as_china_time, china_now, china_today

ModelT = TypeVar("ModelT", bound=BaseModel)
MAX_OFFSET = 10_000_000  # beyond any county's reports; keeps OFFSET inside a bigint


async def app_state(request: Request) -> AppState:
    """The state of this API process (async: no thread hop for this dictionary read)."""
    return request.app.state.geogrid


StateDep = Annotated[AppState, Depends(app_state)]


def base_url(request: Request) -> str:
    """`str(request.base_url)` ("http://host:port/"), which Starlette builds afresh for each
    request (about a tenth of a report POST's HTTP side, by py-spy): remembered per scheme,
    server, root paths and Host header, the scope's parts it is made of."""
    scope = request.scope
    host = None
    for name, value in scope["headers"]:
        if name == b"host":
            host = value
            break
    server = scope.get("server")
    return _base_url(scope["scheme"], None if server is None else tuple(server),
                     scope.get("root_path", ""), scope.get("app_root_path"), host)  # fmt: skip


@lru_cache(maxsize=64)  # the Host header is the client's: a bounded cache
def _base_url(scheme: str, server: tuple | None, root_path: str, app_root_path: str | None,
              host: bytes | None) -> str:  # fmt: skip
    headers = [] if host is None else [(b"host", host)]
    scope = {"type": "http", "scheme": scheme, "server": server, "root_path": root_path,
             "path": "/", "query_string": b"", "headers": headers}  # fmt: skip
    if app_root_path is not None:
        scope["app_root_path"] = app_root_path
    return str(Request(scope).base_url)


def bearer_token(request: Request) -> str | None:
    """`Authorization: Bearer <token>`, or HTTP Basic with the token as the password (any
    user name: QGIS 3.22, as Debian 12 ships it, can send only that), or `api_key=` under
    /open311/ (as its clients send). Nowhere else is a token taken from a URL (history, logs,
    Referer headers keep URLs): a browser opens the map pages with the console's cookie."""
    for name, value in request.scope["headers"]:  # the raw list: cheaper than request.headers
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            scheme = scheme.lower()
            if scheme == "basic":
                return _basic_password(token.strip())
            return token.strip() or None if scheme == "bearer" else None
    if request.url.path.startswith("/open311/"):
        return request.query_params.get("api_key") or None
    return None


def _basic_password(credentials: str) -> str | None:
    """The password of HTTP Basic credentials (base64 of `user:password`), or None."""
    try:
        decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded.partition(":")[2].strip() or None


SESSION_COOKIE = "geogrid_session"  # the console's session (HttpOnly, SameSite=Strict)
CSRF_HEADER = "x-csrf-token"  # what the console's scripts send with a change
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def current_caller(request: Request) -> Caller:
    """The authenticated caller: by bearer token (a user's token or a phone's device
    session), else by the console's session cookie; 401 without either."""
    token = bearer_token(request)
    if token is None and SESSION_COOKIE in request.cookies:
        caller, _ = await console_session(request)
        return caller
    return await caller_of_token(request, token)


async def console_session(request: Request) -> tuple[Caller, SessionState]:
    """The caller and session of the console's cookie, asked of the database at every
    request (a sign-out or revocation takes effect at once); 401 when it has ended. A
    change (not GET/HEAD/OPTIONS) must carry the session's CSRF token in the X-CSRF-Token
    header (a form's field is checked by the console itself): 403 otherwise."""
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        raise Unauthenticated("sign in to the console first")
    found = await run_in_threadpool(_console_session, request.app.state.geogrid.engine, secret)
    if found is None:
        raise Unauthenticated("the console session has ended: sign in again")
    if request.method not in SAFE_METHODS and not found[1].csrf_matches(
        request.headers.get(CSRF_HEADER)
    ):
        raise Forbidden("a change from the console needs its CSRF token (X-CSRF-Token)")
    return found


def _console_session(engine, secret: str) -> tuple[Caller, SessionState] | None:
    with engine.begin() as conn:
        return session_caller(conn, secret, "console", now=china_now(), today=china_today())


async def caller_of_token(request: Request, token: str | None) -> Caller:
    """The caller holding a token (cached, else asked of the database); 401 if none."""
    if not token:
        raise Unauthenticated("an API token is needed: Authorization: Bearer <token>")
    auth = request.app.state.geogrid.auth
    caller = auth.cached(token)
    if caller is None:
        caller = await run_in_threadpool(auth.verify, token)
    if caller is None:
        raise Unauthenticated("the API token is unknown or revoked")
    return caller


CallerDep = Annotated[Caller, Depends(current_caller)]


def transaction(request: Request) -> Iterator[Connection]:
    """A connection in a transaction, committed before the response is sent (rolled back
    when the route raises)."""
    with request.app.state.geogrid.engine.begin() as conn:
        yield conn


ConnDep = Annotated[Connection, Depends(transaction, scope="function")]


@dataclass(frozen=True)
class Page:
    """Which slice of a list: at most `limit` items after `offset`."""

    limit: int
    offset: int


async def page(
    request: Request,
    limit: Annotated[
        int | None,
        Query(ge=1, description="Items per page (default 100; more than the maximum, 1,000 by "
              "default, is reduced to it)."),
    ] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")] = 0,
) -> Page:  # fmt: skip
    """Paging parameters, the limit clamped to the configured maximum."""
    settings = request.app.state.geogrid.api
    chosen = settings.default_page_size if limit is None else limit
    return Page(min(chosen, settings.max_page_size), offset)


PageDep = Annotated[Page, Depends(page)]


async def bbox_query(
    bbox: Annotated[
        str | None,
        Query(description="minLon,minLat,maxLon,maxLat in WGS-84.",
              examples=["119.35,35.95,119.45,36.05"]),
    ] = None,
) -> tuple[float, float, float, float] | None:  # fmt: skip
    """A WGS-84 bounding box, checked; InputError naming `bbox` otherwise."""
    if bbox is None:
        return None
    try:
        values = tuple(float(v) for v in bbox.split(","))
    except ValueError:
        raise InputError(f"bbox {bbox!r} is not four numbers", field="bbox") from None
    if len(values) != 4:
        raise InputError(f"bbox has {len(values)} numbers, not 4", field="bbox")
    x1, y1, x2, y2 = values
    if not (-180 <= x1 <= x2 <= 180 and -90 <= y1 <= y2 <= 90):
        raise InputError("bbox must be minLon,minLat,maxLon,maxLat within -180..180, -90..90",
                         field="bbox")  # fmt: skip
    return x1, y1, x2, y2


BboxDep = Annotated[tuple[float, float, float, float] | None, Depends(bbox_query)]


def query_dict(request: Request) -> dict[str, str]:
    """The query string's names and values, the last of a repeated name winning: what
    `dict(request.query_params)` gives, without Starlette's multi-dict (a seventh of a lean
    lookup under cProfile, where nothing else reads the query string)."""
    out = {}
    for part in request.scope["query_string"].decode("latin-1").split("&"):
        if part:
            name, _, value = part.partition("=")
            if "%" in part or "+" in part:
                name, value = unquote_plus(name), unquote_plus(value)
            out[name] = value
    return out


async def single_query_values(request: Request) -> None:
    """A query parameter the OpenAPI document declares as one value comes at most once:
    `?grid=a&grid=b` is a 422 naming `grid`, not the last value taken silently."""
    if b"&" not in request.scope["query_string"]:
        return  # one parameter at most: nothing can repeat
    route = request.scope["route"]
    names = _scalar_query_names(request.app, route.path, request.method)
    _refuse_repeats(request.query_params.multi_items(), names)


def _refuse_repeats(items: list[tuple[str, str]], names) -> None:
    """A 422 naming the first of `names` given more than once among `items`."""
    seen: set[str] = set()
    for name, _ in items:
        if name in seen and name in names:
            raise RequestValidationError(
                [{"loc": ("query", name), "msg": "given more than once", "type": "repeated"}]
            )
        seen.add(name)


def _scalar_query_names(app, path: str, method: str) -> tuple[str, ...]:
    """The query parameters of an operation whose documented schema is not an array."""
    cache = app.state.__dict__.setdefault("scalar_query_names", {})
    if (path, method) not in cache:
        operation = app.openapi()["paths"].get(path, {}).get(method.lower(), {})
        cache[path, method] = tuple(
            p["name"] for p in operation.get("parameters", ())
            if p["in"] == "query" and not _is_array(p.get("schema", {}))
        )  # fmt: skip
    return cache[path, method]


def _is_array(schema: dict) -> bool:
    return schema.get("type") == "array" or any(_is_array(s) for s in schema.get("anyOf", ()))


SingleValues = Depends(single_query_values)


async def documented_query_names(request: Request) -> None:
    """Every query parameter is one the OpenAPI document declares: an unknown name (a typo
    such as `?wating=true`) is a 422 naming it, not silently ignored."""
    if not request.scope["query_string"]:
        return
    route = request.scope["route"]
    cache = request.app.state.__dict__.setdefault("query_names", {})
    key = (route.path, request.method)
    if key not in cache:
        operation = request.app.openapi()["paths"].get(route.path, {}).get(
            request.method.lower(), {})  # fmt: skip
        cache[key] = {p["name"] for p in operation.get("parameters", ()) if p["in"] == "query"}
    for name in request.query_params:
        if name not in cache[key]:
            raise RequestValidationError(
                [{"loc": ("query", name), "msg": "not a parameter of this operation",
                  "type": "unknown"}]
            )  # fmt: skip


DocumentedQuery = Depends(documented_query_names)


def query_model(model: type[ModelT], request: Request) -> ModelT:
    """The query string validated against a model in one step.

    For the hottest route: FastAPI's per-parameter machinery costs more than the lookup
    itself. Errors are the same 422 problem naming the field; declare the parameters for
    the documentation with `query_parameters`.
    """
    values = query_dict(request)
    if b"&" in request.scope["query_string"]:
        _refuse_repeats(request.query_params.multi_items(), values)
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        errors = [{"loc": ("query", *e["loc"]), "msg": e["msg"], "type": e["type"]}
                  for e in exc.errors()]  # fmt: skip
        raise RequestValidationError(errors) from None


async def body_model(model: type[ModelT], request: Request) -> ModelT:
    """The JSON body validated against a model in one step (pydantic parses the JSON).

    For the single report POST, as `query_model` for the lookup; the same 422 problem
    naming the field. Declare the body for the documentation with `json_body`.
    """
    return json_model(model, await request.body())


def json_model(model: type[ModelT], raw: bytes | str) -> ModelT:
    """JSON validated against a model; the 422 problem naming the field of `body_model`."""
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        errors = [{"loc": ("body", *e["loc"]), "msg": e["msg"], "type": e["type"]}
                  for e in exc.errors()]  # fmt: skip
        raise RequestValidationError(errors) from None


def json_body(model: type[BaseModel]) -> dict:
    """The OpenAPI request body of a model (for `openapi_extra`; the model must also appear
    in some other route, so that it is among the components)."""
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def query_parameters(model: type[BaseModel]) -> list[dict]:
    """The OpenAPI description of a query model's fields, for `openapi_extra`."""
    schema = model.model_json_schema()
    required = set(schema.get("required", ()))
    parameters = []
    for name, field in schema["properties"].items():
        kept = {k: v for k, v in field.items() if k not in ("title", "examples")}
        parameter = {"name": name, "in": "query", "required": name in required, "schema": kept}
        if "description" in field:
            parameter["description"] = field["description"]
        if field.get("examples"):
            parameter["example"] = field["examples"][0]
        parameters.append(parameter)
    return parameters


def china_time(value: datetime | None) -> datetime | None:
    """A time without an offset is China time, as the phones show it."""
    return None if value is None else as_china_time(value)


def next_link(request: Request, page: Page, more: bool) -> str | None:
    """The URL of the next page when there is one."""
    if not more:
        return None
    url = request.url.include_query_params(offset=page.offset + page.limit, limit=page.limit)
    return str(url)
