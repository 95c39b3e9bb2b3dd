"""FastAPI dependencies declared once: the database session, the current user and role checks.

Object-level checks (may this user see this client?) live in `registry.access`; routers call them
and answer 404 when the object is outside the user's reach, so nothing leaks its existence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Annotated
from urllib.parse import urlsplit

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from core.db import session_scope
from core.models import Role, User
from core.security import decode_access_token

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)

# The pages' login: an HttpOnly, SameSite=Strict cookie set by POST /api/auth/token (page
# script never holds the token). API clients and phones send `Authorization` headers instead.
SESSION_COOKIE = "careroute_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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


def same_origin(headers: Mapping[str, str]) -> bool:
    """The request comes from a page of this server: its `Origin` (or, without one, its
    `Referer`) names the host the request was sent to."""
    source = headers.get("origin") or headers.get("referer")
    if not source or source == "null":
        return False
    # behind a proxy that rewrites Host, the host the browser used is X-Forwarded-Host (a page
    # of another site cannot set that header without a CORS preflight, which is refused)
    hosts = {headers.get("host", ""), headers.get("x-forwarded-host", "")} - {""}
    return urlsplit(source).netloc.lower() in {h.lower() for h in hosts}


def cookie_token(request: Request) -> str | None:
    """The login cookie's token; for a request that changes something, only when it comes
    from this server's own pages (403 otherwise: cross-site request forgery). The cookie is
    SameSite=Strict already; the origin check also covers sibling sites and old browsers."""
    token = request.cookies.get(SESSION_COOKIE)
    if token and request.method not in SAFE_METHODS and not same_origin(request.headers):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="cross-site request refused")
    return token or None


def socket_token(connection: HTTPConnection, token: str | None) -> str | None:
    """A websocket's token: the `token` query parameter, else the login cookie when the socket
    is opened by one of this server's pages (no cross-site socket hijacking)."""
    if token:
        return token
    cookie = connection.cookies.get(SESSION_COOKIE)
    return cookie if cookie and same_origin(connection.headers) else None


def get_current_user(
    request: Request, session: SessionDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> User:
    """The user of the `Authorization: Bearer` token, else of the pages' login cookie."""
    return user_from_token(session, token or cookie_token(request))


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
