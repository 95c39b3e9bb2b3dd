"""Facts kept for the reports: clients' ratings of visits, and per-worker-day ping summaries.

`ClientFeedback`: a rating (1..5 with an optional comment) belongs to one visit (or, before the
visit fact exists, to its plan stop), one client and the worker who came; `service_code` is null
when the client rated the visit as a whole.

`TrackDay`: one worker's local day of pings summed up (first and last ping, time and distance
on the move), so a month's report reads a few thousand rows instead of millions of pings.
It is kept correct by `TrackDayStale`: a statement trigger on `ping` (migration 0003) marks the
worker-days every insert touched, and `api.reports.tracks.refresh` recomputes just those.
"""

from __future__ import annotations

import uuid as uuid_module
from datetime import UTC, date, datetime

from sqlalchemy import (
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
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import Base


class ClientFeedback(Base):
    __tablename__ = "client_feedback"
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(Integer)
    visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("visit.id", ondelete="SET NULL"), nullable=True
    )
    plan_stop_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_stop.id", ondelete="SET NULL"), nullable=True
    )
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id", ondelete="CASCADE"))
    service_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    rating: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # the phone's id of the rating (a resend is stored once); null for ratings from the office
    uuid: Mapped[uuid_module.UUID | None] = mapped_column(UUID(as_uuid=True), unique=True)
    source: Mapped[str] = mapped_column(String(10), default="phone")  # phone / office
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
        Index("ix_client_feedback_office_at", "office_id", "at"),
    )


class TrackDay(Base):
    """A worker's local day of pings: span, and the time and distance spent moving."""

    __tablename__ = "track_day"
    worker_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    office_id: Mapped[int] = mapped_column(Integer)
    first_ping: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_ping: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    pings: Mapped[int] = mapped_column(Integer)
    moving_s: Mapped[float] = mapped_column(Float)
    path_m: Mapped[float] = mapped_column(Float)
    refreshed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("ix_track_day_office_day", "office_id", "day"),)


class TrackDayStale(Base):
    """Worker-days whose pings changed since their `TrackDay` was computed (set by a trigger)."""

    __tablename__ = "track_day_stale"
    worker_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    marked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FeedbackError(ValueError):
    """The rating cannot be recorded (out of range, or neither visit nor plan stop given)."""


def record_feedback(
    session: Session,
    *,
    office_id: int,
    client_id: int,
    worker_id: int,
    rating: int,
    visit_id: int | None = None,
    plan_stop_id: int | None = None,
    service_code: str | None = None,
    comment: str = "",
    at: datetime | None = None,
) -> ClientFeedback:
    """Store a client's rating of a visit (or of one service of it)."""
    if not 1 <= rating <= 5:
        raise FeedbackError("rating must be between 1 and 5")
    if visit_id is None and plan_stop_id is None:
        raise FeedbackError("a rating belongs to a visit or a plan stop")
    row = ClientFeedback(
        office_id=office_id,
        visit_id=visit_id,
        plan_stop_id=plan_stop_id,
        client_id=client_id,
        worker_id=worker_id,
        service_code=service_code or None,
        rating=rating,
        comment=comment.strip()[:2000],
        at=at or datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    return row
