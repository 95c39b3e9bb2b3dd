"""Rate limits of the phones' endpoints, counted in Redis (fixed windows, shared by every
server process).

- per device: at most DEVICE_PER_MINUTE requests a minute (Traccar Client at its fastest sends
  one a second; a phone page syncs every few seconds);
- per address: at most ADDRESS_PER_MINUTE requests a minute, and at most
  ADDRESS_FAILURES_PER_10_MIN refused device credentials in ten minutes: beyond that each
  further refused credential is answered 429 with the time to wait. A valid token still
  passes (a phone of the same office behind one NAT address with a revoked device beside it
  keeps working); guessing a token (192 random bits) is hopeless anyway, and an identifier
  alone no longer names a device.

If Redis is unreachable the limits are not applied (for BREAKER_S seconds before the next
try): a phone's positions matter more than the limit, and the database still checks the
device on every request.
"""

from __future__ import annotations

import logging
import time

import redis

from core.redis import get_redis

log = logging.getLogger("careroute.tracking.ratelimit")

DEVICE_PER_MINUTE = 240
ADDRESS_PER_MINUTE = 6000
ADDRESS_FAILURES_PER_10_MIN = 30
BREAKER_S = 5.0

_skip_until = 0.0


class RateLimited(Exception):
    """Too many requests; `retry_after` seconds until the window ends."""

    def __init__(self, what: str, retry_after: int) -> None:
        super().__init__(f"too many requests ({what})")
        self.what, self.retry_after = what, retry_after


def _hit(key: str, window_s: int, *, amount: int = 1) -> tuple[int, int] | None:
    """Adds to the window's counter; (count, seconds left), or None when Redis is away."""
    global _skip_until
    if time.monotonic() < _skip_until:
        return None
    try:
        pipe = get_redis().pipeline(transaction=False)
        pipe.incrby(key, amount)
        pipe.expire(key, window_s, nx=True)
        pipe.ttl(key)
        count, _, ttl = pipe.execute()
    except redis.RedisError as exc:
        _skip_until = time.monotonic() + BREAKER_S
        log.warning("rate limits not applied: Redis unavailable", extra={"error": str(exc)})
        return None
    return int(count), max(int(ttl), 1)


def check_address(address: str) -> None:
    """Before the credentials are looked at: the address's request budget."""
    hits = _hit(f"rl:addr:{address}", 60)
    if hits and hits[0] > ADDRESS_PER_MINUTE:
        raise RateLimited("address", hits[1])


def failed(address: str) -> None:
    """A refused device credential from this address; RateLimited once there were too many."""
    failures = _hit(f"rl:fail:{address}", 600)
    if failures and failures[0] > ADDRESS_FAILURES_PER_10_MIN:
        raise RateLimited("refused credentials from this address", failures[1])


def check_device(device_id: int) -> None:
    """After the device is known: its own budget."""
    hits = _hit(f"rl:dev:{device_id}", 60)
    if hits and hits[0] > DEVICE_PER_MINUTE:
        raise RateLimited("device", hits[1])
