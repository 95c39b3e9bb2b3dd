"""Registry services for clients: search, create, edit, delete, status changes with history, and
the to-enrol list, so nobody waiting or coming back after a refusal is lost.

A field worker reaches only their own clients (`tracking.caseload.worker_client_ids`) and sees only
what they need to serve them (`ClientForWorker`); everyone else reaches the clients of the
offices they may see."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any, Literal

from sqlalchemy import Select, any_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import audit
from core.models import Role, User
from registry import access
from registry.geocode import Geocoder
from registry.models import (
    CarePlan,
    Client,
    ClientStatus,
    ClientStatusChange,
    LocationStatus,
    Worker,
)
from registry.offices import (
    NotFound,
    RegistryError,
    lonlat_of,
    office_to_edit,
    office_to_read,
    page,
    point_from,
)
from registry.schemas.clients import (
    ClientForWorker,
    ClientIn,
    ClientOut,
    ClientUpdate,
    StatusChangeIn,
    StatusChangeOut,
    ToEnrolItem,
)
from registry.schemas.fields import LonLat, Page

# Statuses a client comes back from when their period ends (the until-date).
_RETURNING = (ClientStatus.REFUSED, ClientStatus.SUSPENDED, ClientStatus.DISCHARGED)
# Statuses that need a decision when they have no until-date (a discharge is itself one).
_OPEN_ENDED = (ClientStatus.REFUSED, ClientStatus.SUSPENDED)


def client_out(client: Client) -> ClientOut:
    return ClientOut(
        id=client.id,
        office_id=client.office_id,
        full_name=client.full_name,
        birth_date=client.birth_date,
        phone=client.phone,
        address=client.address,
        location=lonlat_of(client.location),
        location_status=client.location_status,
        categories=list(client.categories or []),
        status=client.status,
        window_start=client.window_start,
        window_end=client.window_end,
        required_skills=list(client.required_skills or []),
        preferred_worker_id=client.preferred_worker_id,
        workers_needed=client.workers_needed,
        confirmation_code=client.confirmation_code,
        notes=client.notes,
        door_code=client.door_code or "",
        archived_at=client.archived_at,
        queue_reviewed_at=client.queue_reviewed_at,
        created_at=client.created_at,
        updated_at=client.updated_at,
    )


def client_for_worker(client: Client) -> ClientForWorker:
    return ClientForWorker.model_validate(
        client_out(client).model_dump(include=set(ClientForWorker.model_fields))
    )


def client_view(client: Client, *, user: User) -> ClientOut | ClientForWorker:
    """The whole record for staff, the working subset for a field worker."""
    return client_for_worker(client) if user.role == Role.WORKER else client_out(client)


def list_clients(
    session: Session,
    *,
    user: User,
    office_id: int,
    q: str | None = None,
    status: ClientStatus | None = None,
    category: str | None = None,
    needs_location: bool | None = None,
    archived: bool | None = False,
    only_ids: set[int] | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[Any]:
    """An office's clients the user may see, by name; `q` searches name and address. Archived
    clients are left out unless asked for (`archived=True`: only them, None: everyone);
    `only_ids` narrows to a set the caller chose (a zone's or a worker's clients)."""
    office_to_read(session, user=user, office_id=office_id)
    query = (
        access.visible_clients(session, user)
        .where(Client.office_id == office_id)
        .order_by(Client.full_name, Client.id)
    )
    if q:
        pattern = f"%{q.strip()}%"
        query = query.where(or_(Client.full_name.ilike(pattern), Client.address.ilike(pattern)))
    if status is not None:
        query = query.where(Client.status == status)
    if category:
        query = query.where(any_(Client.categories) == category)
    if needs_location is not None:
        wanted = Client.location_status == LocationStatus.NEEDS_LOCATION
        query = query.where(wanted if needs_location else ~wanted)
    if archived is not None:
        query = query.where(
            Client.archived_at.is_not(None) if archived else Client.archived_at.is_(None)
        )
    if only_ids is not None:
        query = query.where(Client.id.in_(only_ids or {-1}))
    return page(
        session, query, limit=limit, offset=offset, convert=lambda c: client_view(c, user=user)
    )


def client_to_read(session: Session, *, user: User, client_id: int) -> Client:
    """The client if the user may see them (a worker: only their own), else NotFound."""
    client = session.scalars(
        access.visible_clients(session, user).where(Client.id == client_id)
    ).one_or_none()
    if client is None:
        raise NotFound("client")
    return client


def client_to_edit(session: Session, *, user: User | None, client_id: int) -> Client:
    client = session.get(Client, client_id)
    if client is None or (user and not access.can_edit_office(session, user, client.office_id)):
        raise NotFound("client")
    return client


def _check_preferred_worker(session: Session, *, office_id: int, worker_id: int | None) -> None:
    if worker_id is None:
        return
    worker = session.get(Worker, worker_id)
    if worker is None or worker.office_id != office_id:
        raise RegistryError(
            "no worker with this id in the client's office", field="preferred_worker_id"
        )


def snapshot(client: Client) -> dict[str, Any]:
    """The client's fields as the audit log compares them."""
    return client_out(client).model_dump(
        mode="json", exclude={"id", "created_at", "updated_at", "confirmation_code"}
    )


def create_client(
    session: Session,
    *,
    user: User | None,
    office_id: int,
    data: ClientIn,
    geocoder: Geocoder | None = None,
) -> Client:
    """Adds a client; without coordinates the address is geocoded, or the client waits with
    location status needs_location for the supervisor to place them on the map."""
    office_to_edit(session, user=user, office_id=office_id)
    _check_preferred_worker(session, office_id=office_id, worker_id=data.preferred_worker_id)
    location, location_status = data.location, LocationStatus.OK
    if location is None and geocoder is not None:
        found = geocoder.geocode(data.address)
        location = LonLat(lon=found[0], lat=found[1]) if found else None
        location_status = LocationStatus.GEOCODED
    if location is None:
        location_status = LocationStatus.NEEDS_LOCATION
    client = Client(
        office_id=office_id,
        location=point_from(location),
        location_status=location_status,
        confirmation_code=f"{secrets.randbelow(10**6):06d}",
        **data.model_dump(exclude={"location"}),
    )
    session.add(client)
    session.flush()
    session.add(
        ClientStatusChange(
            client_id=client.id,
            status=client.status,
            since=date.today(),
            reason="registered",
            changed_by=user.id if user else None,
        )
    )
    _record(
        session, user=user, client=client, action="create", changes=audit.diff({}, snapshot(client))
    )
    return client


def update_client(session: Session, *, user: User, client_id: int, data: ClientUpdate) -> Client:
    """Changes the fields sent; the status changes only through `change_status`."""
    client = client_to_edit(session, user=user, client_id=client_id)
    sent = data.model_dump(exclude_unset=True)
    for key in (
        "full_name",
        "address",
        "phone",
        "categories",
        "required_skills",
        "workers_needed",
        "notes",
        "door_code",
    ):
        if key in sent and sent[key] is None:
            raise RegistryError(f"{key} cannot be empty", field=key)
    if "preferred_worker_id" in sent:
        _check_preferred_worker(
            session, office_id=client.office_id, worker_id=data.preferred_worker_id
        )
    start = sent.get("window_start", client.window_start)
    end = sent.get("window_end", client.window_end)
    if start is not None and end is not None and start >= end:
        raise RegistryError("window_start must be before window_end", field="window_start")
    before = snapshot(client)
    for key, value in sent.items():
        if key == "location":
            client.location = point_from(data.location)
            client.location_status = (
                LocationStatus.NEEDS_LOCATION if data.location is None else LocationStatus.MANUAL
            )
        else:
            setattr(client, key, value)
    session.flush()
    _record(
        session,
        user=user,
        client=client,
        action="update",
        changes=audit.diff(before, snapshot(client)),
    )
    return client


def history_of(session: Session, *, client: Client) -> list[str]:
    """What the office has on record about a client besides their registration: a queue place,
    status changes, care programmes. Visits and plans are checked by the database itself."""
    found = []
    if client.status != ClientStatus.ENROLLED:
        found.append(f"status {client.status.value}")
    changes = session.scalar(select(func.count()).where(ClientStatusChange.client_id == client.id))
    if (changes or 0) > 1:
        found.append("status changes")
    if session.scalar(select(func.count()).where(CarePlan.client_id == client.id)):
        found.append("care programmes")
    return found


def _has_history(what: str) -> RegistryError:
    return RegistryError(
        f"the client has a history ({what}): archive them instead, nothing is deleted",
        status=409,
        field="status",
        code="clients.has_history",
        params={"what": what},
    )


def delete_client(session: Session, *, user: User, client_id: int) -> None:
    """Deletes a client entered by mistake (enrolled, nothing on record but the registration).
    One with any history (a queue place, status changes, programmes, visits, plans) is refused
    with 409: such a client is archived (`registry.queue.archive_client`), never deleted."""
    client = client_to_edit(session, user=user, client_id=client_id)
    history = history_of(session, client=client)
    if history:
        raise _has_history(", ".join(history))
    before, office_id = snapshot(client), client.office_id
    try:
        with session.begin_nested():
            session.delete(client)  # the registration goes with it (ON DELETE CASCADE)
    except IntegrityError:
        raise _has_history("visits or plans") from None
    audit.record(
        session,
        user=user,
        action="delete",
        entity="client",
        entity_id=client_id,
        changes=audit.diff(before, {}),
        office_id=office_id,
    )


def change_status(
    session: Session, *, user: User, client_id: int, data: StatusChangeIn
) -> ClientStatusChange:
    """Moves a client to a new status, keeping the change (with reason and until-date) in the
    client's history."""
    client = client_to_edit(session, user=user, client_id=client_id)
    before = client.status
    client.status = data.status
    client.archived_at = None  # a decision about an archived client brings them back
    change = ClientStatusChange(
        client_id=client.id,
        status=data.status,
        since=data.since,
        until=data.until,
        reason=data.reason,
        changed_by=user.id,
    )
    session.add(change)
    session.flush()
    changes = audit.diff({"status": before}, {"status": data.status})
    changes["reason"] = data.reason
    changes["since"] = data.since.isoformat()
    changes["until"] = data.until.isoformat() if data.until else None
    _record(session, user=user, client=client, action="status", changes=changes)
    return change


def status_history(
    session: Session, *, user: User, client_id: int, limit: int, offset: int
) -> Page[StatusChangeOut]:
    """Every status the client has had, oldest first."""
    client = client_to_read(session, user=user, client_id=client_id)
    query = (
        select(ClientStatusChange)
        .where(ClientStatusChange.client_id == client.id)
        .order_by(ClientStatusChange.changed_at, ClientStatusChange.id)
    )
    return page(session, query, limit=limit, offset=offset, convert=_status_change_out)


def _status_change_out(change: ClientStatusChange) -> StatusChangeOut:
    return StatusChangeOut.model_validate(change, from_attributes=True)


def latest_status_change() -> Select[ClientStatusChange]:
    """The latest status change of the `Client` rows of the enclosing query (correlated)."""
    return (
        select(ClientStatusChange)
        .where(ClientStatusChange.client_id == Client.id)
        .order_by(ClientStatusChange.id.desc())
        .limit(1)
        .correlate(Client)
    )


def to_enrol(
    session: Session, *, user: User, office_id: int, today: date, limit: int, offset: int
) -> Page[ToEnrolItem]:
    """Clients to enrol: queued ones (longest waiting first), refused, suspended or discharged
    ones whose until-date has come, and refused or suspended ones with no until-date at all
    (nobody decided when they come back: they stay until someone does). Archived ones are out."""
    office_to_read(session, user=user, office_id=office_id)
    latest = latest_status_change()
    since = latest.with_only_columns(ClientStatusChange.since).scalar_subquery()
    until = latest.with_only_columns(ClientStatusChange.until).scalar_subquery()
    query = (
        access.visible_clients(session, user)
        .add_columns(since.label("since"), until.label("until"))
        .where(Client.office_id == office_id, Client.archived_at.is_(None))
        .where(
            or_(
                Client.status == ClientStatus.QUEUED,
                Client.status.in_(_RETURNING) & (until <= today),
                Client.status.in_(_OPEN_ENDED) & until.is_(None),
            )
        )
        .order_by(since.asc().nulls_first(), Client.id)
    )
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.execute(query.limit(limit).offset(offset)).all()
    items = [
        ToEnrolItem(
            client=client_out(client),
            why=_why(client.status, row_until),
            since=row_since,
            until=row_until,
        )
        for client, row_since, row_until in rows
    ]
    return Page[ToEnrolItem](items=items, total=total or 0, limit=limit, offset=offset)


def _why(
    status: ClientStatus, until: date | None
) -> Literal["queued", "period_ended", "no_end_date"]:
    if status == ClientStatus.QUEUED:
        return "queued"
    return "period_ended" if until is not None else "no_end_date"


def _record(
    session: Session, *, user: User | None, client: Client, action: str, changes: dict[str, Any]
) -> None:
    audit.record(
        session,
        user=user,
        action=action,
        entity="client",
        entity_id=client.id,
        changes=changes,
        office_id=client.office_id,
    )
