"""Past weeks for the demo: approved plans per working day, and workers following them.

How a worker's day departs from the plan is `demo.data.walk` (late and early starts,
pace, stays around the standard, catching up, lunch, a client not at home, a long stay);
this module turns such a day into the rows a phone and the tracking service would have left:
a fix every ~30 s, visit events (arrival and departure taps, sometimes forgotten or tapped
away from the door; the client's confirmation code, sometimes not given), visit facts with
their report flags, measured travel legs, and the clients' ratings (`demo.data.feedback`).
Everything is written in bulk (COPY).

`load_history(session, weeks=4)` fills the demo offices' past working days that have no visits
yet (a second call adds nothing). Plans: the real planner solves each office's weekdays once
(2 s each) and earlier weeks repeat that week's routes, so four weeks cost five solves
per office. `simulate_day` is pure and also feeds `bench.reports` and `careroute simulate`.
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

from core import geo
from core.geo import METRES_PER_DEGREE
from core.models import Office, Region, Role, User
from core.settings import get_settings
from demo.data import feedback
from demo.data.walk import (
    Fate,
    PlannedDay,
    PlannedStop,
    Point,
    Segment,
    distance_m,
    walk,
)
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

FORGOT_ARRIVAL = 0.02  # the arrival tap forgotten: the pings tell when she came
FORGOT_DEPARTURE = 0.05  # the departure tap forgotten: the pings tell when she left
AWAY_FROM_DOOR = 0.02  # a tap made in the street or at the bus stop, outside the geofence
TAPPED_LATER = 0.01  # "departed" remembered at the next client's door
CONFIRMED = 0.92  # the client tells the code from the card
WRONG_CODE = 0.02  # ...or a wrong one; the rest give none (card mislaid, client asleep)
# per weekday template; 1 s left 5-15 of ~120 visits unplanned when the machine was busy
TEMPLATE_TIME_LIMIT_S = 2.0
DETOUR = {"walk": 1.3, "transit": 1.4, "car": 1.4}  # street path / straight line


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


def _ewkt(p: Point) -> str:
    return f"SRID=4326;POINT({p[0]:.7f} {p[1]:.7f})"


def _pings(
    plan: PlannedDay, segments: Sequence[Segment], rng: random.Random, step_s: int
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
    segments, fates = walk(plan, rng)
    out.pings = _pings(plan, segments, rng, step_s)
    geofence = get_settings().geofence_m
    for previous, fate in zip([None, *fates], fates, strict=False):
        if fate.no_show:
            _no_show(plan, fate, rng, geofence, out)
        else:
            _done(plan, fate, rng, geofence, out)
        if previous is not None:
            out.legs.append(_leg(plan, previous, fate, rng))
    return out


@dataclass(slots=True)
class _Tap:
    """One tap on the phone: when, where, how far from the client's door."""

    t: datetime
    where: Point
    distance_m: float


def _tap(stop: PlannedStop, t: datetime, rng: random.Random, *, away: bool = False) -> _Tap:
    """At the door a fix lands within tens of metres; away from it, a few hundred."""
    metres = rng.uniform(160, 600) if away else abs(rng.gauss(0, 15)) + 3
    angle = rng.uniform(0, 2 * math.pi)
    lon, lat = stop.where
    where = (
        *geo.offset(lon, lat, metres * math.cos(angle), metres * math.sin(angle)),
    )
    return _Tap(t, where, round(metres, 1))


def _done(
    plan: PlannedDay, fate: Fate, rng: random.Random, geofence: float, out: Simulated
) -> None:
    """A visit carried out: its taps (some forgotten, a few away from the door), the client's
    code, the fact with its flags, and perhaps the client's rating."""
    stop = fate.stop
    away = rng.random() < AWAY_FROM_DOOR
    arrival = departure = None
    if rng.random() >= FORGOT_DEPARTURE:  # tapped on the stairs, or (away) down the street
        walked = timedelta(seconds=rng.uniform(150, 500)) if away else timedelta(0)
        if rng.random() < TAPPED_LATER:
            walked = timedelta(minutes=rng.uniform(12, 30))
        departure = _tap(stop, fate.departed + walked + _seconds(rng, 40), rng, away=away)
        away = False
    if rng.random() >= FORGOT_ARRIVAL:  # tapped in the hall, or (away) at the bus stop
        early = timedelta(seconds=rng.uniform(120, 400)) if away else timedelta(0)
        arrival = _tap(stop, fate.arrived - early + _seconds(rng, 40), rng, away=away)
    done = [dict(s) for s in stop.services]
    codes = [str(s["code"]) for s in done]
    if arrival is not None:
        out.events.append(_event(plan, stop, "arrived", arrival))
    rendered = _tap(stop, fate.departed - _seconds(rng, 90), rng)
    out.events.append(_event(plan, stop, "service_rendered", rendered, services=done))
    roll = rng.random()
    confirmed = roll < CONFIRMED
    if roll < CONFIRMED + WRONG_CODE:
        code = stop.confirmation_code if confirmed else _wrong(stop.confirmation_code, rng)
        said = _Tap(rendered.t + _seconds(rng, 30), rendered.where, rendered.distance_m)
        out.events.append(
            _event(plan, stop, "client_confirmed", said, code=code, confirmed=confirmed)
        )
    if departure is not None:
        out.events.append(_event(plan, stop, "departed", departure))
    taps = [tap for tap in (arrival, rendered, departure) if tap is not None]
    out.visits.append(
        _visit(
            plan,
            fate,
            arrival,
            departure,
            status="done",
            confirmed=confirmed,
            services=done,
            max_distance_m=max(tap.distance_m for tap in taps),
            geofence=geofence,
        )
    )
    stay = (fate.departed - fate.arrived).total_seconds() / 60
    standard = sum(int(s["minutes"]) for s in done)
    late_min = (fate.arrived - stop.start).total_seconds() / 60
    said_ = feedback.rating(rng, late_min=late_min, hurried=stay < 0.75 * standard, codes=codes)
    if said_ is not None:
        stars, comment, code = said_
        at = fate.departed + timedelta(minutes=rng.uniform(30, 480))
        out.feedback.append(
            (plan.office_id, stop.plan_stop_id, stop.client_id, plan.worker_id, code, stars,
             comment, at)
        )  # fmt: skip


def _no_show(
    plan: PlannedDay, fate: Fate, rng: random.Random, geofence: float, out: Simulated
) -> None:
    """Nobody at home: the arrival tap at the door, then "no-show" with the reason."""
    stop = fate.stop
    arrival = _tap(stop, fate.arrived, rng)
    gave_up = _tap(stop, fate.departed, rng)
    out.events.append(_event(plan, stop, "arrived", arrival))
    out.events.append(_event(plan, stop, "no_show", gave_up, reason=fate.reason))
    out.visits.append(
        _visit(
            plan,
            fate,
            arrival,
            None,
            status="no_show",
            confirmed=False,
            services=[],
            max_distance_m=max(arrival.distance_m, gave_up.distance_m),
            geofence=geofence,
        )
    )


def _seconds(rng: random.Random, most: float) -> timedelta:
    return timedelta(seconds=round(rng.uniform(0, most)))


def _wrong(code: str, rng: random.Random) -> str:
    """A code misheard or mistyped: one digit off."""
    digits = list(code or "0000")
    i = rng.randrange(len(digits))
    digits[i] = str((int(digits[i]) + rng.randint(1, 9)) % 10)
    return "".join(digits)


def _event(
    plan: PlannedDay,
    stop: PlannedStop,
    kind: str,
    tap: _Tap,
    *,
    services: Any = None,
    code: str | None = None,
    confirmed: bool | None = None,
    reason: str = "",
) -> tuple[Any, ...]:
    return (
        uuid.uuid4(),
        kind,
        tap.t,
        plan.device_id,
        plan.worker_id,
        plan.office_id,
        stop.client_id,
        stop.plan_stop_id,
        _ewkt(tap.where),
        round(10.0 + tap.distance_m / 10, 1),
        tap.distance_m,
        tap.distance_m > get_settings().geofence_m,
        json.dumps(services if services is not None else stop.services),
        code,
        confirmed,
        reason,
        tap.t,
    )


def _visit(
    plan: PlannedDay,
    fate: Fate,
    arrival: _Tap | None,
    departure: _Tap | None,
    *,
    status: str,
    confirmed: bool,
    services: list[dict[str, Any]],
    max_distance_m: float,
    geofence: float,
) -> tuple[Any, ...]:
    """The visit fact as the tracking service keeps it: a tap wins, the pings fill in."""
    stop = fate.stop
    tapped_arrival = arrival.t if arrival else None
    tapped_departure = departure.t if departure else None
    inferred_arrival = fate.reached  # the pings stop moving at the door
    inferred_departure = fate.departed if status == "done" else None
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
        confirmed=confirmed,
        max_distance_m=max_distance_m,
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
        status,
        tapped_arrival,
        tapped_departure,
        inferred_arrival,
        inferred_departure,
        arrived.at,
        departed.at,
        arrived.source,
        departed.source,
        json.dumps(services),
        sum(int(s["minutes"]) for s in services),
        confirmed,
        fate.reason,
        max_distance_m,
        "{" + ",".join(flags) + "}",
    )


def _leg(plan: PlannedDay, a: Fate, b: Fate, rng: random.Random) -> tuple[Any, ...]:
    """The trip from one client's door to the next one's, as the pings measure it."""
    straight = distance_m(a.stop.where, b.stop.where)
    detour = DETOUR.get(plan.mode, 1.3) * rng.lognormvariate(0.0, 0.06)
    return (
        plan.office_id,
        plan.worker_id,
        plan.mode,
        plan.day,
        a.stop.client_id,
        b.stop.client_id,
        a.departed,
        b.stopped,
        straight,
        straight * detour,
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
