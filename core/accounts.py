"""User accounts: the first administrator of a new installation, then the organisation's
logins made by an administrator (heads of department, managers, field workers), disabled when
someone leaves, and passwords set with a one-time code. Every change is audited; a changed
password or a disabled login stops the tokens issued before (see `core.models.User`)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.errors import DomainError
from core.models import Office, Role, User
from core.security import hash_password, verify_password

MIN_PASSWORD = 10
RESET_CODE_HOURS = 72  # the code an administrator hands over: valid three days, used once


class AccountError(DomainError):
    """The account cannot be made or changed as asked; the message says why."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 422,
        field: str | None = None,
        code: str | None = None,
        params: dict[str, str | int | float | None] | None = None,
    ) -> None:
        super().__init__(message, status=status, field=field, code=code, params=params)


def create_admin(session: Session, *, username: str, password: str, full_name: str = "") -> User:
    """A new administrator with a password; for a new installation's first login."""
    check_password(password)
    user = _new_user(session, username=username, full_name=full_name, role=Role.ADMIN)
    user.password_hash = hash_password(password)
    session.add(user)
    session.flush()
    _audit(session, None, "create", user, {"username": user.username, "role": user.role.value})
    return user


def create_user(
    session: Session,
    *,
    actor: User,
    username: str,
    full_name: str,
    role: Role,
    region_id: int | None = None,
    office_ids: Sequence[int] = (),
) -> tuple[User, str]:
    """A new login with no password yet; returns it and the one-time code to set one."""
    user = _new_user(session, username=username, full_name=full_name, role=role)
    _place(session, user, region_id=region_id, office_ids=office_ids)
    session.add(user)  # only once it is whole: a refused login leaves nothing behind
    session.flush()
    code = issue_reset_code(session, actor=actor, user=user, audited=False)
    _audit(session, actor, "create", user, _view(user))
    return user, code


def update_user(
    session: Session,
    *,
    actor: User,
    user: User,
    full_name: str | None = None,
    active: bool | None = None,
    region_id: int | None = None,
    office_ids: Sequence[int] | None = None,
) -> User:
    """Change a login's name, its offices or region, or disable / enable it."""
    if user.id == actor.id and active is False:
        raise AccountError(
            "you cannot disable your own login",
            field="active",
            status=409,
            code="accounts.self_disable",
        )
    before = _view(user)
    if full_name is not None:
        user.full_name = full_name.strip()
    if active is not None:
        user.is_active = active
    if region_id is not None or office_ids is not None:
        _place(session, user, region_id=region_id, office_ids=office_ids or ())
    session.flush()
    changes = audit.diff(before, _view(user))
    if changes:
        _audit(session, actor, "update", user, changes)
    return user


def issue_reset_code(session: Session, *, actor: User, user: User, audited: bool = True) -> str:
    """A one-time code (valid `RESET_CODE_HOURS`) with which the user sets a new password."""
    code = "-".join(secrets.token_hex(2) for _ in range(3))  # e.g. 3f2a-91c0-7be4
    user.reset_code_hash = hash_password(code)
    user.reset_code_expires_at = datetime.now(UTC) + timedelta(hours=RESET_CODE_HOURS)
    session.flush()
    if audited:
        _audit(session, actor, "reset_code", user, {})
    return code


def set_password_with_code(session: Session, *, username: str, code: str, password: str) -> User:
    """The user's new password, if the one-time code is right and fresh; the code is spent."""
    check_password(password)
    user = session.scalars(select(User).where(User.username == username)).one_or_none()
    expires = user.reset_code_expires_at if user is not None else None
    if (
        user is None
        or not user.is_active
        or user.reset_code_hash is None
        or expires is None
        or expires < datetime.now(UTC)
        or not verify_password(code.strip(), user.reset_code_hash)
    ):
        raise AccountError(
            "the code is wrong or has expired",
            status=400,
            field="code",
            code="accounts.code_wrong",
        )
    user.password_hash = hash_password(password)
    user.reset_code_hash = user.reset_code_expires_at = None
    session.flush()
    _audit(session, user, "password", user, {})
    return user


def change_password(session: Session, *, user: User, old: str, new: str) -> None:
    """One's own new password, given the current one."""
    if not verify_password(old, user.password_hash):
        raise AccountError(
            "the current password is wrong",
            status=400,
            field="old_password",
            code="accounts.old_password_wrong",
        )
    check_password(new)
    user.password_hash = hash_password(new)
    session.flush()
    _audit(session, user, "password", user, {})


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(
            f"the password needs at least {MIN_PASSWORD} characters",
            field="password",
            code="accounts.password_short",
            params={"min": MIN_PASSWORD},
        )


def _new_user(session: Session, *, username: str, full_name: str, role: Role) -> User:
    username = username.strip()
    if not username:
        raise AccountError(
            "the username is empty", field="username", code="accounts.username_empty"
        )
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError(
            f"the username '{username}' is taken",
            field="username",
            status=409,
            code="accounts.username_taken",
            params={"username": username},
        )
    # No password until the user sets one with their code: this hash matches nothing typed.
    user = User(
        username=username,
        full_name=full_name.strip(),
        password_hash=hash_password(secrets.token_urlsafe(32)),
        role=role,
    )
    return user


def _place(
    session: Session, user: User, *, region_id: int | None, office_ids: Sequence[int]
) -> None:
    """Where the login belongs: a manager's region, a head of department's offices."""
    if user.role == Role.MANAGER:
        if region_id is None:
            raise AccountError(
                "a manager needs a region", field="region_id", code="accounts.needs_region"
            )
        user.region_id = region_id
    if user.role == Role.SUPERVISOR:
        offices = list(session.scalars(select(Office).where(Office.id.in_(office_ids or [-1]))))
        if not offices or len(offices) != len(set(office_ids)):
            raise AccountError(
                "a head of department needs their offices",
                field="office_ids",
                code="accounts.needs_offices",
            )
        user.offices = offices


def _view(user: User) -> dict[str, object]:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role.value,
        "active": user.is_active,
        "region_id": user.region_id,
        "office_ids": sorted(o.id for o in user.offices),
    }


def _audit(
    session: Session, actor: User | None, action: str, user: User, changes: dict[str, object]
) -> None:
    audit.record(
        session, user=actor, action=action, entity="user", entity_id=user.id, changes=changes
    )
