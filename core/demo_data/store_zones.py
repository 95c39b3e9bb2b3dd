"""The demo office's active zone set: one zone per worker, clients split by place and workload.

The zones service draws it, as it would for a supervisor pressing "zone afresh"; should that
fail, the demo splits the office itself (`zoning.split_balanced` and Voronoi polygons). Then
four in five zoned clients get their zone's worker as preferred worker, for continuity.
"""

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
from core.models import Client, ClientStatus, Office, User, Worker
from zones.models import Zone, ZoneClient, ZoneSet, ZoneSetStatus

log = logging.getLogger(__name__)

ZONED_STATUSES = (ClientStatus.ENROLLED, ClientStatus.SUSPENDED)  # suspended clients come back
ZONE_TIME_LIMIT_S = 5.0


def store_zones(
    session: Session,
    *,
    office: Office,
    head: User,
    data: DemoOffice,
    workers: list[Worker],
    clients: list[Client],
    today: date,
) -> str:
    """Store an active zone set for the office; returns the method that drew it."""
    try:
        with session.begin_nested():  # a failure leaves nothing half-stored
            from zones import service as zone_service

            zone_service.rebalance(
                session,
                user=head,
                office_id=office.id,
                fewest_moves=False,
                time_limit_s=ZONE_TIME_LIMIT_S,
            )
        method = "zones service"
    except Exception:  # the demo must load even when the zones package cannot zone it
        log.warning("the zones service failed; the demo splits the office itself", exc_info=True)
        _store_own_split(
            session, office=office, data=data, workers=workers, clients=clients, today=today
        )
        method = "demo split"
    _prefer_zone_workers(session, office)
    return method


def _prefer_zone_workers(session: Session, office: Office) -> None:
    zone_set = select(ZoneSet.id).where(
        ZoneSet.office_id == office.id, ZoneSet.status == ZoneSetStatus.ACTIVE
    )
    worker_of = session.execute(
        select(ZoneClient.client_id, Zone.worker_id)
        .join(Zone, Zone.id == ZoneClient.zone_id)
        .where(ZoneClient.zone_set_id.in_(zone_set))
        .order_by(ZoneClient.client_id)
    ).all()
    for position, (client_id, worker_id) in enumerate(worker_of):
        if position % 5:  # four clients in five have a preferred worker: their zone's
            session.get_one(Client, client_id).preferred_worker_id = worker_id
    session.flush()


def _store_own_split(
    session: Session,
    *,
    office: Office,
    data: DemoOffice,
    workers: list[Worker],
    clients: list[Client],
    today: date,
) -> None:
    zoned = [i for i, c in enumerate(clients) if c.status in ZONED_STATUSES and i in data.plans]
    points = [(data.clients[i].building.lon, data.clients[i].building.lat) for i in zoned]
    loads = [weekly_load(data.plans[i], today)[0] for i in zoned]
    zone_of = zoning.split_balanced(points, loads, [w.weekly_hours for w in data.workers])
    zoning.fit_skills(
        points,
        zone_of,
        needs=[set(data.clients[i].required_skills) for i in zoned],
        skills=[set(w.skills) for w in data.workers],
    )
    shapes = zoning.zone_polygons(points, zone_of, data.area)
    version = session.scalar(
        select(func.coalesce(func.max(ZoneSet.version), 0)).where(ZoneSet.office_id == office.id)
    )
    zone_set = ZoneSet(
        office_id=office.id,
        version=(version or 0) + 1,
        status=ZoneSetStatus.ACTIVE,
        note="деление при загрузке демонстрационных данных",
        stats={"clients": len(zoned)},
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
    session.flush()
