"""A field worker's own clients (their caseload): who a worker may reach."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.settings import get_settings
from planner.models import Plan, PlanStatus, PlanStop
from registry.access import usual_clients
from registry.models import Worker
from zones.models import Zone, ZoneClient, ZoneSet, ZoneSetStatus


def worker_client_ids(session: Session, worker: Worker) -> set[int]:
    """A field worker's own clients: those in the worker's active zone, whose usual worker the
    worker is, on the worker's approved routes of today and the days ahead, and on approved
    routes of the last `past_client_days` days (so a visit can still be finished). Drafts and
    older routes give no reach."""
    settings = get_settings()
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    since = today - timedelta(days=max(settings.past_client_days, 0))
    in_zone = (
        select(ZoneClient.client_id)
        .join(Zone, Zone.id == ZoneClient.zone_id)
        .join(ZoneSet, ZoneSet.id == ZoneClient.zone_set_id)
        .where(Zone.worker_id == worker.id, ZoneSet.status == ZoneSetStatus.ACTIVE)
    )
    routed = (
        select(PlanStop.client_id)
        .join(Plan, Plan.id == PlanStop.plan_id)
        .where(
            PlanStop.worker_id == worker.id,
            Plan.status == PlanStatus.APPROVED,
            Plan.day >= since,
        )
    )
    ids = usual_clients(session, worker)
    for query in (in_zone, routed):
        ids.update(session.scalars(query))
    return ids
