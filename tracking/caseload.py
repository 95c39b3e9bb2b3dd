"""A field worker's own clients (their caseload): who a worker may reach."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner.models import PlanStop
from registry.access import usual_clients
from registry.models import Worker
from zones.models import Zone, ZoneClient, ZoneSet, ZoneSetStatus


def worker_client_ids(session: Session, worker: Worker) -> set[int]:
    """A field worker's own clients: those in the worker's zone, planned for the worker, or
    whose usual worker the worker is."""
    in_zone = (
        select(ZoneClient.client_id)
        .join(Zone, Zone.id == ZoneClient.zone_id)
        .join(ZoneSet, ZoneSet.id == ZoneClient.zone_set_id)
        .where(Zone.worker_id == worker.id, ZoneSet.status == ZoneSetStatus.ACTIVE)
    )
    planned = select(PlanStop.client_id).where(PlanStop.worker_id == worker.id)
    ids = usual_clients(session, worker)
    for query in (in_zone, planned):
        ids.update(session.scalars(query))
    return ids
