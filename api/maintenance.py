"""Periodic upkeep while the app runs: ping partitions ahead, old pings dropped, visits inferred.

One process of many does each pass (a short Redis lock); every step is idempotent, so a pass
run twice, or skipped while Redis is down, does no harm. `careroute tracking maintain` does the
same from cron for deployments that prefer it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from redis.exceptions import RedisError

from core.db import session_scope
from core.redis import get_redis
from core.settings import get_settings
from tracking.maintenance import run_once

log = logging.getLogger("careroute.maintenance")
LOCK_KEY = "careroute:maintenance:lock"


def _pass() -> None:
    interval = get_settings().maintenance_interval_s
    try:
        if not get_redis().set(LOCK_KEY, "1", nx=True, ex=max(interval - 5, 5)):
            return  # another process did this pass
    except RedisError:
        log.warning("maintenance without a lock: Redis unavailable")
    with session_scope() as session:
        upkeep = run_once(session)
    log.info(
        "maintenance pass",
        extra={
            "partitions": upkeep.partitions,
            "dropped": [str(d) for d in upkeep.dropped],
            "inferred_office_days": len(upkeep.inferred),
            "failed": len(upkeep.failed),
        },
    )


async def run_forever() -> None:
    interval = get_settings().maintenance_interval_s
    while True:
        try:
            await asyncio.to_thread(_pass)
        except Exception:  # a failed pass is logged and retried next time, never fatal
            log.exception("maintenance pass failed")
        await asyncio.sleep(interval)


@contextlib.asynccontextmanager
async def periodic_maintenance():  # type: ignore[no-untyped-def]
    """Runs upkeep in the background for the app's lifetime (unless the interval is 0)."""
    if get_settings().maintenance_interval_s <= 0:
        yield
        return
    task = asyncio.create_task(run_forever())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
