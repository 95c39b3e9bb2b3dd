"""Accounts: the administrator makes and disables the organisation's logins and hands each
person a one-time code; anyone sets their password with their code, or changes their own.

A field worker's login is bound to their worker record (`worker_id`), so the phone page knows
whose route to show.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel, Field

from api.routes.auth import TooManyLogins
from core import accounts, throttle
from core.deps import CurrentUser, SessionDep, require_roles
from core.models import Role, User
from core.redis import get_redis
from registry import workers as registry_workers
from registry.schemas.fields import Id

router = APIRouter(prefix="/api", tags=["accounts"])

AdminUser = Annotated[User, Depends(require_roles(Role.ADMIN))]
Username = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[\w.@-]+$")]
Password = Annotated[str, Field(max_length=200)]


class UserIn(BaseModel):
    username: Username
    full_name: str = Field("", max_length=200)
    role: Role
    region_id: Id | None = Field(None, description="a manager's region")
    office_ids: list[Id] = Field([], max_length=50, description="a head of department's offices")
    worker_id: Id | None = Field(None, description="a field worker's record")


class UserUpdate(BaseModel):
    full_name: str | None = Field(None, max_length=200)
    active: bool | None = None
    region_id: Id | None = None
    office_ids: list[Id] | None = Field(None, max_length=50)


class UserOut(BaseModel):
    id: int
    username: str
    full_name: str
    role: Role
    active: bool
    region_id: int | None
    office_ids: list[int]
    worker_id: int | None = Field(None, description="a field worker's record")
    last_login_at: datetime | None
    created_at: datetime | None


class UserCreated(BaseModel):
    user: UserOut
    code: str = Field(description="one-time code to set the password; shown only now")


class ResetCode(BaseModel):
    code: str
    expires_at: datetime


class PasswordWithCode(BaseModel):
    username: Username
    code: str = Field(min_length=1, max_length=40)
    password: Password


class PasswordChange(BaseModel):
    old_password: Password
    new_password: Password


def _out(user: User, worker_id: int | None = None) -> UserOut:
    return UserOut(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        role=user.role,
        active=user.is_active,
        region_id=user.region_id,
        office_ids=sorted(o.id for o in user.offices),
        worker_id=worker_id,
        last_login_at=user.last_login_at,
        created_at=user.created_at,
    )


def _user(session: SessionDep, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise accounts.AccountError("user not found", status=404)
    return user


@router.get("/users")
def list_users(session: SessionDep, admin: AdminUser) -> list[UserOut]:
    workers = registry_workers.logins_of_workers(session)
    return [_out(u, workers.get(u.id)) for u in accounts.list_users(session)]


@router.post("/users", status_code=status.HTTP_201_CREATED)
def create_user(body: UserIn, session: SessionDep, admin: AdminUser) -> UserCreated:
    """A new login without a password: hand the person the code to set one."""
    if body.role == Role.WORKER and body.worker_id is None:
        raise accounts.AccountError(
            "a field worker's login needs their worker record",
            field="worker_id",
            code="accounts.needs_worker",
        )
    if body.worker_id is not None:
        registry_workers.without_login(session, worker_id=body.worker_id)
    user, code = accounts.create_user(
        session,
        actor=admin,
        username=body.username,
        full_name=body.full_name,
        role=body.role,
        region_id=body.region_id,
        office_ids=body.office_ids,
    )
    if body.worker_id is not None:
        registry_workers.bind_login(session, worker_id=body.worker_id, user=user)
    return UserCreated(user=_out(user, body.worker_id), code=code)


@router.patch("/users/{user_id}")
def update_user(user_id: Id, body: UserUpdate, session: SessionDep, admin: AdminUser) -> UserOut:
    """Rename, move, disable (`active: false`, e.g. a leaver) or enable a login."""
    user = accounts.update_user(
        session,
        actor=admin,
        user=_user(session, user_id),
        full_name=body.full_name,
        active=body.active,
        region_id=body.region_id,
        office_ids=body.office_ids,
    )
    return _out(user, registry_workers.logins_of_workers(session).get(user.id))


@router.post("/users/{user_id}/reset-code")
def reset_code(user_id: Id, session: SessionDep, admin: AdminUser) -> ResetCode:
    """A new one-time code for a forgotten password (the old password keeps working until
    the code is used)."""
    user = _user(session, user_id)
    code = accounts.issue_reset_code(session, actor=admin, user=user)
    assert user.reset_code_expires_at is not None
    return ResetCode(code=code, expires_at=user.reset_code_expires_at)


@router.post("/auth/password-with-code", status_code=status.HTTP_204_NO_CONTENT)
def password_with_code(body: PasswordWithCode, request: Request, session: SessionDep) -> None:
    """Set one's password with the one-time code the administrator handed over; wrong codes
    are throttled like wrong passwords (429 while an attempt must wait)."""
    redis, address = get_redis(), request.client.host if request.client else ""
    wait = throttle.seconds_to_wait(redis, username=body.username, address=address)
    if wait:
        raise TooManyLogins(wait)
    try:
        accounts.set_password_with_code(
            session, username=body.username, code=body.code, password=body.password
        )
    except accounts.AccountError as exc:
        if exc.field == "code":
            throttle.record_failure(redis, username=body.username, address=address)
        raise
    throttle.record_success(redis, username=body.username)


@router.post("/me/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(body: PasswordChange, session: SessionDep, user: CurrentUser) -> None:
    """One's own new password; tokens issued before it stop working."""
    accounts.change_password(session, user=user, old=body.old_password, new=body.new_password)
