"""The queue, the offices' first rule being that nobody gets lost: every queued client and every
refused or suspended one (with or without an end date), and those whose period has ended, stay
on this list until someone decides, with when they were last looked at. Deciding is a status
change (`registry.clients.change_status`) or archiving: a client with a history is archived,
never deleted, and stays findable with their history."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from core import audit
from core.models import User
from registry import access
from registry.card_schemas import ArchiveIn, QueueItem
from registry.clients import client_out, client_to_edit, latest_status_change
from registry.models import Client, ClientStatus, ClientStatusChange
from registry.offices import RegistryError, office_to_read
from registry.schemas.fields import Page

_WAITING = (ClientStatus.QUEUED, ClientStatus.REFUSED, ClientStatus.SUSPENDED)


def queue(
    session: Session,
    *,
    user: User,
    office_id: int,
    today: date,
    status: ClientStatus | None = None,
    limit: int,
    offset: int,
) -> Page[QueueItem]:
    """The office's clients awaiting a decision: never looked at first, then the longest unseen."""
    office_to_read(session, user=user, office_id=office_id)
    latest = latest_status_change()
    since = latest.with_only_columns(ClientStatusChange.since).scalar_subquery()
    until = latest.with_only_columns(ClientStatusChange.until).scalar_subquery()
    reason = latest.with_only_columns(ClientStatusChange.reason).scalar_subquery()
    reviewer = aliased(User)
    query = (
        access.visible_clients(session, user)
        .add_columns(since.label("since"), until.label("until"), reason, reviewer.full_name)
        .outerjoin(reviewer, reviewer.id == Client.queue_reviewed_by)
        .where(Client.office_id == office_id, Client.archived_at.is_(None))
        .where(
            or_(
                Client.status.in_(_WAITING),
                and_(Client.status == ClientStatus.DISCHARGED, until <= today),
            )
        )
        .order_by(
            Client.queue_reviewed_at.asc().nulls_first(), since.asc().nulls_first(), Client.id
        )
    )
    if status is not None:
        query = query.where(Client.status == status)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.execute(query.limit(limit).offset(offset)).all()
    items = [
        QueueItem(
            client=client_out(client),
            status=client.status,
            why="period_ended" if client.status == ClientStatus.DISCHARGED else client.status.value,
            since=row_since,
            until=row_until,
            reason=row_reason or "",
            reviewed_at=client.queue_reviewed_at,
            reviewed_by_name=reviewer_name if client.queue_reviewed_at else None,
        )
        for client, row_since, row_until, row_reason, reviewer_name in rows
    ]
    return Page[QueueItem](items=items, total=total or 0, limit=limit, offset=offset)


def mark_reviewed(session: Session, *, user: User, client_id: int) -> Client:
    """Notes that the user looked at the client today (the queue's 'last looked at')."""
    client = client_to_edit(session, user=user, client_id=client_id)
    before = client.queue_reviewed_at
    client.queue_reviewed_at = datetime.now(UTC)
    client.queue_reviewed_by = user.id
    session.flush()
    audit.record(
        session,
        user=user,
        action="review",
        entity="client",
        entity_id=client.id,
        changes=audit.diff(
            {"queue_reviewed_at": before}, {"queue_reviewed_at": client.queue_reviewed_at}
        ),
        office_id=client.office_id,
    )
    return client


def archive_client(session: Session, *, user: User, client_id: int, data: ArchiveIn) -> Client:
    """Archives a client with their whole history: discharged (the reason in the status
    history), out of the lists and the queue; a later status change brings them back."""
    client = client_to_edit(session, user=user, client_id=client_id)
    if client.archived_at is not None:
        raise RegistryError(
            "the client is already archived", status=409, code="clients.already_archived"
        )
    before = client.status
    client.archived_at = datetime.now(UTC)
    if client.status != ClientStatus.DISCHARGED:
        client.status = ClientStatus.DISCHARGED
        session.add(
            ClientStatusChange(
                client_id=client.id,
                status=ClientStatus.DISCHARGED,
                since=date.today(),
                reason=data.reason,
                changed_by=user.id,
            )
        )
    session.flush()
    changes = audit.diff({"status": before}, {"status": client.status})
    changes["reason"] = data.reason
    audit.record(
        session,
        user=user,
        action="archive",
        entity="client",
        entity_id=client.id,
        changes=changes,
        office_id=client.office_id,
    )
    return client
