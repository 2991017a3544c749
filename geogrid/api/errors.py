"""Every error the API returns, made in one place: JSON problem bodies (RFC 9457).

A domain error (geogrid.errors, geogrid.access.errors) becomes a 4xx with its message and
the offending field; request validation errors name the field too. Anything unforeseen is a
500 with a reference number, logged with its traceback on the server and never shown to the
client (no SQL, no stack). Under /open311/ the body is the GeoReport v2 error list instead.
"""

from __future__ import annotations

import logging
import re
import secrets
from http import HTTPStatus

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from geogrid.access.errors import Forbidden, Unauthenticated
from geogrid.errors import (
    ConflictError,
    DamagedPhotoError,
    DatabaseError,
    GeogridError,
    InputError,
    LockedError,
    NotFoundError,
    NotQualifiedError,
    TransitionError,
    UnknownVersionError,
    VersionError,
)

PROBLEM_JSON = "application/problem+json"
TOO_LARGE = "body_too_large"  # the code of every 413, whichever check found it
log = logging.getLogger("geogrid.api")


class BodyTooLarge(GeogridError):
    """A request body over the configured limit."""


# The most specific class in an error's MRO decides its status.
STATUS: dict[type[BaseException], int] = {
    Unauthenticated: 401,
    Forbidden: 403,
    UnknownVersionError: 404,  # a VersionError too, but a version asked for that is not there
    NotFoundError: 404,
    ConflictError: 409,
    TransitionError: 409,
    VersionError: 409,
    NotQualifiedError: 409,
    LockedError: 409,
    BodyTooLarge: 413,
    DamagedPhotoError: 422,
    InputError: 400,
    DatabaseError: 503,
    GeogridError: 400,
}


class FieldProblem(BaseModel):
    """One invalid field of a request."""

    field: str
    message: str


class Problem(BaseModel):
    """An error: HTTP status, a stable code, a human message and the offending field."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    code: str
    field: str | None = None
    instance: str | None = None
    errors: list[FieldProblem] | None = None


def problem_response(
    request: Request | None,
    status: int,
    detail: str,
    *,
    code: str | None = None,
    field: str | None = None,
    errors: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A problem body (or the Open311 error list under /open311/)."""
    path = request.url.path if request is not None else None
    if path and path.startswith("/open311/"):
        message = f"{field}: {detail}" if field and not detail.startswith(field) else detail
        return JSONResponse([{"code": status, "description": message}], status, headers)
    title = HTTPStatus(status).phrase
    body = Problem(title=title, status=status, detail=detail, field=field, instance=path,
                   code=code or _snake(title), errors=errors)  # fmt: skip
    return JSONResponse(body.model_dump(exclude_none=True), status, headers,
                        media_type=PROBLEM_JSON)  # fmt: skip


def status_of(exc: BaseException) -> int:
    """The HTTP status of a domain error."""
    return next(STATUS[k] for k in type(exc).__mro__ if k in STATUS)


async def _domain_error(request: Request, exc: GeogridError) -> JSONResponse:
    status = status_of(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if status >= 500:
        log.error("%s on %s: %s", type(exc).__name__, request.url.path, exc)
    return problem_response(request, status, str(exc), code=_snake(type(exc).__name__),
                            field=exc.field, headers=headers)  # fmt: skip


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    # A body that is no JSON at all (a lone surrogate's escape, say) has no location: "body".
    errors = [FieldProblem(field=_field(e.get("loc", ())) or "body",
                           message=e.get("msg", "invalid")) for e in exc.errors()]  # fmt: skip
    first = errors[0] if errors else FieldProblem(field="", message="invalid request")
    return problem_response(request, 422, f"{first.field}: {first.message}",
                            code="validation_error", field=first.field or None,
                            errors=errors)  # fmt: skip


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = TOO_LARGE if exc.status_code == 413 else None
    return problem_response(request, exc.status_code, str(exc.detail), code=code,
                            headers=getattr(exc, "headers", None))  # fmt: skip


async def _database_error(request: Request, exc: DBAPIError | psycopg.Error) -> JSONResponse:
    # psycopg's own errors come from the report writer's async connection.
    reference = secrets.token_hex(4)
    log.error("database error %s on %s", reference, request.url.path, exc_info=exc)
    unavailable = isinstance(exc, OperationalError | psycopg.OperationalError)
    return problem_response(
        request, 503 if unavailable else 500,
        ("the database is unavailable" if unavailable else "internal error")
        + f" (reference {reference})",
    )  # fmt: skip


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    reference = secrets.token_hex(4)
    log.error("unexpected error %s on %s", reference, request.url.path, exc_info=exc)
    return problem_response(request, 500, f"internal error (reference {reference})")


def install_error_handlers(app: FastAPI) -> None:
    """Route every kind of error to its problem body."""
    app.add_exception_handler(GeogridError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(psycopg.Error, _database_error)
    app.add_exception_handler(Exception, _unexpected_error)


def _field(location) -> str:
    """'query.lon' -> 'lon'; ('body', 'items', 3, 'lon') -> 'items.3.lon'."""
    parts = [str(p) for p in location]
    if parts and parts[0] in ("query", "path", "header", "body", "cookie"):
        parts = parts[1:]
    return ".".join(parts)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name.replace(" ", "")).lower()


class Open311Error(BaseModel):
    """One GeoReport v2 error, as Open311 clients expect: the status and what was wrong."""

    code: int
    description: str


ERROR_STATUSES = (400, 401, 403, 404, 409, 413, 422)
# The documented error responses of every route (OpenAPI).
PROBLEM_RESPONSES = {
    status: {"model": Problem, "description": HTTPStatus(status).phrase,
             "content": {PROBLEM_JSON: {}}}
    for status in ERROR_STATUSES
}  # fmt: skip
# Under /open311/ the same errors are GeoReport v2 error lists (`problem_response`).
OPEN311_RESPONSES = {
    status: {"model": list[Open311Error], "description": HTTPStatus(status).phrase}
    for status in ERROR_STATUSES
}
