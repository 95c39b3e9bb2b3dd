"""Error answers: always JSON that says what is wrong, and 503 when a service is down."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

from core.errors import DomainError

log = logging.getLogger("careroute.api")

__all__ = ["DomainError", "install_error_handlers"]


def _field(loc: tuple[object, ...] | list[object]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts)


async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [
        {"field": _field(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type")}
        for e in exc.errors()
    ]
    return JSONResponse(
        {"detail": "invalid input", "code": "invalid_input", "errors": jsonable_encoder(errors)},
        status_code=422,
    )


async def _domain(request: Request, exc: DomainError) -> JSONResponse:
    body: dict[str, object] = {"detail": exc.message}
    if exc.code:
        body["code"], body["params"] = exc.code, jsonable_encoder(exc.params)
    if exc.field:
        body["errors"] = [{"field": exc.field, "message": exc.message}]
    headers: dict[str, str] = {}
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        body["retry_after"] = retry_after
        headers["Retry-After"] = str(retry_after)
    return JSONResponse(body, status_code=exc.status, headers=headers)


async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
    reason = str(exc.orig).splitlines()[0] if exc.orig else "conflict"
    return JSONResponse({"detail": f"conflicts with stored data: {reason}"}, status_code=409)


async def _data(request: Request, exc: DataError) -> JSONResponse:
    """A value the database refused (a number out of its column's range, a NUL in text): the
    input was bad, and the schemas should have said so. Logged so the schema gets fixed."""
    reason = str(exc.orig).splitlines()[0] if exc.orig else "bad value"
    log.warning("value refused by the database", extra={"path": request.url.path, "error": reason})
    return JSONResponse({"detail": f"a value cannot be stored: {reason}"}, status_code=422)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    """A bug: answered as JSON like every other error; the traceback goes to the log."""
    log.error("unhandled error", extra={"path": request.url.path}, exc_info=exc)
    return JSONResponse({"detail": "internal error"}, status_code=500)


async def _database_down(request: Request, exc: OperationalError) -> JSONResponse:
    log.error("database unavailable", extra={"path": request.url.path, "error": str(exc.orig)})
    return JSONResponse(
        {"detail": "database unavailable, try again later"},
        status_code=503,
        headers={"Retry-After": "5"},
    )


async def _redis_down(request: Request, exc: RedisConnectionError) -> JSONResponse:
    log.error("redis unavailable", extra={"path": request.url.path, "error": str(exc)})
    return JSONResponse(
        {"detail": "live service (Redis) unavailable, try again later"},
        status_code=503,
        headers={"Retry-After": "5"},
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(DomainError, _domain)  # type: ignore[arg-type]
    app.add_exception_handler(IntegrityError, _integrity)  # type: ignore[arg-type]
    app.add_exception_handler(DataError, _data)  # type: ignore[arg-type]
    app.add_exception_handler(OperationalError, _database_down)  # type: ignore[arg-type]
    app.add_exception_handler(RedisConnectionError, _redis_down)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)
    app.openapi = lambda: _openapi_with_errors(app)  # type: ignore[method-assign]


# --- the error answers, documented in the OpenAPI schema -----------------------------------

_ERROR_SCHEMAS: dict[str, Any] = {
    "FieldError": {
        "type": "object",
        "required": ["field", "message"],
        "properties": {
            "field": {"type": "string", "description": "dotted path of the field at fault"},
            "message": {"type": "string"},
            "type": {"type": ["string", "null"]},
        },
    },
    "Error": {
        "type": "object",
        "required": ["detail"],
        "description": (
            "What is wrong; `errors` names the fields at fault when there are any. `code` and "
            "`params`, when given, let a client say the error in its own language."
        ),
        "properties": {
            "detail": {"type": "string"},
            "code": {"type": "string", "description": "a stable code of the error"},
            "params": {"type": "object", "description": "the values the message names"},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}},
        },
    },
}
_ERROR_ANSWERS = {
    "400": "a rule of the domain was broken",
    "401": "not logged in, or the token expired",
    "403": "not allowed for your role",
    "404": "not found, or outside your reach",
    "409": "conflicts with stored data",
    "422": "invalid input; `errors` names each field",
    "503": "the database or Redis is down; try again later",
}


def _openapi_with_errors(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema, with the error answers this app really gives on every operation
    (FastAPI documents only its own 422 shape, which these handlers replace)."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas.update(_ERROR_SCHEMAS)
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, description in _ERROR_ANSWERS.items():
                answer = responses.setdefault(code, {"description": description})
                answer["content"] = error
    app.openapi_schema = schema
    return schema
