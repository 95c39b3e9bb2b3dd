"""Who may see which office, worker and client. Every endpoint goes through these."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from core.models import Client, Office, Role, User, Worker


def office_ids(session: Session, user: User) -> set[int] | None:
    """Offices the user may see; None means every office (admin)."""
    if user.role == Role.ADMIN:
        return None
    if user.role == Role.MANAGER:
        rows = session.scalars(select(Office.id).where(Office.region_id == user.region_id))
        return set(rows)
    if user.role == Role.SUPERVISOR:
        return {office.id for office in user.offices}
    worker = session.scalars(select(Worker).where(Worker.user_id == user.id)).one_or_none()
    return {worker.office_id} if worker else set()


def can_see_office(session: Session, user: User, office_id: int) -> bool:
    allowed = office_ids(session, user)
    return allowed is None or office_id in allowed


def can_edit_office(session: Session, user: User, office_id: int) -> bool:
    """Admins edit everything; supervisors their own offices; managers and workers read only."""
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.SUPERVISOR and office_id in {o.id for o in user.offices}


def worker_client_ids(session: Session, worker: Worker) -> set[int]:
    """A field worker's own clients: those in the worker's active zone, whose usual worker the
    worker is, on the worker's approved routes of today and the days ahead, and on approved
    routes of the last `past_client_days` days (so a visit can still be finished). Drafts and
    older routes give no reach."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from core.settings import get_settings
    from planner.models import Plan, PlanStatus, PlanStop
    from zones.models import Zone, ZoneClient, ZoneSet, ZoneSetStatus

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
    usual = select(Client.id).where(Client.preferred_worker_id == worker.id)
    ids: set[int] = set()
    for query in (in_zone, routed, usual):
        ids.update(session.scalars(query))
    return ids


def visible_clients(session: Session, user: User) -> Select[tuple[Client]]:
    """A query of the clients this user may see."""
    query = select(Client)
    if user.role == Role.WORKER:
        worker = session.scalars(select(Worker).where(Worker.user_id == user.id)).one_or_none()
        ids = worker_client_ids(session, worker) if worker else set()
        return query.where(Client.id.in_(ids or {-1}))
    allowed = office_ids(session, user)
    if allowed is not None:
        query = query.where(Client.office_id.in_(allowed or {-1}))
    return query
