"""The demo office's active zone set: one zone per worker, clients split by place and
workload (by the zones core when it can, else by `zoning.split_balanced`), and each zoned
client's preferred worker set to the zone's worker for continuity."""

from __future__ import annotations

import logging
from datetime import date

from geoalchemy2.shape import from_shape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.demo_data import zoning
from core.demo_data.care import weekly_load
from core.demo_data.names import short_name
from core.demo_data.region import DemoOffice
from core.models import Client, ClientStatus, Office, Worker
from zones.models import Zone, ZoneClient, ZoneSet, ZoneSetStatus

log = logging.getLogger(__name__)

ZONED_STATUSES = (ClientStatus.ENROLLED, ClientStatus.SUSPENDED)  # suspended clients come back
ZONE_TIME_LIMIT_S = 5.0
LonLat = tuple[float, float]


def store_zones(
    session: Session,
    *,
    office: Office,
    data: DemoOffice,
    workers: list[Worker],
    clients: list[Client],
    seed: int,
    today: date,
) -> str:
    """Store an active zone set for the office; returns the method that drew it."""
    zoned = [i for i, c in enumerate(clients) if c.status in ZONED_STATUSES and i in data.plans]
    points = [(data.clients[i].building.lon, data.clients[i].building.lat) for i in zoned]
    loads = [weekly_load(data.plans[i], today) for i in zoned]
    zone_of, method = _assign(data, zoned, points, loads, seed)
    shapes = zoning.zone_polygons(points, zone_of, data.area)
    version = session.scalar(
        select(func.coalesce(func.max(ZoneSet.version), 0)).where(ZoneSet.office_id == office.id)
    )
    zone_set = ZoneSet(
        office_id=office.id,
        version=(version or 0) + 1,
        status=ZoneSetStatus.ACTIVE,
        note="Деление на участки при загрузке демонстрационных данных",
        stats={"method": method, "clients": len(zoned)},
    )
    zone_set.zones = [
        Zone(
            worker_id=worker.id,
            name=f"Участок {k + 1} — {short_name(worker.full_name)}",
            color=zoning.colour(k),
            polygon=from_shape(shapes[k], srid=4326) if k in shapes else None,
        )
        for k, worker in enumerate(workers)
    ]
    session.add(zone_set)
    session.flush()
    session.add_all(
        ZoneClient(zone_set_id=zone_set.id, client_id=clients[i].id, zone_id=zone_set.zones[k].id)
        for i, k in zip(zoned, zone_of, strict=True)
    )
    for position, (i, k) in enumerate(zip(zoned, zone_of, strict=True)):
        if position % 5:  # four clients in five have a preferred worker: their zone's
            clients[i].preferred_worker_id = workers[k].id
    return method


def _assign(
    data: DemoOffice,
    zoned: list[int],
    points: list[LonLat],
    loads: list[tuple[float, float]],
    seed: int,
) -> tuple[list[int], str]:
    """Worker index per zoned client: the zones core when it works, else a simple split."""
    try:
        return _assign_with_zones_core(data, zoned, points, loads, seed), "zones.balance"
    except Exception:  # the demo must load even when the zones core cannot zone it
        log.warning("the zones core failed; the demo splits the office itself", exc_info=True)
    shares = [w.weekly_hours for w in data.workers]
    zone_of = zoning.split_balanced(points, [minutes for minutes, _ in loads], shares)
    zoning.fit_skills(
        points,
        zone_of,
        needs=[set(data.clients[i].required_skills) for i in zoned],
        skills=[set(w.skills) for w in data.workers],
    )
    return zone_of, "demo split"


def _assign_with_zones_core(
    data: DemoOffice,
    zoned: list[int],
    points: list[LonLat],
    loads: list[tuple[float, float]],
    seed: int,
) -> list[int]:
    import zones as zone_core

    clients = [
        zone_core.Client(
            id=str(i),
            lon=lon,
            lat=lat,
            weekly_minutes=minutes,
            weekly_visits=visits,
            skills=frozenset(data.clients[i].required_skills),
        )
        for i, (lon, lat), (minutes, visits) in zip(zoned, points, loads, strict=True)
    ]
    zones = [
        zone_core.Zone(id=str(k), weekly_hours=w.weekly_hours, skills=frozenset(w.skills))
        for k, w in enumerate(data.workers)
    ]
    params = zone_core.BalanceParams(time_limit_s=ZONE_TIME_LIMIT_S, seed=seed)
    result = zone_core.solve(clients, zones, params)
    return [int(result.zone_of[str(i)]) for i in zoned]
