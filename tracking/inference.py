"""Inference service: visits and travel legs of a worker's day from the stored pings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from geoalchemy2.shape import to_shape
from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from core.settings import get_settings
from planner.models import Plan, PlanStatus, PlanStop
from registry.models import Client, Worker
from tracking import visits
from tracking.models import TravelLeg, Visit
from tracking.stops import (
    PlannedVisit,
    StopParams,
    TrackPoint,
    detect_stops,
    legs,
    match_clients,
)


def track(session: Session, *, worker_id: int, day: date) -> list[TrackPoint]:
    """The worker's pings of the local day in device-time order (low-accuracy ones left out)."""
    tz = ZoneInfo(get_settings().timezone)
    start = datetime.combine(day, time(0), tz)
    rows = session.execute(
        text(
            "SELECT t, ST_Y(location), ST_X(location) FROM ping "
            "WHERE worker_id = :w AND t >= :a AND t < :b AND flags & 1 = 0 ORDER BY t"
        ),
        {
            "w": worker_id,
            "a": start.astimezone(UTC),
            "b": (start + timedelta(days=1)).astimezone(UTC),
        },
    )
    return [TrackPoint(t, lat, lon) for t, lat, lon in rows]


def _day_clients(session: Session, *, worker_id: int, day: date) -> dict[int, PlanStop | None]:
    """The clients the worker was to visit (approved plan) or did visit (events)."""
    stops = session.scalars(
        select(PlanStop)
        .join(Plan, Plan.id == PlanStop.plan_id)
        .where(PlanStop.worker_id == worker_id, Plan.day == day, Plan.status == PlanStatus.APPROVED)
    )
    found: dict[int, PlanStop | None] = {s.client_id: s for s in stops}
    tapped = session.scalars(
        select(Visit.client_id).where(Visit.worker_id == worker_id, Visit.day == day)
    )
    for client_id in tapped:
        found.setdefault(client_id, None)
    return found


def infer_worker_day(
    session: Session, *, worker: Worker, day: date, params: StopParams = StopParams()
) -> int:
    """Fill inferred arrival/departure of the worker's visits and store the legs; returns the
    number of visits seen in the pings."""
    points = track(session, worker_id=worker.id, day=day)
    planned = _day_clients(session, worker_id=worker.id, day=day)
    addresses: dict[int, tuple[float, float]] = {}
    for client in session.scalars(select(Client).where(Client.id.in_(planned or {-1}))):
        if client.location is not None:
            point = to_shape(client.location)
            addresses[client.id] = (point.y, point.x)
    order = {
        client_id: PlannedVisit(stop.start, int((stop.end - stop.start).total_seconds() // 60))
        for client_id, stop in planned.items()
        if stop is not None
    }
    seen = match_clients(detect_stops(points, params), addresses, params, order)
    geofence = get_settings().geofence_m
    for client_id, stop in seen.items():
        visit = visits.visit_for(
            session,
            office_id=worker.office_id,
            worker_id=worker.id,
            client_id=client_id,
            day=day,
            plan_stop=planned.get(client_id),
        )
        visit.inferred_arrival, visit.inferred_departure = stop.start, stop.end
        visits.refresh(visit, geofence_m=geofence)
    session.execute(delete(TravelLeg).where(TravelLeg.worker_id == worker.id, TravelLeg.day == day))
    for leg in legs(seen, points, addresses):
        session.add(
            TravelLeg(
                office_id=worker.office_id,
                worker_id=worker.id,
                mode=worker.travel_mode.value,
                day=day,
                from_client_id=leg.from_client,
                to_client_id=leg.to_client,
                depart=leg.depart,
                arrive=leg.arrive,
                straight_m=leg.straight_m,
                path_m=leg.path_m,
            )
        )
    session.flush()
    attach_travel(session, office_ids=[worker.office_id], start=day, end=day, worker_id=worker.id)
    return len(seen)


def attach_travel(
    session: Session,
    *,
    office_ids: Sequence[int],
    start: date,
    end: date,
    worker_id: int | None = None,
) -> None:
    """Keep on each visit of the offices' days (one worker's, if given) the seconds of the
    measured trips that ended at it: the legs of its worker and day that arrive at its client
    (a visit is one worker at one client on one day), None without one. Reports read travel
    with the visit instead of summing a month of legs per worker, day and client."""
    legs = "office_id = ANY(:offices) AND day BETWEEN :start AND :end"
    visits = "v.office_id = ANY(:offices) AND v.day BETWEEN :start AND :end"
    if worker_id is not None:
        legs += " AND worker_id = :worker"
        visits += " AND v.worker_id = :worker"
    params = {"offices": list(office_ids), "start": start, "end": end, "worker": worker_id}
    session.execute(text(_ATTACH_TRAVEL.format(legs=legs, visits=visits)), params)


_ATTACH_TRAVEL = """
    UPDATE visit SET travel_s = found.seconds
    FROM (SELECT v.id, l.seconds
          FROM visit v
          LEFT JOIN (SELECT worker_id, day, to_client_id,
                            round(extract(epoch FROM sum(arrive - depart)))::int AS seconds
                     FROM travel_leg WHERE {legs}
                     GROUP BY worker_id, day, to_client_id) l
            ON l.worker_id = v.worker_id AND l.day = v.day AND l.to_client_id = v.client_id
          WHERE {visits}) found
    WHERE visit.id = found.id AND visit.travel_s IS DISTINCT FROM found.seconds
"""


def infer_office_day(session: Session, *, office_id: int, day: date) -> dict[str, int]:
    """Run inference for every active worker of the office."""
    workers = session.scalars(select(Worker).where(Worker.office_id == office_id, Worker.active))
    counted = {"workers": 0, "visits": 0}
    for worker in workers:
        counted["workers"] += 1
        counted["visits"] += infer_worker_day(session, worker=worker, day=day)
    return counted
