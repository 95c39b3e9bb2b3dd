"""Redis clients: one sync and one asyncio client per process."""

from __future__ import annotations

from functools import lru_cache

import redis
import redis.asyncio as aioredis

from core.settings import get_settings


@lru_cache
def get_redis() -> redis.Redis:
    return redis.Redis.from_url(
        get_settings().redis_url,
        socket_connect_timeout=2,
        socket_timeout=5,
        health_check_interval=30,
    )


@lru_cache
def get_async_redis() -> aioredis.Redis:
    return aioredis.Redis.from_url(
        get_settings().redis_url, socket_connect_timeout=2, health_check_interval=30
    )
