"""The registry's tables: workers with shifts and absences, clients and their status history,
the service catalogue, care plans, and the geocoder's cache. Every location is a PostGIS point
in SRID 4326 (lon, lat)."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base
from core.models import enum_column


class TravelMode(enum.StrEnum):
    WALK = "walk"
    TRANSIT = "transit"
    CAR = "car"


class ClientStatus(enum.StrEnum):
    ENROLLED = "enrolled"  # served
    QUEUED = "queued"  # waiting for a place
    REFUSED = "refused"  # refused service (for a period)
    SUSPENDED = "suspended"  # e.g. in hospital
    DISCHARGED = "discharged"  # left the service


class CarePlanStatus(enum.StrEnum):
    """A care programme's life: a draft is never planned; an approved one is in force over its
    validity; a closed one was in force until its (set) valid_to and is kept as history."""

    DRAFT = "draft"
    APPROVED = "approved"
    CLOSED = "closed"


class LocationStatus(enum.StrEnum):
    OK = "ok"
    GEOCODED = "geocoded"
    NEEDS_LOCATION = "needs_location"  # the supervisor places it on the map
    MANUAL = "manual"  # placed (or moved) on the map by a person: the geocoder is not trusted


class Worker(Base):
    __tablename__ = "worker"
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(40), default="")
    position: Mapped[str] = mapped_column(String(120), default="социальный работник")
    skills: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list)
    travel_mode: Mapped[TravelMode] = mapped_column(enum_column(TravelMode, "travel_mode"))
    start_location: Mapped[Any | None] = mapped_column(Geometry("POINT", srid=4326))
    end_location: Mapped[Any | None] = mapped_column(Geometry("POINT", srid=4326))
    weekly_hours: Mapped[float] = mapped_column(default=40.0)
    max_minutes_per_day: Mapped[int | None] = mapped_column(Integer, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    shifts: Mapped[list[WorkerShift]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="WorkerShift.weekday"
    )
    absences: Mapped[list[WorkerAbsence]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="WorkerAbsence.date_from"
    )


class WorkerShift(Base):
    """The weekly shift template: one row per working weekday (1 = Monday)."""

    __tablename__ = "worker_shift"
    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(SmallInteger)
    start: Mapped[time] = mapped_column(Time)
    end: Mapped[time] = mapped_column(Time)
    lunch_from: Mapped[time | None] = mapped_column(Time, nullable=True)  # earliest lunch start
    lunch_to: Mapped[time | None] = mapped_column(Time, nullable=True)  # latest lunch end
    lunch_minutes: Mapped[int] = mapped_column(SmallInteger, default=0)
    __table_args__ = (
        UniqueConstraint("worker_id", "weekday"),
        CheckConstraint("weekday BETWEEN 1 AND 7", name="weekday"),
        CheckConstraint('start < "end"', name="start_before_end"),
    )


class WorkerAbsence(Base):
    __tablename__ = "worker_absence"
    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id", ondelete="CASCADE"))
    date_from: Mapped[date] = mapped_column(Date)
    date_to: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="")
    __table_args__ = (CheckConstraint("date_from <= date_to", name="dates"),)


class Client(Base):
    __tablename__ = "client"
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(300))
    location: Mapped[Any | None] = mapped_column(Geometry("POINT", srid=4326), nullable=True)
    location_status: Mapped[LocationStatus] = mapped_column(
        enum_column(LocationStatus, "location_status"), default=LocationStatus.OK
    )
    categories: Mapped[list[str]] = mapped_column(ARRAY(String(60)), default=list)
    status: Mapped[ClientStatus] = mapped_column(
        enum_column(ClientStatus, "client_status"), default=ClientStatus.ENROLLED
    )
    window_start: Mapped[time | None] = mapped_column(Time, nullable=True)
    window_end: Mapped[time | None] = mapped_column(Time, nullable=True)
    required_skills: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list)
    preferred_worker_id: Mapped[int | None] = mapped_column(
        ForeignKey("worker.id", ondelete="SET NULL"), nullable=True
    )
    workers_needed: Mapped[int] = mapped_column(SmallInteger, default=1)
    confirmation_code: Mapped[str] = mapped_column(String(12), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    door_code: Mapped[str] = mapped_column(String(40), default="", server_default="")
    # Archived: kept with its whole history, out of the lists (a client is never deleted once
    # they have one); a status change brings them back.
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # When someone last looked at a queued, refused or suspended client (the queue's rule:
    # nobody waits unseen).
    queue_reviewed_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    queue_reviewed_by: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    __table_args__ = (CheckConstraint("workers_needed BETWEEN 1 AND 2", name="workers_needed"),)


class ClientStatusChange(Base):
    """Every change of a client's status, so the history is never lost."""

    __tablename__ = "client_status_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    status: Mapped[ClientStatus] = mapped_column(enum_column(ClientStatus, "client_status"))
    since: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date, nullable=True)  # e.g. refused for a period
    reason: Mapped[str] = mapped_column(String(300), default="")
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Service(Base):
    """An entry of an office's service catalogue with its standard duration."""

    __tablename__ = "service"
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(120), default="")  # социально-бытовые, ...
    level: Mapped[int] = mapped_column(SmallInteger, default=1)
    standard_minutes: Mapped[int] = mapped_column(SmallInteger)
    required_skill: Mapped[str | None] = mapped_column(String(40), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    __table_args__ = (
        UniqueConstraint("office_id", "code"),
        CheckConstraint("standard_minutes BETWEEN 1 AND 600", name="standard_minutes"),
    )


class CarePlan(Base):
    """One version of a client's individual programme of services. Only approved (and, for
    their past, closed) versions are planned; an edit of an approved one is a new draft."""

    __tablename__ = "care_plan"
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(40), default="")
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[CarePlanStatus] = mapped_column(
        enum_column(CarePlanStatus, "care_plan_status"), default=CarePlanStatus.DRAFT
    )
    version: Mapped[int] = mapped_column(SmallInteger, default=1)
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("care_plan.id", ondelete="SET NULL"), nullable=True
    )
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    approved_by: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL"), nullable=True
    )
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    lines: Mapped[list[CarePlanLine]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="CarePlanLine.id"
    )


class CarePlanLine(Base):
    __tablename__ = "care_plan_line"
    id: Mapped[int] = mapped_column(primary_key=True)
    care_plan_id: Mapped[int] = mapped_column(
        ForeignKey("care_plan.id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    recurrence: Mapped[str] = mapped_column(String(60))  # see registry.recurrence
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    service: Mapped[Service] = relationship(lazy="joined")


class GeocodeCache(Base):
    __tablename__ = "geocode_cache"
    query: Mapped[str] = mapped_column(String(300), primary_key=True)
    lon: Mapped[float | None]
    lat: Mapped[float | None]
    provider: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
