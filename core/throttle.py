"""Login throttling in Redis: after a few wrong passwords for one account, or from one address,
the next attempt must wait, and the wait doubles with each further failure (up to a maximum).

Keys: `login:fail:{scope}:{key}` counts failures (forgotten a day after the last one) and
`login:wait:{scope}:{key}` exists, with a time to live, while attempts must wait. A right
password clears its account's count, never the address's (else one's own login would clear
an attacker's address between guesses). Settings: `login_max_failures`, `login_backoff_s`,
`login_backoff_max_s`; an address gets `ADDRESS_FACTOR` times more failures than an account,
as one office's workers may log in from one address.
"""

from __future__ import annotations

import hashlib

import redis

from core.settings import get_settings

ADDRESS_FACTOR = 4
FORGET_S = 24 * 3600


def _keys(scope: str, key: str) -> tuple[str, str]:
    digest = hashlib.sha256(key.strip().lower().encode()).hexdigest()[:32]
    return f"login:fail:{scope}:{digest}", f"login:wait:{scope}:{digest}"


def _scopes(username: str, address: str) -> list[tuple[str, str, int]]:
    limit = get_settings().login_max_failures
    return [("user", username, limit), ("addr", address, limit * ADDRESS_FACTOR)]


def seconds_to_wait(client: redis.Redis, *, username: str, address: str) -> int:
    """Seconds before this account may try again from this address; 0: try now."""
    waits = [client.ttl(_keys(scope, key)[1]) for scope, key, _ in _scopes(username, address)]
    return max([0, *[int(w) for w in waits if w and int(w) > 0]])


def record_failure(client: redis.Redis, *, username: str, address: str) -> int:
    """Count a wrong password; returns the seconds the next attempt must wait (0: none)."""
    settings = get_settings()
    longest = 0
    for scope, key, limit in _scopes(username, address):
        fail_key, wait_key = _keys(scope, key)
        pipe = client.pipeline()
        pipe.incr(fail_key)
        pipe.expire(fail_key, FORGET_S)
        failures = int(pipe.execute()[0])
        if failures >= limit:
            wait = min(
                settings.login_backoff_s * 2 ** min(failures - limit, 20),
                settings.login_backoff_max_s,
            )
            client.set(wait_key, 1, ex=wait)
            longest = max(longest, wait)
    return longest


def record_success(client: redis.Redis, *, username: str) -> None:
    """A right password: the account's failures are forgotten."""
    client.delete(*_keys("user", username))
