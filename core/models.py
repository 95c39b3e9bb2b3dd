"""The ground floor's tables: the organisation (regions and their offices), user accounts
with their roles, and the audit log."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    Boolean,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from core.db import Base


def enum_column(cls: type[enum.Enum], name: str) -> Enum:
    """Store an enum by its value (e.g. 'walk'), which is what the API speaks."""
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e])


class Role(enum.StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"  # reports for all offices of a region
    NATIONAL = "national"  # reports for every region (read only)
    SUPERVISOR = "supervisor"  # own offices: registry, zones, plans
    WORKER = "worker"  # own schedule and own clients only


class Region(Base):
    __tablename__ = "region"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class Office(Base):
    """A home-care department of a social-services centre."""

    __tablename__ = "office"
    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    centre: Mapped[str] = mapped_column(String(200), default="")
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    location: Mapped[Any | None] = mapped_column(Geometry("POINT", srid=4326), nullable=True)
    service_area: Mapped[Any | None] = mapped_column(
        Geometry("MULTIPOLYGON", srid=4326), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    __table_args__ = (UniqueConstraint("region_id", "name"),)


class User(Base):
    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role, "user_role"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), nullable=True)
    locale: Mapped[str] = mapped_column(String(5), default="ru")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Carried in every access token; raised when the password changes or the login is
    # disabled, which revokes the tokens issued before.
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A one-time code to set a password (a new login, or a forgotten password): its hash and
    # until when it works; spent when used.
    reset_code_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    reset_code_expires_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    offices: Mapped[list[Office]] = relationship(secondary="user_office", lazy="selectin")

    @validates("password_hash", "is_active")
    def _revoke_tokens_on_change(self, key: str, value: Any) -> Any:
        """A new password or a disabled login makes every token issued before it invalid."""
        if self.id is not None and getattr(self, key) != value:
            self.token_version = (self.token_version or 0) + 1
        return value


class UserOffice(Base):
    """Which offices a supervisor heads."""

    __tablename__ = "user_office"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    office_id: Mapped[int] = mapped_column(
        ForeignKey("office.id", ondelete="CASCADE"), primary_key=True
    )


class AuditEntry(Base):
    """Who changed what and when."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(40))  # create / update / delete / approve / ...
    entity: Mapped[str] = mapped_column(String(40))  # client / care_plan / zone_set / plan ...
    entity_id: Mapped[str] = mapped_column(String(40))
    office_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)
