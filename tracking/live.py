"""Live state on Redis: the latest position per worker and change notices, best effort.

Keys and channels (one office = one channel, so a supervisor's socket gets only its office):
- hash `live:pos:{office_id}`: worker_id -> JSON of the latest position (newest device time
  wins, so a late resend never moves a worker backwards); `live:pos_t:{office_id}` holds the
  instants compared;
- channel `live:office:{office_id}`: JSON messages `{"type": "positions" | "visit" | "plan"}`;
- channel `live:worker:{worker_id}`: plan changes pushed to the worker's phone.

Redis holds nothing that is not stored in PostGIS first. Publishing never raises: when Redis
is down it logs, stays quiet for a few seconds, and tries again later (`_Breaker`). The
subscribing side (`LiveHub`) reconnects by itself with backoff.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import orjson
import redis
import redis.asyncio as aioredis

from core.redis import get_redis
from core.settings import get_settings
from tracking.pings import Ping

log = logging.getLogger("careroute.tracking.live")

OFFICE_CHANNEL = "live:office:{}"
WORKER_CHANNEL = "live:worker:{}"
POSITIONS = "live:pos:{}"
POSITION_TIMES = "live:pos_t:{}"

# Keep each worker's newest position and publish those that changed, in one round trip.
# KEYS: positions hash, times hash, channel. ARGV: recv_ms, then (worker, t_ms, json)*.
_UPDATE_AND_PUBLISH = """
local fresh = {}
for i = 2, #ARGV, 3 do
  local old = redis.call('HGET', KEYS[2], ARGV[i])
  if not old or tonumber(old) < tonumber(ARGV[i + 1]) then
    redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 2])
    fresh[#fresh + 1] = ARGV[i + 2]
  end
end
if #fresh > 0 then
  redis.call('PUBLISH', KEYS[3],
    '{"type":"positions","recv":' .. ARGV[1] .. ',"items":[' .. table.concat(fresh, ',') .. ']}')
end
return #fresh
"""
_UPDATE_AND_PUBLISH_SHA = hashlib.sha1(_UPDATE_AND_PUBLISH.encode()).hexdigest()


class _Breaker:
    """After a failure, skip Redis for `pause_s` so a dead Redis costs ingest nothing."""

    def __init__(self, pause_s: float = 3.0) -> None:
        self.pause_s = pause_s
        self.down_until = 0.0

    def open(self) -> bool:
        return time.monotonic() < self.down_until

    def trip(self, error: Exception, what: str) -> None:
        self.down_until = time.monotonic() + self.pause_s
        log.warning(
            "live update skipped: redis unavailable", extra={"what": what, "error": str(error)}
        )


_breaker = _Breaker()


def position_json(worker_id: int, ping: Ping, received_ms: int) -> bytes:
    return orjson.dumps(
        {
            "worker_id": worker_id,
            "t": ping.t.isoformat(),
            "lat": ping.lat,
            "lon": ping.lon,
            "accuracy": ping.accuracy,
            "battery": ping.battery,
            "speed": ping.speed,
            "seen": received_ms,
        }
    )


def publish_positions(*, office_id: int, worker_id: int, newest: Ping, received_ms: int) -> bool:
    """Record the worker's newest position and tell the office; False if Redis was skipped."""
    keys_and_args = (
        POSITIONS.format(office_id),
        POSITION_TIMES.format(office_id),
        OFFICE_CHANNEL.format(office_id),
        received_ms,
        worker_id,
        int(newest.t.timestamp() * 1000),
        position_json(worker_id, newest, received_ms),
    )
    return _run("positions", lambda r: _update_and_publish(r, keys_and_args))


def _update_and_publish(r: redis.Redis, keys_and_args: tuple[Any, ...]) -> None:
    """Run the script by its hash (Redis keeps it compiled); send it whole only when this
    Redis has not seen it yet, e.g. after a restart."""
    try:
        r.evalsha(_UPDATE_AND_PUBLISH_SHA, 3, *keys_and_args)
    except redis.exceptions.NoScriptError:
        r.eval(_UPDATE_AND_PUBLISH, 3, *keys_and_args)


def publish_visit(*, office_id: int, visit: dict[str, Any]) -> bool:
    """Tell the office's supervisors that a visit's status changed."""
    message = orjson.dumps({"type": "visit", "recv": _now_ms(), "visit": visit})
    return _run("visit", lambda r: r.publish(OFFICE_CHANNEL.format(office_id), message))


def publish_plan_change(office_id: int, worker_id: int, payload: dict[str, Any]) -> bool:
    """Tell the office's supervisors and the worker's phone that the worker's plan changed."""
    message = orjson.dumps(
        {"type": "plan", "recv": _now_ms(), "worker_id": worker_id, "change": payload}
    )

    def send(r: redis.Redis) -> None:
        pipe = r.pipeline(transaction=False)
        pipe.publish(OFFICE_CHANNEL.format(office_id), message)
        pipe.publish(WORKER_CHANNEL.format(worker_id), message)
        pipe.execute()

    return _run("plan", send)


def _run(what: str, action: Any) -> bool:
    if _breaker.open():
        return False
    try:
        action(get_redis())
    except redis.RedisError as exc:
        _breaker.trip(exc, what)
        return False
    return True


def _now_ms() -> int:
    return int(time.time() * 1000)


async def latest_positions(client: aioredis.Redis, office_id: int) -> list[dict[str, Any]]:
    """The office's latest positions for a snapshot; empty when Redis is down."""
    try:
        values = await client.hvals(POSITIONS.format(office_id))
    except redis.RedisError as exc:
        log.warning("positions snapshot unavailable", extra={"error": str(exc)})
        return []
    return [orjson.loads(v) for v in values]


def clear_positions(office_id: int, worker_ids: Sequence[int]) -> None:
    """Forget workers' live positions (e.g. at the end of their day)."""
    if worker_ids:
        r = get_redis()
        r.hdel(POSITIONS.format(office_id), *map(str, worker_ids))
        r.hdel(POSITION_TIMES.format(office_id), *map(str, worker_ids))


class LiveHub:
    """One Redis subscription per process, fanned out to this process's websockets.

    Websockets register a queue for a channel; the hub decodes each message once and puts the
    same text into every queue (each socket's own task sends it, so a slow socket never holds
    up the others). If Redis goes away the loop waits (0.5 s doubling to 10 s) and
    subscribes again."""

    def __init__(self, client: aioredis.Redis | None = None) -> None:
        # A client of its own: asyncio connections belong to the loop that made them.
        self.client = client or aioredis.Redis.from_url(
            get_settings().redis_url, socket_connect_timeout=2
        )
        self._queues: dict[str, set[asyncio.Queue[str]]] = defaultdict(set)
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    def register(self, channel: str, queue: asyncio.Queue[str]) -> None:
        self._queues[channel].add(queue)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    def unregister(self, channel: str, queue: asyncio.Queue[str]) -> None:
        self._queues[channel].discard(queue)
        if not self._queues[channel]:
            del self._queues[channel]

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        backoff = 0.5
        while True:
            try:
                await self._listen()
                backoff = 0.5
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure of the connection: wait and subscribe again
                self.connected.clear()
                log.warning(
                    "live subscriber lost redis", extra={"error": str(exc), "retry_s": backoff}
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)

    async def _listen(self) -> None:
        pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.psubscribe("live:office:*", "live:worker:*")
            self.connected.set()
            log.info("live subscriber connected")
            while True:
                message = await pubsub.get_message(timeout=5.0)
                if message is None:
                    await pubsub.ping()  # notices a dead connection while idle
                    continue
                self._dispatch(message["channel"], message["data"])
        finally:
            self.connected.clear()
            with contextlib.suppress(Exception):
                await pubsub.aclose()

    def _dispatch(self, channel: bytes | str, data: bytes) -> None:
        name = channel.decode() if isinstance(channel, bytes) else channel
        queues = self._queues.get(name)
        if not queues:
            return
        message = data.decode()  # once for all sockets
        for queue in tuple(queues):
            if queue.full():  # a slow socket drops its oldest message, never blocks others
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(message)


_hubs: dict[int, LiveHub] = {}


def hub() -> LiveHub:
    """This event loop's hub (one per process in production; tests may run several loops)."""
    loop_id = id(asyncio.get_running_loop())
    if loop_id not in _hubs:
        _hubs[loop_id] = LiveHub()
    return _hubs[loop_id]
