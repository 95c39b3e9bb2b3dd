"""Stored zone sets: each version assigns an office's clients to zones (one per worker)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import Boolean, DateTime, Enum, ForeignKey, Integer, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base


class ZoneSetStatus(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    ARCHIVED = "archived"


class ZoneSet(Base):
    __tablename__ = "zone_set"
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[ZoneSetStatus] = mapped_column(
        Enum(ZoneSetStatus, name="zone_set_status", values_callable=lambda e: [m.value for m in e]),
        default=ZoneSetStatus.DRAFT,
    )
    note: Mapped[str] = mapped_column(String(300), default="")
    stats: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    zones: Mapped[list[Zone]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="Zone.id"
    )
    __table_args__ = (UniqueConstraint("office_id", "version"),)


class Zone(Base):
    __tablename__ = "zone"
    id: Mapped[int] = mapped_column(primary_key=True)
    zone_set_id: Mapped[int] = mapped_column(
        ForeignKey("zone_set.id", ondelete="CASCADE"), index=True
    )
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("worker.id"), nullable=True)
    name: Mapped[str] = mapped_column(String(120))
    color: Mapped[str] = mapped_column(String(9), default="#3388ff")
    polygon: Mapped[Any | None] = mapped_column(Geometry("MULTIPOLYGON", srid=4326), nullable=True)


class ZoneClient(Base):
    """A client's place in a zone set; locked clients are never moved automatically."""

    __tablename__ = "zone_client"
    zone_set_id: Mapped[int] = mapped_column(
        ForeignKey("zone_set.id", ondelete="CASCADE"), primary_key=True
    )
    client_id: Mapped[int] = mapped_column(
        ForeignKey("client.id", ondelete="CASCADE"), primary_key=True
    )
    zone_id: Mapped[int] = mapped_column(ForeignKey("zone.id", ondelete="CASCADE"), index=True)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
