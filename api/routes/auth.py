"""Login (OAuth2 password flow) and the current user.

Wrong passwords are throttled per account and per address (`core.throttle`): 429 with
`Retry-After` and `retry_after` while an attempt must wait. An unknown login costs the same
password-hash work as a known one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel
from sqlalchemy import select

from core import throttle
from core.deps import SESSION_COOKIE, CurrentUser, SessionDep
from core.errors import DomainError
from core.models import User
from core.redis import get_redis
from core.security import burn_password_check, create_access_token, verify_password
from core.settings import get_settings
from registry.models import Worker

router = APIRouter(prefix="/api/auth", tags=["auth"])


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    role: str


class Me(BaseModel):
    id: int
    username: str
    full_name: str
    role: str
    locale: str
    office_ids: list[int]
    worker_id: int | None


class TooManyLogins(DomainError):
    """Too many wrong passwords: answered 429 with the seconds to wait."""

    def __init__(self, seconds: int) -> None:
        super().__init__(f"too many failed logins, try again in {seconds} s", status=429)
        self.retry_after = seconds


@router.post(
    "/token",
    response_model=Token,
    responses={429: {"description": "too many failed logins; wait `Retry-After` seconds"}},
)
def login(
    request: Request,
    response: Response,
    session: SessionDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> Token:
    """The token for API clients (`Authorization: Bearer`), and the same login as an HttpOnly,
    SameSite=Strict cookie (Secure over https) for the pages, whose script never sees it."""
    redis = get_redis()
    address = request.client.host if request.client else ""
    wait = throttle.seconds_to_wait(redis, username=form.username, address=address)
    if wait:
        raise TooManyLogins(wait)
    user = session.scalars(select(User).where(User.username == form.username)).one_or_none()
    if user is None:
        burn_password_check(form.password)
    if user is None or not verify_password(form.password, user.password_hash) or not user.is_active:
        wait = throttle.record_failure(redis, username=form.username, address=address)
        if wait:
            raise TooManyLogins(wait)
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="wrong username or password")
    throttle.record_success(redis, username=form.username)
    user.last_login_at = datetime.now(UTC)
    token = create_access_token(user.id, user.role.value, version=user.token_version)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=get_settings().access_token_minutes * 60,
        path="/",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )
    return Token(access_token=token, role=user.role.value)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(request: Request) -> Response:
    """Ends the pages' login: the cookie is cleared (tokens held by API clients stay valid)."""
    answer = Response(status_code=status.HTTP_204_NO_CONTENT)
    answer.delete_cookie(
        SESSION_COOKIE,
        path="/",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )
    return answer


@router.get("/me", response_model=Me)
def me(user: CurrentUser, session: SessionDep) -> Me:
    worker = session.scalars(select(Worker).where(Worker.user_id == user.id)).one_or_none()
    office_ids = [o.id for o in user.offices] or ([worker.office_id] if worker else [])
    return Me(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        role=user.role.value,
        locale=user.locale,
        office_ids=office_ids,
        worker_id=worker.id if worker else None,
    )
