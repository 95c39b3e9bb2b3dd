"""The demo office's active zone set: one zone per worker, clients split by place and workload.

The zones service draws it, as it would for a supervisor pressing "zone afresh". Then four in
five zoned clients get their zone's worker as preferred worker, for continuity.
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Office, User
from demo.data.region import DemoOffice
from registry.models import Client, ClientStatus, Worker
from zones import service as zone_service
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
    zone_service.rebalance(
        session, user=head, office_id=office.id, fewest_moves=False, time_limit_s=ZONE_TIME_LIMIT_S
    )
    _prefer_zone_workers(session, office)
    return "zones service"


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
