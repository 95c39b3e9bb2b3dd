"""Stored plans: versioned per office and date (draft -> approved -> superseded)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base


class PlanStatus(enum.StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    SUPERSEDED = "superseded"


class Plan(Base):
    __tablename__ = "plan"
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    day: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[PlanStatus] = mapped_column(
        Enum(PlanStatus, name="plan_status", values_callable=lambda e: [m.value for m in e]),
        default=PlanStatus.DRAFT,
    )
    cost: Mapped[int] = mapped_column(Integer, default=0)
    stats: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    week_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_week.id", ondelete="SET NULL"), nullable=True, index=True
    )
    routes: Mapped[list[PlanRoute]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="PlanRoute.worker_id"
    )
    unplanned: Mapped[list[PlanUnplanned]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    __table_args__ = (
        UniqueConstraint("office_id", "day", "version"),
        Index("ix_plan_office_day", "office_id", "day"),
    )


class PlanWeek(Base):
    """The day plans of a week or a month planned together (`Plan.week_id`): each day keeps
    its own versions; the week's plan of a day is its newest version linked to the week."""

    __tablename__ = "plan_week"
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    stats: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    __table_args__ = (
        CheckConstraint('start <= "end"', name="period"),
        Index("ix_plan_week_office_start", "office_id", "start"),
    )


class PlanRoute(Base):
    """One worker's day in a plan. Times are timezone-aware instants."""

    __tablename__ = "plan_route"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"))
    start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    break_start: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    break_end: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    travel_s: Mapped[int] = mapped_column(Integer, default=0)
    service_s: Mapped[int] = mapped_column(Integer, default=0)
    wait_s: Mapped[int] = mapped_column(Integer, default=0)
    distance_m: Mapped[int] = mapped_column(Integer, default=0)
    # Where the lunch is taken: "start" (at the start point, before leaving) or "stop" (at
    # the client `lunch_after_client_id`'s, after the visit); None: no lunch, or not recorded.
    # A lunch whose times put it inside a walk is an exception (planner.lunch_rows).
    lunch_place: Mapped[str | None] = mapped_column(String(8), nullable=True)
    lunch_after_client_id: Mapped[int | None] = mapped_column(
        ForeignKey("client.id"), nullable=True
    )
    stops: Mapped[list[PlanStop]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="PlanStop.seq"
    )
    __table_args__ = (CheckConstraint("lunch_place IN ('start', 'stop')", name="lunch_place"),)


class PlanStop(Base):
    """A planned visit: the worker comes to the client and renders the services due."""

    __tablename__ = "plan_stop"
    id: Mapped[int] = mapped_column(primary_key=True)
    route_id: Mapped[int] = mapped_column(ForeignKey("plan_route.id", ondelete="CASCADE"))
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    seq: Mapped[int] = mapped_column(SmallInteger)
    arrival: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    travel_s: Mapped[int] = mapped_column(Integer, default=0)
    wait_s: Mapped[int] = mapped_column(Integer, default=0)
    # [{"code": "A01", "name": "...", "minutes": 30}, ...]
    services: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    why: Mapped[str] = mapped_column(String(300), default="")


class PlanUnplanned(Base):
    __tablename__ = "plan_unplanned"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"))
    code: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(300))
    services: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
