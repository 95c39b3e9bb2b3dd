"""Health check for operators and load balancers: the database and Redis, each with a reason."""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from core.db import get_engine
from core.redis import get_redis

router = APIRouter(tags=["health"])


class Check(BaseModel):
    ok: bool
    ms: float | None = None  # how long the probe took, when it answered
    error: str | None = None  # why not, when it did not


class Health(BaseModel):
    status: str  # ok | degraded
    checks: dict[str, Check]


def _check(probe: Callable[[], None]) -> Check:
    started = time.perf_counter()
    try:
        probe()
    except Exception as exc:  # any failure means the dependency is down; say why
        return Check(ok=False, error=f"{type(exc).__name__}: {exc}".strip()[:300])
    return Check(ok=True, ms=round((time.perf_counter() - started) * 1000, 1))


def _database() -> None:
    with get_engine().connect() as conn:
        conn.execute(text("SELECT postgis_version()"))


def _redis() -> None:
    get_redis().ping()


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
def health() -> JSONResponse:
    """200 when the database and Redis answer, 503 (with the reason) when one does not."""
    checks = {"database": _check(_database), "redis": _check(_redis)}
    answer = Health(
        status="ok" if all(c.ok for c in checks.values()) else "degraded", checks=checks
    )
    body = answer.model_dump(exclude_none=True)
    return JSONResponse(body, 200 if answer.status == "ok" else 503)
