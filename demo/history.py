"""Past weeks for the demo: approved plans per working day, and workers following them.

A worker's day is walked once as plain objects (`demo.day.walk_day`: fixes, taps, the visits'
outcomes, legs, ratings); this module turns it into the rows a phone and the tracking service
would have left, visit facts with their report flags included, and writes them in bulk (COPY).

`load_history(session, weeks=4)` fills the demo offices' past working days that have no visits
yet (a second call adds nothing). Plans: the real planner solves each office's weekdays once
(2 s each) and earlier weeks repeat that week's routes, so four weeks cost five solves
per office. `simulate_day` (pure) also feeds `bench.reports`; `careroute simulate` sends the
same walked day through the gateway (`demo.simulate`).
"""

from __future__ import annotations

import json
import logging
import random
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from geoalchemy2.shape import to_shape
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from core.models import Office, Region, Role, User
from core.settings import get_settings
from demo.data.walk import PlannedDay, PlannedStop, Point, distance_m
from demo.day import Event, Fix, Leg, Outcome, Rating, WalkedDay, walk_day
from registry.models import Client, Worker
from tracking.visits import choose, flags_for

__all__ = [
    "COPY_COLUMNS",
    "PlannedDay",
    "PlannedStop",
    "Simulated",
    "distance_m",
    "load_history",
    "simulate_day",
    "write",
]

log = logging.getLogger(__name__)

# per weekday template; 1 s left 5-15 of ~120 visits unplanned when the machine was busy
TEMPLATE_TIME_LIMIT_S = 2.0


@dataclass(slots=True)
class Simulated:
    """Walked days as the rows of the tracking tables, ready for COPY."""

    pings: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    visits: list[tuple[Any, ...]] = field(default_factory=list)
    legs: list[tuple[Any, ...]] = field(default_factory=list)
    feedback: list[tuple[Any, ...]] = field(default_factory=list)

    def extend(self, other: Simulated) -> None:
        for name in ("pings", "events", "visits", "legs", "feedback"):
            getattr(self, name).extend(getattr(other, name))


def simulate_day(plan: PlannedDay, rng: random.Random, *, step_s: int = 30) -> Simulated:
    """One worker's day following the plan with realistic deviations, as table rows."""
    return as_rows(walk_day(plan, rng, step_s=step_s))


def as_rows(day: WalkedDay) -> Simulated:
    """The rows a phone and the tracking service would have left for a walked day."""
    plan, geofence = day.plan, get_settings().geofence_m
    return Simulated(
        pings=[_ping_row(plan, fix) for fix in day.fixes],
        events=[_event_row(plan, event, geofence) for event in day.events],
        visits=[_visit_row(plan, outcome, geofence) for outcome in day.outcomes],
        legs=[_leg_row(plan, leg) for leg in day.legs],
        feedback=[_rating_row(plan, rating) for rating in day.ratings],
    )


def _rating_row(plan: PlannedDay, r: Rating) -> tuple[Any, ...]:
    return (
        plan.office_id, r.stop.plan_stop_id, r.stop.client_id, plan.worker_id, r.service_code,
        r.stars, r.comment, r.at,
    )  # fmt: skip


def _ewkt(p: Point) -> str:
    return f"SRID=4326;POINT({p[0]:.7f} {p[1]:.7f})"


def _ping_row(plan: PlannedDay, fix: Fix) -> tuple[Any, ...]:
    return (
        plan.device_id, fix.t, plan.worker_id, plan.office_id, _ewkt(fix.where), fix.accuracy,
        0, "sync", fix.t,
    )  # fmt: skip


def _event_row(plan: PlannedDay, event: Event, geofence: float) -> tuple[Any, ...]:
    stop, tap = event.stop, event.tap
    return (
        uuid.uuid4(),
        event.kind,
        tap.t,
        plan.device_id,
        plan.worker_id,
        plan.office_id,
        stop.client_id,
        stop.plan_stop_id,
        _ewkt(tap.where),
        tap.accuracy,
        tap.distance_m,
        tap.distance_m > geofence,
        json.dumps(event.services if event.services is not None else stop.services),
        event.code,
        event.confirmed,
        event.reason,
        tap.t,
    )


def _visit_row(plan: PlannedDay, outcome: Outcome, geofence: float) -> tuple[Any, ...]:
    """The visit fact as the tracking service keeps it: a tap wins, the pings fill in."""
    fate, stop = outcome.fate, outcome.fate.stop
    tapped_arrival = outcome.arrival.t if outcome.arrival else None
    tapped_departure = outcome.departure.t if outcome.departure else None
    inferred_arrival = fate.reached  # the pings stop moving at the door
    inferred_departure = fate.departed if outcome.status == "done" else None
    arrived = choose(tapped_arrival, inferred_arrival)
    departed = choose(tapped_departure, inferred_departure)
    flags = flags_for(
        planned_start=stop.start,
        arrived_at=arrived.at,
        tapped_arrival=tapped_arrival,
        inferred_arrival=inferred_arrival,
        tapped_departure=tapped_departure,
        inferred_departure=inferred_departure,
        departed_at=departed.at,
        confirmed=outcome.confirmed,
        max_distance_m=outcome.max_distance_m,
        geofence_m=geofence,
    )
    return (
        plan.office_id,
        plan.worker_id,
        stop.client_id,
        plan.day,
        stop.plan_stop_id,
        stop.start,
        stop.end,
        outcome.status,
        tapped_arrival,
        tapped_departure,
        inferred_arrival,
        inferred_departure,
        arrived.at,
        departed.at,
        arrived.source,
        departed.source,
        json.dumps(outcome.services),
        sum(int(s["minutes"]) for s in outcome.services),
        outcome.confirmed,
        fate.reason,
        outcome.max_distance_m,
        "{" + ",".join(flags) + "}",
    )


def _leg_row(plan: PlannedDay, leg: Leg) -> tuple[Any, ...]:
    return (
        plan.office_id, plan.worker_id, plan.mode, plan.day, leg.came_from.stop.client_id,
        leg.went_to.stop.client_id, leg.came_from.departed, leg.went_to.stopped, leg.straight_m,
        leg.path_m,
    )  # fmt: skip


# --- writing --------------------------------------------------------------------------------

COPY_COLUMNS = {
    "ping": "device_id, t, worker_id, office_id, location, accuracy, flags, source, received_at",
    "visit_event": "uuid, type, t, device_id, worker_id, office_id, client_id, plan_stop_id, "
    "location, accuracy, distance_m, outside_geofence, services, confirmation_code, confirmed, "
    "reason, received_at",
    "visit": "office_id, worker_id, client_id, day, plan_stop_id, planned_start, planned_end, "
    "status, tapped_arrival, tapped_departure, inferred_arrival, inferred_departure, arrived_at, "
    "departed_at, arrival_source, departure_source, services, minutes, confirmed, reason, "
    "max_distance_m, flags",
    "travel_leg": "office_id, worker_id, mode, day, from_client_id, to_client_id, depart, arrive, "
    "straight_m, path_m",
    "client_feedback": "office_id, plan_stop_id, client_id, worker_id, service_code, rating, "
    "comment, at",
}


def copy_rows(session: Session, table: str, rows: Iterable[Sequence[Any]]) -> int:
    """COPY rows into a table on the session's connection (same transaction)."""
    raw = session.connection().connection.driver_connection
    count = 0
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {table} ({COPY_COLUMNS[table]}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def write(session: Session, simulated: Simulated) -> dict[str, int]:
    """Store simulated days: daily ping partitions first, then everything by COPY."""
    from tracking.inference import attach_travel
    from tracking.partitions import ensure_partitions

    days = {row[1].astimezone(UTC).date() for row in simulated.pings}
    ensure_partitions(days, engine=session.get_bind().engine)
    counts = {
        "pings": copy_rows(session, "ping", simulated.pings),
        "events": copy_rows(session, "visit_event", simulated.events),
        "visits": copy_rows(session, "visit", simulated.visits),
        "legs": copy_rows(session, "travel_leg", simulated.legs),
    }
    if simulated.visits:  # each visit keeps its measured trips, as inference does
        offices = sorted({row[0] for row in simulated.visits})
        visit_days = [row[3] for row in simulated.visits]
        attach_travel(session, office_ids=offices, start=min(visit_days), end=max(visit_days))
    # ratings point at their visit by worker, client and day
    counts["feedback"] = copy_rows(session, "client_feedback", simulated.feedback)
    session.execute(_LINK_FEEDBACK)
    return counts


_LINK_FEEDBACK = text(
    """
    UPDATE client_feedback f SET visit_id = v.id
    FROM visit v
    WHERE f.visit_id IS NULL AND v.plan_stop_id = f.plan_stop_id AND v.worker_id = f.worker_id
    """
)


# --- the demo offices' past weeks -------------------------------------------------------------


def _past_days(today: date, weeks: int) -> list[date]:
    """Every day of the past weeks: weekends too, which the duty workers serve."""
    first = today - timedelta(days=7 * weeks)
    return [first + timedelta(days=n) for n in range((today - first).days)]


def load_history(
    session: Session, *, weeks: int = 4, seed: int = 11, today: date | None = None
) -> dict[str, Any]:
    """Simulated past days for the demo offices (only days that have no visits yet)."""
    from demo.data.region import REGION_NAME

    started = time.perf_counter()
    tz = ZoneInfo(get_settings().timezone)
    today = today or datetime.now(tz).date()
    region = session.scalar(select(Region).where(Region.name == REGION_NAME))
    if region is None:
        return {"days": 0, "seconds": 0.0}
    offices = list(session.scalars(select(Office).where(Office.region_id == region.id)))
    rng = random.Random(seed)
    total = Simulated()
    days_done = 0
    for office in offices:
        days = [d for d in _past_days(today, weeks) if not _has_visits(session, office.id, d)]
        if not days:
            continue
        templates = _weekday_templates(session, office, days)
        devices = _devices(session, office.id)
        clients = _clients(session, office.id)
        homes = _homes(session, office.id)
        for day in days:
            plan = templates[day.isoweekday()]
            stored = plan if plan.day == day else _copy_plan(session, plan, day)
            for planned in _planned_days(stored, devices, clients, homes):
                total.extend(simulate_day(planned, rng))
            days_done += 1
    counts = write(session, total) if days_done else {}
    session.flush()
    return {"days": days_done, **counts, "seconds": round(time.perf_counter() - started, 1)}


def _has_visits(session: Session, office_id: int, day: date) -> bool:
    from tracking.models import Visit

    query = (
        select(func.count())
        .select_from(Visit)
        .where(Visit.office_id == office_id, Visit.day == day)
    )
    return bool(session.scalar(query))


def _weekday_templates(session: Session, office: Office, days: list[date]) -> dict[int, Any]:
    """For each weekday among `days`, an approved plan: stored already, or solved for its latest
    occurrence with the real planner (TEMPLATE_TIME_LIMIT_S)."""
    from planner import plans
    from planner.models import PlanStatus
    from planner.problem import SolveParams

    approver = session.scalar(
        select(User).where(User.role.in_([Role.SUPERVISOR, Role.ADMIN])).order_by(User.role.desc())
    )
    templates: dict[int, Any] = {}
    for day in sorted(days, reverse=True):
        weekday = day.isoweekday()
        if weekday in templates:
            continue
        plan = plans.approved_plan(session, office_id=office.id, day=day)
        if plan is None:
            plan = plans.plan_day(
                session,
                office_id=office.id,
                day=day,
                params=SolveParams(time_limit_s=TEMPLATE_TIME_LIMIT_S, workers=1),
            )
            if approver is not None:
                plan = plans.approve(session, plan_id=plan.id, user=approver)
            else:
                plan.status = PlanStatus.APPROVED
        templates[weekday] = plan
    return templates


def _copy_plan(session: Session, plan: Any, day: date) -> Any:
    """An approved plan for `day` with the template's routes moved to that date."""
    from planner.copying import copy_plan
    from planner.models import Plan, PlanStatus

    existing = session.scalar(
        select(Plan).where(
            Plan.office_id == plan.office_id, Plan.day == day, Plan.status == PlanStatus.APPROVED
        )
    )
    if existing is not None:
        return existing
    return copy_plan(
        session,
        plan,
        day=day,
        version=1,
        status=PlanStatus.APPROVED,
        params={**plan.params, "kind": "history"},
        with_unplanned=False,
    )


def _devices(session: Session, office_id: int) -> dict[int, int]:
    """Each worker's phone (registered for the demo when the worker has none)."""
    from tracking.devices import register_device
    from tracking.models import Device

    found = dict(
        session.execute(
            select(Device.worker_id, func.min(Device.id))
            .join(Worker, Worker.id == Device.worker_id)
            .where(Worker.office_id == office_id)
            .group_by(Device.worker_id)
        ).all()
    )
    for worker in session.scalars(select(Worker).where(Worker.office_id == office_id)):
        if worker.id not in found:
            device, _token = register_device(session, worker=worker, name="демо-телефон")
            found[worker.id] = device.id
    return found


def _clients(session: Session, office_id: int) -> dict[int, tuple[Point, str]]:
    result = {}
    for client in session.scalars(select(Client).where(Client.office_id == office_id)):
        if client.location is not None:
            point = to_shape(client.location)
            result[client.id] = ((point.x, point.y), client.confirmation_code)
    return result


def _homes(session: Session, office_id: int) -> dict[int, tuple[Point | None, str]]:
    """Where each worker starts the day, and how she travels."""
    result: dict[int, tuple[Point | None, str]] = {}
    for worker in session.scalars(select(Worker).where(Worker.office_id == office_id)):
        point = to_shape(worker.start_location) if worker.start_location is not None else None
        mode = getattr(worker.travel_mode, "value", worker.travel_mode) or "walk"
        result[worker.id] = ((point.x, point.y) if point else None, str(mode))
    return result


def _planned_days(
    plan: Any,
    devices: dict[int, int],
    clients: dict[int, tuple[Point, str]],
    homes: dict[int, tuple[Point | None, str]],
) -> list[PlannedDay]:
    days = []
    for route in plan.routes:
        stops = [
            PlannedStop(
                s.id,
                s.client_id,
                clients[s.client_id][0],
                s.start,
                s.end,
                [{"code": x["code"], "minutes": x["minutes"]} for x in s.services],
                clients[s.client_id][1],
                s.travel_s,
            )
            for s in route.stops
            if s.client_id in clients
        ]
        if not stops:
            continue
        home, mode = homes.get(route.worker_id, (None, "walk"))
        break_minutes = 0
        if route.break_start and route.break_end:
            break_minutes = int((route.break_end - route.break_start).total_seconds() // 60)
        days.append(
            PlannedDay(
                plan.office_id,
                route.worker_id,
                devices[route.worker_id],
                plan.day,
                route.start,
                home or _near(stops[0].where),
                stops,
                route.break_start,
                break_minutes,
                mode=mode,
                end=route.end,
            )
        )
    return days


def _near(p: Point) -> Point:
    """A start for a worker without one: about 600 m from the first client."""
    return (p[0] - 0.006, p[1] + 0.003)
