"""A past day of one worker, for replay on a map: the approved plan's route, the GPS track,
the stops found in it and the visit events the phone sent, all in time order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from geoalchemy2.shape import to_shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.settings import get_settings
from planner.models import Plan, PlanRoute, PlanStatus
from registry.models import Client, Worker
from tracking.inference import track
from tracking.models import VisitEvent
from tracking.stops import Stop, TrackPoint, detect_stops


@dataclass(frozen=True, slots=True)
class PlannedStop:
    seq: int
    client_id: int
    client_name: str
    start: datetime
    end: datetime
    lat: float | None
    lon: float | None


@dataclass(frozen=True, slots=True)
class Event:
    type: str
    t: datetime
    client_id: int
    client_name: str
    lat: float | None
    lon: float | None
    outside_geofence: bool
    reason: str


@dataclass(frozen=True, slots=True)
class WorkerDay:
    worker: Worker
    day: date
    plan_id: int | None
    planned: list[PlannedStop]
    points: list[TrackPoint]
    stops: list[Stop]
    events: list[Event]


def _approved_route(session: Session, worker_id: int, day: date) -> PlanRoute | None:
    return session.scalars(
        select(PlanRoute)
        .join(Plan, Plan.id == PlanRoute.plan_id)
        .where(
            PlanRoute.worker_id == worker_id, Plan.day == day, Plan.status == PlanStatus.APPROVED
        )
    ).first()


def _lat_lon(geometry: Any) -> tuple[float | None, float | None]:
    if geometry is None:
        return None, None
    point = to_shape(geometry)
    return point.y, point.x


def worker_day(session: Session, *, worker: Worker, day: date) -> WorkerDay:
    """The worker's day as planned and as it happened."""
    route = _approved_route(session, worker.id, day)
    stops = list(route.stops) if route is not None else []
    tz = ZoneInfo(get_settings().timezone)
    start = datetime.combine(day, time(0), tz)
    events = list(
        session.scalars(
            select(VisitEvent)
            .where(
                VisitEvent.worker_id == worker.id,
                VisitEvent.t >= start.astimezone(UTC),
                VisitEvent.t < (start + timedelta(days=1)).astimezone(UTC),
            )
            .order_by(VisitEvent.t)
        )
    )
    client_ids = {s.client_id for s in stops} | {e.client_id for e in events}
    clients = {
        c.id: c for c in session.scalars(select(Client).where(Client.id.in_(client_ids or {-1})))
    }
    planned = []
    for stop in stops:
        client = clients.get(stop.client_id)
        lat, lon = _lat_lon(client.location if client else None)
        name = client.full_name if client else ""
        planned.append(PlannedStop(stop.seq, stop.client_id, name, stop.start, stop.end, lat, lon))
    found = []
    for event in events:
        client = clients.get(event.client_id)
        lat, lon = _lat_lon(event.location)
        if lat is None and client is not None:
            lat, lon = _lat_lon(client.location)
        found.append(
            Event(
                event.type,
                event.t,
                event.client_id,
                client.full_name if client else "",
                lat,
                lon,
                bool(event.outside_geofence),
                event.reason or "",
            )
        )
    points = track(session, worker_id=worker.id, day=day)
    return WorkerDay(
        worker=worker,
        day=day,
        plan_id=route.plan_id if route is not None else None,
        planned=planned,
        points=points,
        stops=detect_stops(points),
        events=found,
    )
