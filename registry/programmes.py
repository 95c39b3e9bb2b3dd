"""A care programme's approval: draft -> approved -> closed, by the head of department (the
supervisor of the client's office; an admin too), each step in the audit log.

Approving a draft puts it in force and closes the version it replaces (and any other approved
one of the client) on the day before the draft starts, so exactly one programme is in force on
any day and the days before stay as they were planned. Closing ends an approved programme on a
given day. What a programme makes due lives in `registry.programme`, which plans only approved
(and, up to their last day, closed) versions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.models import User
from registry.card_schemas import RecurrenceWords
from registry.care_plans import care_plan_out
from registry.clients import client_to_edit, client_to_read
from registry.models import CarePlan, CarePlanStatus, Client
from registry.offices import NotFound, RegistryError
from registry.recurrence import label_en, label_ru, parse_recurrence
from registry.schemas.care_plans import CarePlanOut


def programme_out(session: Session, plan: CarePlan) -> CarePlanOut:
    """The version with the name of whoever approved it."""
    approver = session.get(User, plan.approved_by) if plan.approved_by else None
    return care_plan_out(plan, approved_by_name=approver.full_name if approver else None)


def versions(session: Session, *, user: User, client_id: int) -> list[CarePlan]:
    """Every version of the client's programme, newest first."""
    client = client_to_read(session, user=user, client_id=client_id)
    return list(
        session.scalars(
            select(CarePlan).where(CarePlan.client_id == client.id).order_by(CarePlan.id.desc())
        )
    )


def plan_to_read(session: Session, *, user: User, plan_id: int) -> CarePlan:
    """The version if the user may see its client, else NotFound."""
    plan = session.get(CarePlan, plan_id)
    if plan is None:
        raise NotFound("care plan")
    client_to_read(session, user=user, client_id=plan.client_id)
    return plan


def _plan_to_edit(session: Session, *, user: User, plan_id: int) -> tuple[CarePlan, Client]:
    plan = session.get(CarePlan, plan_id)
    if plan is None:
        raise NotFound("care plan")
    return plan, client_to_edit(session, user=user, client_id=plan.client_id)


def _wrong_state(plan: CarePlan, wanted: str) -> RegistryError:
    return RegistryError(
        f"the programme is {plan.status.value}; only a {wanted} one can be",
        status=409,
        field="status",
        code="programmes.wrong_state",
        params={"status": plan.status.value, "wanted": wanted},
    )


def approve(session: Session, *, user: User, plan_id: int) -> CarePlan:
    """Puts a draft in force; the approved version(s) it replaces close the day before."""
    plan, client = _plan_to_edit(session, user=user, plan_id=plan_id)
    if plan.status != CarePlanStatus.DRAFT:
        raise _wrong_state(plan, "draft")
    if not plan.lines:
        raise RegistryError(
            "a programme without services cannot be approved",
            field="lines",
            code="programmes.empty",
        )
    now = datetime.now(UTC)
    closed = []
    for old in session.scalars(
        select(CarePlan).where(
            CarePlan.client_id == client.id,
            CarePlan.status == CarePlanStatus.APPROVED,
            CarePlan.id != plan.id,
        )
    ):
        _close(old, last_day=plan.valid_from - timedelta(days=1), now=now)
        closed.append(old.id)
    plan.status = CarePlanStatus.APPROVED
    plan.approved_at, plan.approved_by = now, user.id
    session.flush()
    _record(
        session,
        user=user,
        client=client,
        action="approve",
        changes={"plan_id": plan.id, "version": plan.version, "closed_plan_ids": closed},
    )
    return plan


def close(session: Session, *, user: User, plan_id: int, last_day: date) -> CarePlan:
    """Ends an approved programme after `last_day` (the days before keep it)."""
    plan, client = _plan_to_edit(session, user=user, plan_id=plan_id)
    if plan.status != CarePlanStatus.APPROVED:
        raise _wrong_state(plan, "approved")
    if last_day < plan.valid_from - timedelta(days=1):
        raise RegistryError(
            "the last day is before the programme starts",
            field="last_day",
            code="programmes.close_before_start",
            params={"valid_from": plan.valid_from.isoformat()},
        )
    before = plan.valid_to
    _close(plan, last_day=last_day, now=datetime.now(UTC))
    session.flush()
    _record(
        session,
        user=user,
        client=client,
        action="close",
        changes={
            "plan_id": plan.id,
            "version": plan.version,
            "valid_to": audit.diff({"v": before}, {"v": plan.valid_to}).get("v"),
        },
    )
    return plan


def _close(plan: CarePlan, *, last_day: date, now: datetime) -> None:
    plan.status = CarePlanStatus.CLOSED
    plan.closed_at = now
    if plan.valid_to is None or plan.valid_to > last_day:
        plan.valid_to = last_day


def words(rule: str) -> RecurrenceWords:
    """A recurrence rule in its stored form and in words; ValueError says what is wrong."""
    parsed = parse_recurrence(rule)
    return RecurrenceWords(rule=str(parsed), ru=label_ru(parsed), en=label_en(parsed))


def _record(
    session: Session, *, user: User, client: Client, action: str, changes: dict[str, object]
) -> None:
    audit.record(
        session,
        user=user,
        action=action,
        entity="care_plan",
        entity_id=client.id,
        changes=changes,
        office_id=client.office_id,
    )
