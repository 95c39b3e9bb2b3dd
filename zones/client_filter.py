"""Which of an office's clients belong to a zone or to a worker (their zone in the office's
active zones, or their usual worker): the client list's zone and worker filters."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.models import Client
from zones.models import Zone, ZoneClient, ZoneSet, ZoneSetStatus


def client_ids_in(
    session: Session, *, office_id: int, zone_id: int | None = None, worker_id: int | None = None
) -> set[int] | None:
    """Client ids of the zone and/or the worker (both: those in both); None: no filter."""
    if zone_id is None and worker_id is None:
        return None
    in_active = (
        select(ZoneClient.client_id)
        .join(Zone, Zone.id == ZoneClient.zone_id)
        .join(ZoneSet, ZoneSet.id == ZoneClient.zone_set_id)
        .where(ZoneSet.office_id == office_id, ZoneSet.status == ZoneSetStatus.ACTIVE)
    )
    found: set[int] | None = None
    if zone_id is not None:
        found = set(session.scalars(in_active.where(Zone.id == zone_id)))
    if worker_id is not None:
        of_worker = set(session.scalars(in_active.where(Zone.worker_id == worker_id)))
        of_worker |= set(
            session.scalars(
                select(Client.id).where(
                    Client.office_id == office_id, Client.preferred_worker_id == worker_id
                )
            )
        )
        found = of_worker if found is None else found & of_worker
    return found
