"""Registry services for an office's service catalogue and clients' care plans.

A client's care plan (their individual programme) has versions: a draft, approved by the head
of department (`registry.programmes`), later closed. Saving edits the client's draft as a whole,
or starts a new draft from an approved programme, which stays in force until the draft is
approved: an unapproved change is never planned. Every line names a service of the client's
office by code or id; an unknown one is answered with the line's field (`lines.2.service_code`)
and nothing is stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.models import Role, User
from registry.clients import client_to_edit, client_to_read
from registry.models import CarePlan, CarePlanLine, CarePlanStatus, Service
from registry.offices import (
    NotFound,
    RegistryError,
    office_object,
    office_to_edit,
    office_to_read,
    page,
)
from registry.recurrence import Recurrence, label_en, label_ru, parse_recurrence
from registry.schemas.care_plans import (
    CarePlanIn,
    CarePlanLineOut,
    CarePlanOut,
    ServiceIn,
    ServiceOut,
    ServiceUpdate,
)
from registry.schemas.fields import Page


def service_out(service: Service) -> ServiceOut:
    return ServiceOut.model_validate(service, from_attributes=True)


def list_services(
    session: Session,
    *,
    user: User,
    office_id: int,
    q: str | None,
    active: bool | None,
    limit: int,
    offset: int,
) -> Page[ServiceOut]:
    """An office's catalogue by code; `q` searches code and name."""
    office_to_read(session, user=user, office_id=office_id)
    query = select(Service).where(Service.office_id == office_id).order_by(Service.code)
    if q:
        pattern = f"%{q.strip()}%"
        query = query.where(Service.code.ilike(pattern) | Service.name.ilike(pattern))
    if active is not None:
        query = query.where(Service.active == active)
    return page(session, query, limit=limit, offset=offset, convert=service_out)


def service_to_read(session: Session, *, user: User, service_id: int) -> Service:
    return office_object(session, Service, service_id, user=user, edit=False, what="service")


def _service_to_edit(session: Session, *, user: User, service_id: int) -> Service:
    return office_object(session, Service, service_id, user=user, edit=True, what="service")


def _check_code_free(
    session: Session, *, office_id: int, code: str, service_id: int | None
) -> None:
    taken = session.scalar(
        select(Service.id).where(Service.office_id == office_id, Service.code == code)
    )
    if taken is not None and taken != service_id:
        raise RegistryError(
            "this code is already in the office's catalogue", status=409, field="code"
        )


def _snapshot(service: Service) -> dict[str, Any]:
    return service_out(service).model_dump(mode="json", exclude={"id"})


def create_service(session: Session, *, user: User, office_id: int, data: ServiceIn) -> Service:
    """Adds a service to an office's catalogue; the code is unique within the office."""
    office_to_edit(session, user=user, office_id=office_id)
    _check_code_free(session, office_id=office_id, code=data.code, service_id=None)
    service = Service(office_id=office_id, **data.model_dump())
    session.add(service)
    session.flush()
    _record(session, user=user, service=service, action="create", before={})
    return service


def update_service(
    session: Session, *, user: User, service_id: int, data: ServiceUpdate
) -> Service:
    """Changes the fields sent (a new standard time applies to visits planned from now on)."""
    service = _service_to_edit(session, user=user, service_id=service_id)
    sent = data.model_dump(exclude_unset=True)
    for key in ("code", "name", "standard_minutes", "level", "active", "category"):
        if key in sent and sent[key] is None:
            raise RegistryError(f"{key} cannot be empty", field=key)
    if "code" in sent:
        _check_code_free(
            session, office_id=service.office_id, code=sent["code"], service_id=service.id
        )
    before = _snapshot(service)
    for key, value in sent.items():
        setattr(service, key, value)
    session.flush()
    _record(session, user=user, service=service, action="update", before=before)
    return service


def deactivate_service(session: Session, *, user: User, service_id: int) -> Service:
    """Takes a service out of use; care plans that hold it keep their history."""
    service = _service_to_edit(session, user=user, service_id=service_id)
    before = _snapshot(service)
    service.active = False
    session.flush()
    _record(session, user=user, service=service, action="delete", before=before)
    return service


def _record(
    session: Session, *, user: User | None, service: Service, action: str, before: dict[str, Any]
) -> None:
    audit.record(
        session,
        user=user,
        action=action,
        entity="service",
        entity_id=service.id,
        changes=audit.diff(before, _snapshot(service)),
        office_id=service.office_id,
    )


# --- care plans ------------------------------------------------------------------------------


def care_plan_out(plan: CarePlan, *, approved_by_name: str | None = None) -> CarePlanOut:
    return CarePlanOut(
        id=plan.id,
        client_id=plan.client_id,
        number=plan.number,
        valid_from=plan.valid_from,
        valid_to=plan.valid_to,
        status=plan.status.value,
        version=plan.version,
        replaces_id=plan.replaces_id,
        approved_at=plan.approved_at,
        approved_by=plan.approved_by,
        approved_by_name=approved_by_name,
        closed_at=plan.closed_at,
        lines=[
            CarePlanLineOut(
                id=line.id,
                service_id=line.service_id,
                service_code=line.service.code,
                service_name=line.service.name,
                standard_minutes=line.service.standard_minutes,
                recurrence=line.recurrence,
                recurrence_ru=_words(line.recurrence, label_ru),
                recurrence_en=_words(line.recurrence, label_en),
                valid_from=line.valid_from,
                valid_to=line.valid_to,
            )
            for line in plan.lines
        ],
    )


def _words(rule: str, label: Callable[[Recurrence], str]) -> str:
    try:
        return label(parse_recurrence(rule))
    except ValueError:
        return rule  # a rule stored before a stricter parser: shown as it is


def _current_plan(session: Session, *, client_id: int) -> CarePlan | None:
    """The client's newest version: the draft being prepared, else the one in force."""
    return (
        session.scalars(
            select(CarePlan)
            .where(CarePlan.client_id == client_id, CarePlan.status != CarePlanStatus.CLOSED)
            .order_by(CarePlan.id.desc())
        ).first()
        or session.scalars(
            select(CarePlan).where(CarePlan.client_id == client_id).order_by(CarePlan.id.desc())
        ).first()
    )


def get_care_plan(session: Session, *, user: User, client_id: int) -> CarePlan:
    """The client's care plan, newest version: a draft when one is being prepared (a field
    worker: only for their own clients)."""
    client = client_to_read(session, user=user, client_id=client_id)
    plan = _current_plan(session, client_id=client.id)
    if user.role == Role.WORKER and plan is not None and plan.status == CarePlanStatus.DRAFT:
        plan = session.scalars(  # a field worker serves what is in force, not a draft
            select(CarePlan)
            .where(CarePlan.client_id == client.id, CarePlan.status == CarePlanStatus.APPROVED)
            .order_by(CarePlan.id.desc())
        ).first()
    if plan is None:
        raise NotFound("care plan")
    return plan


def resolve_lines(session: Session, *, office_id: int, data: CarePlanIn) -> list[CarePlanLine]:
    """The plan's lines with their services looked up in the office's catalogue; the first
    unknown service raises RegistryError naming `lines.N.service_code` (or `service_id`)."""
    catalogue = {
        s.code: s for s in session.scalars(select(Service).where(Service.office_id == office_id))
    }
    by_id = {s.id: s for s in catalogue.values()}
    lines = []
    for n, line in enumerate(data.lines):
        if line.service_id is not None:
            service, field = by_id.get(line.service_id), f"lines.{n}.service_id"
        else:
            service, field = catalogue.get(line.service_code or ""), f"lines.{n}.service_code"
        if service is None:
            raise RegistryError("no such service in the office's catalogue", field=field)
        if not service.active:
            raise RegistryError("this service is no longer in use", field=field)
        lines.append(
            CarePlanLine(
                service=service,
                service_id=service.id,
                recurrence=line.recurrence,
                valid_from=line.valid_from or data.valid_from,
                valid_to=line.valid_to if line.valid_to is not None else data.valid_to,
            )
        )
    return lines


def _plan_snapshot(plan: CarePlan | None) -> dict[str, Any]:
    if plan is None:
        return {}
    out = care_plan_out(plan).model_dump(mode="json")
    out["lines"] = [
        f"{ln['service_code']} {ln['recurrence']} {ln['valid_from']}..{ln['valid_to'] or ''}"
        for ln in out["lines"]
    ]
    return {key: out[key] for key in ("number", "valid_from", "valid_to", "lines", "version")}


def _draft_to_edit(session: Session, *, client_id: int) -> tuple[CarePlan | None, CarePlan | None]:
    """The client's draft (None: none yet) and the version a new draft would start from."""
    versions = session.scalars(
        select(CarePlan).where(CarePlan.client_id == client_id).order_by(CarePlan.id.desc())
    ).all()
    draft = next((p for p in versions if p.status == CarePlanStatus.DRAFT), None)
    base = next((p for p in versions if p.status == CarePlanStatus.APPROVED), None)
    return draft, base or (versions[0] if versions else None)


def save_care_plan(
    session: Session, *, user: User | None, client_id: int, data: CarePlanIn
) -> CarePlan:
    """Saves the client's programme as a draft, fields and all lines as a whole: the draft being
    prepared is replaced; without one, a new draft version starts (the approved one stays in
    force until the draft is approved). A draft is never planned.

    The audit entry's entity is `care_plan` with the client's id, the one a user asks for."""
    client = client_to_edit(session, user=user, client_id=client_id)
    lines = resolve_lines(session, office_id=client.office_id, data=data)  # may refuse: no change
    plan, base = _draft_to_edit(session, client_id=client.id)
    before = _plan_snapshot(plan)
    if plan is None:
        plan = CarePlan(
            client_id=client.id,
            valid_from=data.valid_from,
            status=CarePlanStatus.DRAFT,
            version=(base.version + 1) if base else 1,
            replaces_id=base.id if base and base.status == CarePlanStatus.APPROVED else None,
        )
        session.add(plan)
    plan.number, plan.valid_from, plan.valid_to = data.number, data.valid_from, data.valid_to
    plan.lines = lines
    session.flush()
    audit.record(
        session,
        user=user,
        action="update" if before else "create",
        entity="care_plan",
        entity_id=client.id,
        changes=audit.diff(before, _plan_snapshot(plan)),
        office_id=client.office_id,
    )
    return plan
