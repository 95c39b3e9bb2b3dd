"""Tracking's tables: devices, pings (partitioned by day), visit events, visit facts, legs.

`ping` is a high-volume fact table: declaratively partitioned by day of device time (UTC) and
without foreign keys (devices are revoked, never deleted; a key check per row would cost
ingest throughput). Its primary key (device_id, t) is the dedup key: a phone's resend repeats
the recorded fix, so the same device and instant means the same ping.
"""

from __future__ import annotations

import enum
import uuid as uuid_module
from datetime import date, datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class EventType(enum.StrEnum):
    ARRIVED = "arrived"
    SERVICE_RENDERED = "service_rendered"
    DEPARTED = "departed"
    CLIENT_CONFIRMED = "client_confirmed"
    NO_SHOW = "no_show"  # nobody opened the door
    REFUSED = "refused"  # the client refused the visit
    REOPENED = "reopened"  # the worker corrects a finished or not-done visit of today


class Device(Base):
    """A worker's phone or browser, known by a random token of its own (only its hash is kept)."""

    __tablename__ = "device"
    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    platform: Mapped[str] = mapped_column(String(20), default="web")  # web / osmand / owntracks
    # The identifier a GPS app sends by itself (Traccar Client's "device identifier").
    external_id: Mapped[str | None] = mapped_column(String(80), unique=True, nullable=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)


class Ping(Base):
    """One GPS fix of a device. Speeds in m/s, battery in percent."""

    __tablename__ = "ping"
    device_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    t: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    worker_id: Mapped[int] = mapped_column(Integer)
    office_id: Mapped[int] = mapped_column(Integer)
    location: Mapped[Any] = mapped_column(Geometry("POINT", srid=4326, spatial_index=False))
    accuracy: Mapped[float | None] = mapped_column(Float(precision=24), nullable=True)
    speed: Mapped[float | None] = mapped_column(Float(precision=24), nullable=True)
    bearing: Mapped[float | None] = mapped_column(Float(precision=24), nullable=True)
    altitude: Mapped[float | None] = mapped_column(Float(precision=24), nullable=True)
    battery: Mapped[float | None] = mapped_column(Float(precision=24), nullable=True)
    flags: Mapped[int] = mapped_column(SmallInteger, default=0)
    source: Mapped[str] = mapped_column(String(10))  # sync / ws / osmand / owntracks
    uuid: Mapped[uuid_module.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    __table_args__ = (
        Index("ix_ping_worker_t", "worker_id", "t"),
        {"postgresql_partition_by": "RANGE (t)"},
    )


class PingDrop(Base):
    """How many pings were dropped unstored, per worker, day and reason (e.g. outside shift)."""

    __tablename__ = "ping_drop"
    worker_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    reason: Mapped[str] = mapped_column(String(30), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class PingRefusal(Base):
    """A refused (rejected or dropped) ping, once per device and item: a resend of the same
    item is recognised by its key (its UUID, or a hash of what was sent) and not counted
    again. Kept as long as pings are (`tracking drop-old`)."""

    __tablename__ = "ping_refusal"
    device_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    worker_id: Mapped[int] = mapped_column(Integer, index=True)
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(String(10))
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )


class VisitEvent(Base):
    """What a worker tapped at a client's home. The client-made UUID makes a resend harmless.

    Each event holds the six EVV elements: services, client, worker, date and time, location
    (start and end times are the arrived/departed events, gathered in `visit`)."""

    __tablename__ = "visit_event"
    uuid: Mapped[uuid_module.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    type: Mapped[str] = mapped_column(String(20))  # EventType
    t: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"), index=True)
    office_id: Mapped[int] = mapped_column(Integer, index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    plan_stop_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_stop.id", ondelete="SET NULL"), nullable=True
    )
    location: Mapped[Any | None] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=False), nullable=True
    )
    accuracy: Mapped[float | None] = mapped_column(Float, nullable=True)
    distance_m: Mapped[float | None] = mapped_column(Float, nullable=True)  # from the address
    outside_geofence: Mapped[bool] = mapped_column(Boolean, default=False)
    # [{"code": "C01", "minutes": 30}, ...]: rendered, or those planned for this visit
    services: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    confirmation_code: Mapped[str | None] = mapped_column(String(12), nullable=True)
    confirmed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    signature: Mapped[str | None] = mapped_column(Text, nullable=True)  # data:image/...;base64
    reason: Mapped[str] = mapped_column(String(300), default="")
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class Visit(Base):
    """The fact of one visit (a worker at a client on a day): planned against actual."""

    __tablename__ = "visit"
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(Integer)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"))
    day: Mapped[date] = mapped_column(Date)
    plan_stop_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_stop.id", ondelete="SET NULL"), nullable=True
    )
    planned_start: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    planned_end: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    tapped_arrival: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    tapped_departure: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    inferred_arrival: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    inferred_departure: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    arrived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    departed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    arrival_source: Mapped[str | None] = mapped_column(String(10))  # tapped / inferred
    departure_source: Mapped[str | None] = mapped_column(String(10))
    services: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(String(300), default="")
    # the farthest a tapped event was from the client's address
    max_distance_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    flags: Mapped[list[str]] = mapped_column(ARRAY(String(20)), default=list)
    # seconds of the measured trips that ended here (`travel_leg`), None without one;
    # kept by `tracking.inference.attach_travel` whenever legs are stored
    travel_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The head of department's decision (`tracking.review`): None until reviewed; a correction
    # keeps the figures above as they were reported and holds the corrected ones beside them.
    review: Mapped[str | None] = mapped_column(String(10), nullable=True)
    review_reason: Mapped[str | None] = mapped_column(String(300), nullable=True)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    corrected_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    corrected_services: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSONB(none_as_null=True), nullable=True
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    __table_args__ = (
        UniqueConstraint("worker_id", "client_id", "day"),
        Index("ix_visit_office_day", "office_id", "day"),
        CheckConstraint("review IN ('accepted', 'rejected', 'corrected')", name="review"),
    )


class TravelLeg(Base):
    """An actual trip between two consecutive visits, measured from the pings."""

    __tablename__ = "travel_leg"
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(Integer)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id", ondelete="CASCADE"))
    mode: Mapped[str] = mapped_column(String(10))  # the worker's travel mode that day
    day: Mapped[date] = mapped_column(Date)
    from_client_id: Mapped[int] = mapped_column(Integer)
    to_client_id: Mapped[int] = mapped_column(Integer)
    depart: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    arrive: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    straight_m: Mapped[float] = mapped_column(Float)
    path_m: Mapped[float] = mapped_column(Float)
    __table_args__ = (
        UniqueConstraint("worker_id", "day", "from_client_id", "to_client_id"),
        Index("ix_travel_leg_office_mode", "office_id", "mode", "day"),
    )
