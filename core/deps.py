"""FastAPI dependencies declared once: the database session, the current user and role checks.

Object-level checks (may this user see this client?) live in `registry.access`; routers call them
and answer 404 when the object is outside the user's reach, so nothing leaks its existence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from core.db import session_scope
from core.models import Role, User
from core.security import decode_access_token

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


def get_session() -> Iterator[Session]:
    """One session per request: committed when the handler succeeds, rolled back otherwise."""
    with session_scope() as session:
        yield session


# scope="function": the session commits before the answer is sent. With the default scope the
# commit ran after it, so a page's next request could read the state before the change (seen
# under load: an approval answered 200, the page's reload still showed the draft), and a
# failed commit came after a 2xx that promised it was stored.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"}
    )


def user_from_token(session: Session, token: str | None) -> User:
    """The active user a bearer token belongs to, or 401."""
    if not token:
        raise _unauthorized("not authenticated")
    try:
        claims = decode_access_token(token)
    except jwt.ExpiredSignatureError as exc:
        raise _unauthorized("token expired") from exc
    except jwt.InvalidTokenError as exc:
        raise _unauthorized("invalid token") from exc
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject.isascii() or not subject.isdigit():
        raise _unauthorized("invalid token")
    user_id = int(subject)
    if user_id > 2**31 - 1:
        raise _unauthorized("invalid token")
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise _unauthorized("user not found or inactive")
    if claims.get("ver") != user.token_version:
        raise _unauthorized("token revoked")
    return user


def get_current_user(
    session: SessionDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> User:
    return user_from_token(session, token)


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_roles(*roles: Role) -> Callable[[User], User]:
    """A dependency that lets only the given roles through (403 for the others)."""

    def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail="not allowed for your role")
        return user

    return check


StaffUser = Annotated[User, Depends(require_roles(Role.ADMIN, Role.MANAGER, Role.SUPERVISOR))]
EditorUser = Annotated[User, Depends(require_roles(Role.ADMIN, Role.SUPERVISOR))]
ReportUser = Annotated[
    User, Depends(require_roles(Role.ADMIN, Role.NATIONAL, Role.MANAGER, Role.SUPERVISOR))
]
