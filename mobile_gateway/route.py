"""The worker's day as the phone shows it: approved stops with client cards and statuses."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from geoalchemy2.shape import to_shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.settings import get_settings
from planner import lunch_rows
from planner.models import Plan, PlanRoute, PlanStatus, PlanStop
from planner.plans import visit_key
from registry.models import Client, Service, Worker
from tracking.caseload import worker_client_ids
from tracking.models import Visit


def navigation_links(lat: float, lon: float) -> dict[str, str]:
    return {"yandex": f"https://yandex.ru/maps/?rtext=~{lat},{lon}", "geo": f"geo:{lat},{lon}"}


def _lat_lon(client: Client) -> tuple[float, float] | None:
    if client.location is None:
        return None
    point = to_shape(client.location)
    return point.y, point.x


def client_json(client: Client) -> dict[str, Any]:
    """Only what a worker needs at the door."""
    where = _lat_lon(client)
    return {
        "id": client.id,
        "full_name": client.full_name,
        "address": client.address,
        "phone": client.phone,
        "notes": client.notes,  # entrance, floor, intercom, keys...
        "lat": where[0] if where else None,
        "lon": where[1] if where else None,
        "navigation": navigation_links(*where) if where else None,
        "window_start": client.window_start.isoformat() if client.window_start else None,
        "window_end": client.window_end.isoformat() if client.window_end else None,
    }


def client_card(session: Session, *, worker: Worker, client_id: int) -> dict[str, Any] | None:
    """A client's card, or None if the client is not the worker's."""
    if client_id not in worker_client_ids(session, worker):
        return None
    client = session.get(Client, client_id)
    return client_json(client) if client else None


def _visits_of_route(
    session: Session, *, worker_id: int, route: PlanRoute, day: date
) -> dict[int, Visit]:
    """The visit facts of the route's clients that day by client: the worker's own, else the
    one of a worker with no stop of that client in the plan (a colleague covered, or the visit
    was moved to this worker after it was done), never a partner's part of a two-worker visit
    (the rule of `tracking.visits.stop_of_visit`)."""
    clients = {s.client_id for s in route.stops}
    rows = session.execute(
        select(PlanStop.worker_id, PlanStop.client_id).where(
            PlanStop.plan_id == route.plan_id, PlanStop.client_id.in_(clients or {-1})
        )
    )
    planned = {(stop_worker, client) for stop_worker, client in rows}
    found: dict[int, Visit] = {}
    query = select(Visit).where(Visit.client_id.in_(clients or {-1}), Visit.day == day)
    for visit in session.scalars(query.order_by(Visit.id)):
        own = visit.worker_id == worker_id
        stand_in = (
            visit.client_id not in found and (visit.worker_id, visit.client_id) not in planned
        )
        if own or stand_in:
            found[visit.client_id] = visit
    return found


def route_of(session: Session, *, worker: Worker, day: date | None) -> dict[str, Any]:
    """The worker's approved route for the day (an empty one when none is approved)."""
    day = day or datetime.now(ZoneInfo(get_settings().timezone)).date()
    plan_route = session.scalars(
        select(PlanRoute)
        .join(Plan, Plan.id == PlanRoute.plan_id)
        .where(
            PlanRoute.worker_id == worker.id,
            Plan.day == day,
            Plan.status == PlanStatus.APPROVED,
            Plan.office_id == worker.office_id,
        )
        .order_by(Plan.version.desc())
    ).first()
    answer: dict[str, Any] = {"day": day.isoformat(), "worker_id": worker.id, "plan_id": None}
    if plan_route is None:
        return answer | {"start": None, "end": None, "stops": []}
    statuses = _visits_of_route(session, worker_id=worker.id, route=plan_route, day=day)
    minutes = {
        s.code: s.standard_minutes
        for s in session.scalars(select(Service).where(Service.office_id == worker.office_id))
    }
    stops = []
    for stop in plan_route.stops:
        client = session.get(Client, stop.client_id)
        assert client is not None
        visit = statuses.get(stop.client_id)
        stops.append(
            {
                "plan_stop_id": stop.id,
                "visit_key": visit_key(stop.client_id, day),
                "seq": stop.seq,
                "arrival": stop.arrival.isoformat(),
                "start": stop.start.isoformat(),
                "end": stop.end.isoformat(),
                "services": [
                    {
                        "code": s.get("code"),
                        "name": s.get("name", ""),
                        "minutes": s.get("minutes") or minutes.get(s.get("code"), 0),
                    }
                    for s in stop.services
                ],
                "client": client_json(client),
                "status": visit.status if visit else "planned",
                # The server's verdict on the visit, as the office sees it.
                "confirmed": visit.confirmed if visit else None,
                "flags": list(visit.flags or []) if visit else [],
                "arrived_at": visit.arrived_at.isoformat() if visit and visit.arrived_at else None,
                "departed_at": visit.departed_at.isoformat()
                if visit and visit.departed_at
                else None,
            }
        )
    return answer | {
        "plan_id": plan_route.plan_id,
        "start": plan_route.start.isoformat(),
        "end": plan_route.end.isoformat(),
        "lunch": _lunch(plan_route),
        "stops": stops,
    }


def _lunch(plan_route: PlanRoute) -> dict[str, Any] | None:
    """The day's lunch: when, and where (before leaving, after the visit `after_seq`, or, an
    exception the office sees too, in the walk between two visits)."""
    lunch = lunch_rows.lunch_of(plan_route)
    if lunch is None:
        return None
    return {
        "start": lunch.start.isoformat(),
        "end": lunch.end.isoformat(),
        "place": lunch.place,
        "after_seq": lunch.after_seq,
        "after_client_id": lunch.after_client_id,
        "from_client_id": lunch.from_client_id,
        "to_client_id": lunch.to_client_id,
    }
