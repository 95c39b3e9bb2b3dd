"""Who may see which office, worker and client. Every endpoint goes through these."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from core.models import Office, Role, User
from registry.models import Client, Worker


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


class Caseload(Protocol):
    """A field worker's own clients: the rule needs zones and plans, which sit above the
    registry, so the application hands it in (`use_caseload`)."""

    def __call__(self, session: Session, worker: Worker) -> set[int]: ...


def usual_clients(session: Session, worker: Worker) -> set[int]:
    """The registry's own part of the rule: clients whose usual worker the worker is."""
    return set(session.scalars(select(Client.id).where(Client.preferred_worker_id == worker.id)))


_caseload: Caseload = usual_clients


def use_caseload(rule: Caseload) -> None:
    """Set the rule for a worker's own clients (the application does it at start)."""
    global _caseload
    _caseload = rule


def visible_clients(session: Session, user: User) -> Select[Client]:
    """A query of the clients this user may see."""
    query = select(Client)
    if user.role == Role.WORKER:
        worker = session.scalars(select(Worker).where(Worker.user_id == user.id)).one_or_none()
        ids = _caseload(session, worker) if worker else set()
        return query.where(Client.id.in_(ids or {-1}))
    allowed = office_ids(session, user)
    if allowed is not None:
        query = query.where(Client.office_id.in_(allowed or {-1}))
    return query
