"""Health check for operators and load balancers: the database and Redis, each with a reason."""

from __future__ import annotations

import time

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from core.db import get_engine
from core.redis import get_redis

router = APIRouter(tags=["health"])


def _check(probe) -> dict[str, object]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    try:
        probe()
    except Exception as exc:  # any failure means the dependency is down; say why
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}".strip()[:300]}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _database() -> None:
    with get_engine().connect() as conn:
        conn.execute(text("SELECT postgis_version()"))


def _redis() -> None:
    get_redis().ping()


@router.get("/health")
def health() -> JSONResponse:
    checks = {"database": _check(_database), "redis": _check(_redis)}
    ok = all(c["ok"] for c in checks.values())
    return JSONResponse(
        {"status": "ok" if ok else "degraded", "checks": checks}, 200 if ok else 503
    )
