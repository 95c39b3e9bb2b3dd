"""Whose reports a user reads, up the hierarchy department -> centre -> region -> nation.

An administrator and the national role read every region (their top level is the nation), a
manager the offices of their region (top: the region), a head of department (supervisor) their
own offices (top: the office); field workers read none. Anything outside is not found (404).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import DomainError
from core.models import Office, Role, User


@dataclass(frozen=True, slots=True)
class Reach:
    top: str  # nation / region / office
    office_ids: tuple[int, ...]


def reach(session: Session, *, user: User) -> Reach:
    """The offices the user may read and the highest level of the hierarchy they see."""
    if user.role in (Role.ADMIN, Role.NATIONAL):
        return Reach("nation", tuple(session.scalars(select(Office.id).order_by(Office.id))))
    if user.role == Role.MANAGER:
        ids = session.scalars(
            select(Office.id).where(Office.region_id == user.region_id).order_by(Office.id)
        )
        return Reach("region", tuple(ids))
    if user.role == Role.SUPERVISOR:
        return Reach("office", tuple(sorted(o.id for o in user.offices)))
    raise DomainError("reports are for supervisors and managers", status=403)


def narrow(
    session: Session,
    *,
    reach_: Reach,
    region_id: int | None = None,
    centre: str | None = None,
    office_id: int | None = None,
) -> tuple[int, ...]:
    """The reachable offices within a region, a centre and/or one office; 404 if none of the
    asked unit is reachable."""
    if region_id is None and centre is None and office_id is None:
        return reach_.office_ids
    query = select(Office.id).where(Office.id.in_(reach_.office_ids or (-1,)))
    if region_id is not None:
        query = query.where(Office.region_id == region_id)
    if office_id is not None:
        query = query.where(Office.id == office_id)
    ids = tuple(sorted(session.scalars(query)))
    if centre is not None:
        rows = session.execute(
            select(Office.id, Office.centre, Office.name).where(Office.id.in_(ids or (-1,)))
        ).all()
        ids = tuple(sorted(i for i, c, n in rows if (c or n) == centre))
    if not ids:
        field = "office_id" if office_id is not None else "centre" if centre else "region_id"
        raise DomainError("not found", status=404, field=field)
    return ids
