"""Error answers: always JSON that says what is wrong, and 503 when a service is down."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import IntegrityError, OperationalError

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
        {"detail": "invalid input", "errors": jsonable_encoder(errors)}, status_code=422
    )


async def _domain(request: Request, exc: DomainError) -> JSONResponse:
    body: dict[str, object] = {"detail": exc.message}
    if exc.field:
        body["errors"] = [{"field": exc.field, "message": exc.message}]
    return JSONResponse(body, status_code=exc.status)


async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
    reason = str(exc.orig).splitlines()[0] if exc.orig else "conflict"
    return JSONResponse({"detail": f"conflicts with stored data: {reason}"}, status_code=409)


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
    app.add_exception_handler(OperationalError, _database_down)  # type: ignore[arg-type]
    app.add_exception_handler(RedisConnectionError, _redis_down)  # type: ignore[arg-type]
