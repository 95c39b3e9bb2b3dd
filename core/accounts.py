"""User accounts that the ground floor itself needs: the first administrator of a new
installation. (Accounts of offices' staff are made by that administrator.)"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.models import Role, User
from core.security import hash_password

MIN_PASSWORD = 10


class AccountError(ValueError):
    """The account cannot be made as asked; the message says why."""


def create_admin(session: Session, *, username: str, password: str, full_name: str = "") -> User:
    """A new administrator; refuses a taken username or a password under `MIN_PASSWORD`."""
    username = username.strip()
    if not username:
        raise AccountError("the username is empty")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password needs at least {MIN_PASSWORD} characters")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError(f"the username '{username}' is taken")
    user = User(
        username=username,
        full_name=full_name.strip(),
        password_hash=hash_password(password),
        role=Role.ADMIN,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        user=None,
        action="create",
        entity="user",
        entity_id=user.id,
        changes={"username": username, "role": Role.ADMIN.value},
    )
    return user
