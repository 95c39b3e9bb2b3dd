"""Login (OAuth2 password flow) and the current user."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel
from sqlalchemy import select

from core.deps import CurrentUser, SessionDep
from core.models import User
from core.security import create_access_token, verify_password
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


@router.post("/token", response_model=Token)
def login(session: SessionDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    user = session.scalars(select(User).where(User.username == form.username)).one_or_none()
    if user is None or not user.is_active or not verify_password(form.password, user.password_hash):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="wrong username or password")
    user.last_login_at = datetime.now(UTC)
    return Token(access_token=create_access_token(user.id, user.role.value), role=user.role.value)


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
