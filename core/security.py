"""Passwords (argon2) and access tokens (JWT). Pure functions; no database."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError

from core.settings import get_settings

_hasher = PasswordHasher()
ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


# Answers for logins that do not exist are given after the same argon2 work as for real ones,
# so the time taken says nothing about which usernames exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def burn_password_check(password: str) -> None:
    """The work of one password check, for a login that does not exist."""
    verify_password(password, _DUMMY_HASH)


def create_access_token(
    user_id: int, role: str, minutes: int | None = None, *, version: int = 0
) -> str:
    """A signed login token; `version` is the user's token version (revoked when it moves)."""
    settings = get_settings()
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": str(user_id),
        "role": role,
        "ver": version,
        "iat": now,
        "exp": now + timedelta(minutes=minutes or settings.access_token_minutes),
    }
    return jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM)


def decode_access_token(token: str) -> dict[str, Any]:
    """The token's claims; raises jwt.InvalidTokenError if forged, malformed, expired, or
    without `exp` or `sub`."""
    return jwt.decode(
        token,
        get_settings().secret_key,
        algorithms=[ALGORITHM],
        options={"require": ["exp", "sub"]},
    )


def new_device_token() -> str:
    """A random token for a worker's phone; only its hash is stored."""
    return secrets.token_urlsafe(24)


def hash_device_token(token: str) -> str:
    # Device tokens are long random strings: a fast hash is enough and keeps ingest cheap.
    return hashlib.sha256(token.encode()).hexdigest()
