"""Past weeks for the demo: approved plans per working day, and workers following them.

Workers start a few minutes late or early, walk a little slower or faster than planned, spend
more or less than the standard time at a client, take their lunch, now and then find nobody at
home, and sometimes forget to tap "departed" (the time is then the one inferred from the pings).
Phones send a fix every ~30 s; clients rate some visits. Everything is written in bulk (COPY).

`load_history(session, weeks=4)` fills the demo offices' past working days that have no visits
yet (a second call adds nothing). Plans: the real planner solves each office's weekdays once
(short time limit) and earlier weeks repeat that week's routes, so four weeks cost five solves
per office. `simulate_day` is pure and also feeds `bench.reports`.
"""

from __future__ import annotations

import json
import logging
import math
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

from core.models import Client, Office, Region, Role, User, Worker
from core.settings import get_settings
from tracking.visits import flags_for

log = logging.getLogger(__name__)

METRES_PER_DEGREE = 111195.0
COMMENTS = {
    5: ["Спасибо, всё хорошо", "Очень довольна", ""],
    4: ["Всё сделала, но задержалась", ""],
    3: ["Принесла не те продукты", "Долго ждала"],
    2: ["Опоздала на час", "Не убрала на кухне"],
    1: ["Не пришла вовремя, не предупредила"],
}

Point = tuple[float, float]  # lon, lat


@dataclass(frozen=True, slots=True)
class PlannedStop:
    plan_stop_id: int | None
    client_id: int
    where: Point
    start: datetime
    end: datetime
    services: list[dict[str, Any]]  # [{"code", "minutes"}], minutes = standard
    confirmation_code: str = ""


@dataclass(frozen=True, slots=True)
class PlannedDay:
    office_id: int
    worker_id: int
    device_id: int
    day: date
    start: datetime
    home: Point
    stops: list[PlannedStop]
    break_start: datetime | None = None
    break_minutes: int = 0
    speed_mps: float = 1.2  # planned walking speed along the streets (detour included)


@dataclass(slots=True)
class Simulated:
    pings: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    visits: list[tuple[Any, ...]] = field(default_factory=list)
    legs: list[tuple[Any, ...]] = field(default_factory=list)
    feedback: list[tuple[Any, ...]] = field(default_factory=list)

    def extend(self, other: Simulated) -> None:
        for name in ("pings", "events", "visits", "legs", "feedback"):
            getattr(self, name).extend(getattr(other, name))


def distance_m(a: Point, b: Point) -> float:
    dx = (b[0] - a[0]) * math.cos(math.radians((a[1] + b[1]) / 2))
    return METRES_PER_DEGREE * math.hypot(dx, b[1] - a[1])


def _ewkt(p: Point) -> str:
    return f"SRID=4326;POINT({p[0]:.7f} {p[1]:.7f})"


def _moves(
    plan: PlannedDay, rng: random.Random
) -> tuple[list[tuple[datetime, datetime, Point, Point]], list[dict[str, Any]]]:
    """The worker's actual day as segments (from, to, origin, target) and each visit's fate."""
    segments: list[tuple[datetime, datetime, Point, Point]] = []
    fates: list[dict[str, Any]] = []
    pace = rng.lognormvariate(-0.08, 0.12)  # this worker today: slower or faster than planned
    now = plan.start + timedelta(minutes=round(rng.gauss(4, 6)))
    here = plan.home
    lunch_taken = plan.break_start is None
    for stop in plan.stops:
        if not lunch_taken and plan.break_start is not None and now >= plan.break_start:
            lunch = timedelta(minutes=plan.break_minutes + rng.randint(-5, 10))
            segments.append((now, now + lunch, here, here))
            now, lunch_taken = now + lunch, True
        travel = timedelta(seconds=round(distance_m(here, stop.where) / plan.speed_mps * pace))
        travel = max(travel, timedelta(minutes=2))
        segments.append((now, now + travel, here, stop.where))
        now += travel
        if now < stop.start - timedelta(minutes=10):  # early: waits near the door
            segments.append((now, stop.start - timedelta(minutes=5), stop.where, stop.where))
            now = stop.start - timedelta(minutes=5)
        here = stop.where
        if rng.random() < 0.03:
            segments.append((now, now + timedelta(minutes=5), here, here))
            fates.append({"stop": stop, "arrived": now, "no_show": True})
            now += timedelta(minutes=5)
            continue
        standard = (stop.end - stop.start).total_seconds()
        stay = timedelta(seconds=round(max(0.4, rng.gauss(0.97, 0.15)) * standard / 30) * 30)
        segments.append((now, now + stay, here, here))
        fates.append({"stop": stop, "arrived": now, "departed": now + stay, "no_show": False})
        now += stay
    travel = timedelta(seconds=round(distance_m(here, plan.home) / plan.speed_mps * pace))
    segments.append((now, now + max(travel, timedelta(minutes=2)), here, plan.home))
    return segments, fates


def _pings(
    plan: PlannedDay,
    segments: Sequence[tuple[datetime, datetime, Point, Point]],
    rng: random.Random,
    step_s: int,
) -> list[tuple[Any, ...]]:
    rows = []
    t = segments[0][0].replace(second=0, microsecond=0)
    index = 0
    jitter = 2.0 / METRES_PER_DEGREE  # ~2 m of GPS noise
    while t <= segments[-1][1]:
        while index < len(segments) - 1 and t > segments[index][1]:
            index += 1
        start, end, a, b = segments[index]
        share = 0.0 if end <= start else min(max((t - start) / (end - start), 0.0), 1.0)
        lon = a[0] + share * (b[0] - a[0]) + rng.gauss(0, jitter) * 1.8
        lat = a[1] + share * (b[1] - a[1]) + rng.gauss(0, jitter)
        rows.append(
            (
                plan.device_id,
                t,
                plan.worker_id,
                plan.office_id,
                _ewkt((lon, lat)),
                round(rng.uniform(4, 20), 1),
                0,
                "sync",
                t,
            )
        )
        t += timedelta(seconds=step_s + rng.choice((0, 0, 0, 1, -1)))
    return rows


def simulate_day(plan: PlannedDay, rng: random.Random, *, step_s: int = 30) -> Simulated:
    """One worker's day following the plan with realistic deviations, as table rows."""
    out = Simulated()
    segments, fates = _moves(plan, rng)
    out.pings = _pings(plan, segments, rng, step_s)
    geofence = get_settings().geofence_m
    previous: dict[str, Any] | None = None
    for fate in fates:
        stop: PlannedStop = fate["stop"]
        out.events.append(_event(plan, stop, "arrived", fate["arrived"]))
        if fate["no_show"]:
            out.events.append(
                _event(
                    plan,
                    stop,
                    "no_show",
                    fate["arrived"] + timedelta(minutes=4),
                    reason="никто не открыл дверь",
                )
            )
            out.visits.append(_visit(plan, stop, fate, None, False, [], geofence, "no_show"))
            continue
        done = [dict(s) for s in stop.services]
        out.events.append(_event(plan, stop, "service_rendered", fate["departed"], services=done))
        confirmed = rng.random() < 0.9
        if confirmed:
            out.events.append(
                _event(
                    plan,
                    stop,
                    "client_confirmed",
                    fate["departed"],
                    code=stop.confirmation_code,
                    confirmed=True,
                )
            )
        tapped_departure = fate["departed"] if rng.random() > 0.06 else None  # forgot to tap
        if tapped_departure is not None:
            out.events.append(_event(plan, stop, "departed", tapped_departure))
        out.visits.append(
            _visit(plan, stop, fate, tapped_departure, confirmed, done, geofence, "done")
        )
        if previous is not None:
            out.legs.append(_leg(plan, previous, fate))
        previous = fate
        if rng.random() < 0.3:
            out.feedback.append(_feedback(plan, stop, fate, rng))
    return out


def _event(
    plan: PlannedDay,
    stop: PlannedStop,
    kind: str,
    t: datetime,
    *,
    services: Any = None,
    code: str | None = None,
    confirmed: bool | None = None,
    reason: str = "",
) -> tuple[Any, ...]:
    return (
        uuid.uuid4(),
        kind,
        t,
        plan.device_id,
        plan.worker_id,
        plan.office_id,
        stop.client_id,
        stop.plan_stop_id,
        _ewkt(stop.where),
        10.0,
        0.0,
        False,
        json.dumps(services if services is not None else stop.services),
        code,
        confirmed,
        reason,
        t,
    )


def _visit(
    plan: PlannedDay,
    stop: PlannedStop,
    fate: dict[str, Any],
    tapped_departure: datetime | None,
    confirmed: bool,
    services: list[dict[str, Any]],
    geofence: float,
    status: str,
) -> tuple[Any, ...]:
    arrived = fate["arrived"] if status == "done" else None
    inferred_departure = fate.get("departed")
    departed = tapped_departure or inferred_departure if status == "done" else None
    flags = flags_for(
        planned_start=stop.start,
        arrived_at=arrived,
        tapped_arrival=arrived,
        inferred_arrival=arrived,
        tapped_departure=tapped_departure,
        inferred_departure=inferred_departure,
        departed_at=departed,
        confirmed=confirmed,
        max_distance_m=0.0,
        geofence_m=geofence,
    )
    departure_source = None if departed is None else ("tapped" if tapped_departure else "inferred")
    return (
        plan.office_id,
        plan.worker_id,
        stop.client_id,
        plan.day,
        stop.plan_stop_id,
        stop.start,
        stop.end,
        status,
        arrived,
        tapped_departure,
        arrived,
        inferred_departure if status == "done" else None,
        arrived,
        departed,
        "tapped" if arrived else None,
        departure_source,
        json.dumps(services),
        sum(int(s["minutes"]) for s in services),
        confirmed,
        "никто не открыл дверь" if status == "no_show" else "",
        0.0,
        "{" + ",".join(flags) + "}",
    )


def _leg(plan: PlannedDay, a: dict[str, Any], b: dict[str, Any]) -> tuple[Any, ...]:
    straight = distance_m(a["stop"].where, b["stop"].where)
    return (
        plan.office_id,
        plan.worker_id,
        "walk",
        plan.day,
        a["stop"].client_id,
        b["stop"].client_id,
        a["departed"],
        b["arrived"],
        straight,
        straight * 1.3,
    )


def _feedback(
    plan: PlannedDay, stop: PlannedStop, fate: dict[str, Any], rng: random.Random
) -> tuple[Any, ...]:
    late = fate["arrived"] - stop.start > timedelta(minutes=15)
    rating = rng.choices(
        (5, 4, 3, 2, 1), weights=(3, 6, 3, 2, 1) if late else (14, 5, 1, 0.3, 0.1)
    )[0]
    code = rng.choice([None, *(s["code"] for s in stop.services)])
    return (
        plan.office_id,
        stop.plan_stop_id,
        stop.client_id,
        plan.worker_id,
        code,
        rating,
        rng.choice(COMMENTS[rating]),
        fate["departed"] + timedelta(hours=rng.randint(1, 30)),
    )


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
    from tracking.partitions import ensure_partitions

    days = {row[1].astimezone(UTC).date() for row in simulated.pings}
    ensure_partitions(days, engine=session.get_bind().engine)
    counts = {
        "pings": copy_rows(session, "ping", simulated.pings),
        "events": copy_rows(session, "visit_event", simulated.events),
        "visits": copy_rows(session, "visit", simulated.visits),
        "legs": copy_rows(session, "travel_leg", simulated.legs),
    }
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


def _past_workdays(today: date, weeks: int) -> list[date]:
    first = today - timedelta(days=7 * weeks)
    days = [first + timedelta(days=n) for n in range((today - first).days)]
    return [d for d in days if d.isoweekday() <= 5]


def load_history(
    session: Session, *, weeks: int = 4, seed: int = 11, today: date | None = None
) -> dict[str, Any]:
    """Simulated past working days for the demo offices (only days that have no visits yet)."""
    from core.demo_data.region import REGION_NAME

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
        days = [d for d in _past_workdays(today, weeks) if not _has_visits(session, office.id, d)]
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
    occurrence with the real planner (short time limit)."""
    from planner import service
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
        plan = service.approved_plan(session, office_id=office.id, day=day)
        if plan is None:
            plan = service.plan_day(
                session,
                office_id=office.id,
                day=day,
                params=SolveParams(time_limit_s=1.0, workers=1),
            )
            if approver is not None:
                plan = service.approve(session, plan_id=plan.id, user=approver)
            else:
                plan.status = PlanStatus.APPROVED
        templates[weekday] = plan
    return templates


def _copy_plan(session: Session, plan: Any, day: date) -> Any:
    """An approved plan for `day` with the template's routes moved to that date."""
    from planner.models import Plan, PlanRoute, PlanStatus, PlanStop

    existing = session.scalar(
        select(Plan).where(
            Plan.office_id == plan.office_id, Plan.day == day, Plan.status == PlanStatus.APPROVED
        )
    )
    if existing is not None:
        return existing
    shift = day - plan.day
    copy = Plan(
        office_id=plan.office_id,
        day=day,
        version=1,
        status=PlanStatus.APPROVED,
        cost=plan.cost,
        stats=plan.stats,
        params={**plan.params, "kind": "history"},
    )
    session.add(copy)
    session.flush()
    routes = []
    for route in plan.routes:
        new = PlanRoute(
            worker_id=route.worker_id,
            start=route.start + shift,
            end=route.end + shift,
            break_start=route.break_start + shift if route.break_start else None,
            break_end=route.break_end + shift if route.break_end else None,
            travel_s=route.travel_s,
            service_s=route.service_s,
            wait_s=route.wait_s,
            distance_m=route.distance_m,
        )
        new.stops = [
            PlanStop(
                plan_id=copy.id,
                worker_id=s.worker_id,
                client_id=s.client_id,
                seq=s.seq,
                arrival=s.arrival + shift,
                start=s.start + shift,
                end=s.end + shift,
                travel_s=s.travel_s,
                wait_s=s.wait_s,
                services=s.services,
                why=s.why,
            )
            for s in route.stops
        ]
        routes.append(new)
    copy.routes = routes
    session.flush()
    return copy


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


def _homes(session: Session, office_id: int) -> dict[int, Point]:
    """Where each worker starts the day."""
    result = {}
    for worker in session.scalars(select(Worker).where(Worker.office_id == office_id)):
        if worker.start_location is not None:
            point = to_shape(worker.start_location)
            result[worker.id] = (point.x, point.y)
    return result


def _planned_days(
    plan: Any,
    devices: dict[int, int],
    clients: dict[int, tuple[Point, str]],
    homes: dict[int, Point],
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
            )
            for s in route.stops
            if s.client_id in clients
        ]
        if not stops:
            continue
        home = homes.get(route.worker_id) or _near(stops[0].where)
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
                _near(home),
                stops,
                route.break_start,
                break_minutes,
            )
        )
    return days


def _near(p: Point) -> Point:
    """The worker's start: about 600 m from the first client (the office or home)."""
    return (p[0] - 0.006, p[1] + 0.003)
