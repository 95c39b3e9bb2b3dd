"""A worker's past day as the phones leave it: an approved plan of two visits, a GPS track
(walk to the first client, stay, walk to the second, stay, walk back) and the visit events
(arrived, departed) of both visits. Shared by the replay's API and browser tests."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from geoalchemy2.shape import to_shape
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.settings import get_settings
from planner.models import Plan, PlanRoute, PlanStatus, PlanStop
from registry.models import Client, Worker
from tracking.models import Device, VisitEvent
from tracking.partitions import ensure_partitions

SERVICES = [{"code": "A01", "name": "Покупка продуктов", "minutes": 30}]


@dataclass(frozen=True)
class PastDay:
    day: date
    plan_id: int
    worker_id: int
    client_ids: list[int]
    pings: int
    start: datetime  # first ping
    events: list[tuple[str, datetime, int]]  # type, time, client id


def _lon_lat(row: Client | Worker, field: str = "location") -> tuple[float, float]:
    point = to_shape(getattr(row, field))
    return point.x, point.y


def _walk(a: tuple[float, float], b: tuple[float, float], start: datetime, minutes: int):  # type: ignore[no-untyped-def]
    for n in range(minutes + 1):
        f = n / minutes
        yield start + timedelta(minutes=n), a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f


def _stay(at: tuple[float, float], start: datetime, minutes: int):  # type: ignore[no-untyped-def]
    for n in range(1, minutes, 2):
        jitter = 0.00003 * (n % 3 - 1)  # a few metres of indoor drift
        yield start + timedelta(minutes=n), at[0] + jitter, at[1] - jitter


def make_past_day(session: Session, *, worker: Worker, clients: list[Client], day: date) -> PastDay:
    """Writes the day (flushes; the caller commits or rolls back)."""
    tz = ZoneInfo(get_settings().timezone)
    at = datetime.combine(day, time(9), tz)
    plan = Plan(office_id=worker.office_id, day=day, version=1, status=PlanStatus.APPROVED)
    route = PlanRoute(worker_id=worker.id, start=at, end=at + timedelta(hours=2))
    plan.routes = [route]
    session.add(plan)
    session.flush()
    first, second = clients[:2]
    for seq, (client, minutes) in enumerate([(first, 10), (second, 50)], start=1):
        start = at + timedelta(minutes=minutes)
        route.stops.append(
            PlanStop(
                plan_id=plan.id, worker_id=worker.id, client_id=client.id, seq=seq,
                arrival=start, start=start, end=start + timedelta(minutes=30), travel_s=600,
                services=SERVICES,
            )
        )  # fmt: skip
    device = Device(
        worker_id=worker.id, name="телефон", platform="web", token_hash=secrets.token_hex(32)
    )
    session.add(device)
    session.flush()
    home, a, b = _lon_lat(worker, "start_location"), _lon_lat(first), _lon_lat(second)
    points = [
        *_walk(home, a, at, 10),
        *_stay(a, at + timedelta(minutes=10), 30),
        *_walk(a, b, at + timedelta(minutes=40), 10),
        *_stay(b, at + timedelta(minutes=50), 30),
        *_walk(b, home, at + timedelta(minutes=80), 10),
    ]
    points.sort(key=lambda p: p[0])
    ensure_partitions([day])
    for t, lon, lat in points:
        session.execute(
            text(
                "INSERT INTO ping (device_id, t, worker_id, office_id, location, flags, source)"
                " VALUES (:d, :t, :w, :o, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), 0, 'sync')"
                " ON CONFLICT DO NOTHING"
            ),
            {"d": device.id, "t": t, "w": worker.id, "o": worker.office_id, "lon": lon, "lat": lat},
        )
    events = [
        ("arrived", at + timedelta(minutes=11), first.id),
        ("departed", at + timedelta(minutes=39), first.id),
        ("arrived", at + timedelta(minutes=51), second.id),
        ("departed", at + timedelta(minutes=79), second.id),
    ]
    for kind, t, client_id in events:
        session.add(
            VisitEvent(
                uuid=uuid.uuid4(), type=kind, t=t, device_id=device.id, worker_id=worker.id,
                office_id=worker.office_id, client_id=client_id, services=[],
            )
        )  # fmt: skip
    session.flush()
    return PastDay(day, plan.id, worker.id, [first.id, second.id], len(points), at, events)


def forget_pings(session: Session, worker_ids: list[int]) -> None:
    """Pings name their worker without a foreign key: removed by hand after a committed test."""
    session.execute(text("DELETE FROM ping WHERE worker_id = ANY(:w)"), {"w": worker_ids})
