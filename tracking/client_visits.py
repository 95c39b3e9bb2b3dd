"""A client's visits for their card: newest first, each with its times, services, the report
flags tracking set on it (late, geofence, unconfirmed, unverified, reviewed, ...) and the
client's ratings of it (`client_feedback`, by the visit or its plan stop)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core.models import User
from registry.clients import client_to_read
from registry.models import Worker
from registry.schemas.fields import Page
from tracking.feedback import ClientFeedback
from tracking.models import Visit


class RatingOut(BaseModel):
    service_code: str | None  # None: the visit as a whole
    rating: int
    comment: str
    at: datetime


class ClientVisitOut(BaseModel):
    id: int
    day: date
    worker_id: int
    worker_name: str
    status: str
    planned_start: datetime | None
    arrived_at: datetime | None
    departed_at: datetime | None
    minutes: int
    services: list[dict[str, object]]
    confirmed: bool
    flags: list[str]
    ratings: list[RatingOut]


def client_visits(
    session: Session, *, user: User, client_id: int, limit: int, offset: int
) -> Page[ClientVisitOut]:
    """The client's visits, newest first, with flags and ratings (one query per page each)."""
    client = client_to_read(session, user=user, client_id=client_id)
    query = (
        select(Visit, Worker.full_name)
        .join(Worker, Worker.id == Visit.worker_id)
        .where(Visit.client_id == client.id)
        .order_by(Visit.day.desc(), Visit.id.desc())
    )
    total = session.scalar(select(func.count()).where(Visit.client_id == client.id)) or 0
    rows = session.execute(query.limit(limit).offset(offset)).all()
    visit_ids = [visit.id for visit, _ in rows]
    stop_ids = [visit.plan_stop_id for visit, _ in rows if visit.plan_stop_id is not None]
    ratings: dict[int, list[RatingOut]] = {}
    by_stop = {visit.plan_stop_id: visit.id for visit, _ in rows if visit.plan_stop_id}
    if rows:
        for feedback in session.scalars(
            select(ClientFeedback)
            .where(
                ClientFeedback.client_id == client.id,
                or_(
                    ClientFeedback.visit_id.in_(visit_ids),
                    ClientFeedback.plan_stop_id.in_(stop_ids or [-1]),
                ),
            )
            .order_by(ClientFeedback.at, ClientFeedback.id)
        ):
            visit_id = feedback.visit_id
            if visit_id is None and feedback.plan_stop_id is not None:
                visit_id = by_stop.get(feedback.plan_stop_id)
            if visit_id is None:
                continue
            ratings.setdefault(visit_id, []).append(
                RatingOut(
                    service_code=feedback.service_code,
                    rating=feedback.rating,
                    comment=feedback.comment,
                    at=feedback.at,
                )
            )
    items = [
        ClientVisitOut(
            id=visit.id,
            day=visit.day,
            worker_id=visit.worker_id,
            worker_name=worker_name,
            status=visit.status,
            planned_start=visit.planned_start,
            arrived_at=visit.arrived_at,
            departed_at=visit.departed_at,
            minutes=visit.minutes,
            services=list(visit.services or []),
            confirmed=visit.confirmed,
            flags=list(visit.flags or []),
            ratings=ratings.get(visit.id, []),
        )
        for visit, worker_name in rows
    ]
    return Page[ClientVisitOut](items=items, total=total, limit=limit, offset=offset)
