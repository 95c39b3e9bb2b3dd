"""Clients' ratings of visits (1-5 and a short comment), from two places:

- the worker's phone at check-out: queued offline like the visit's events and sent in the same
  batch (`ratings: [{uuid, t, client_id, plan_stop_id?, rating, comment?}]`), stored once by
  the phone's UUID (a resend is a `duplicate`), each with its own verdict;
- the office: a supervisor records a rating the client gave by telephone
  (`record_from_office`), audited.

Both land in `client_feedback` (`tracking.feedback`), which the feedback report reads.
"""

from __future__ import annotations

import uuid as uuid_module
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from core import audit
from core.errors import DomainError
from core.models import User
from core.settings import get_settings
from registry.models import Client
from tracking.caseload import worker_client_ids
from tracking.devices import DeviceContext
from tracking.events import MAX_ID, plan_stop_of
from tracking.feedback import ClientFeedback
from tracking.models import Visit
from tracking.pings import Verdict
from tracking.protocols import DecodeError, parse_time

MAX_COMMENT = 500


def _rating(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    text_ = str(value).strip()
    if not (text_.isascii() and text_.isdigit()):
        return None
    number = int(text_)
    return number if 1 <= number <= 5 else None


def _id(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    text_ = str(value)
    if not (text_.isascii() and text_.isdigit()) or not 1 <= int(text_) <= MAX_ID:
        return None
    return int(text_)


def _store(
    session: Session, *, device: DeviceContext, item: Any, own: set[int], tz: ZoneInfo
) -> Verdict:
    if not isinstance(item, dict):
        return Verdict("rejected", "not_an_object")
    try:
        uid = uuid_module.UUID(str(item.get("uuid")))
    except ValueError:
        return Verdict("rejected", "bad_uuid")
    comment = item.get("comment") or ""
    if not isinstance(comment, str) or "\x00" in comment:
        return Verdict("rejected", "bad_fields", str(uid))
    rating = _rating(item.get("rating"))
    if rating is None:
        return Verdict("rejected", "bad_rating", str(uid))
    client_id = _id(item.get("client_id"))
    stop_id = _id(item.get("plan_stop_id")) if item.get("plan_stop_id") is not None else None
    if client_id is None:
        return Verdict("rejected", "bad_id", str(uid))
    try:
        t = parse_time(item.get("t")) or datetime.now(UTC)
    except (DecodeError, ValueError, TypeError):
        return Verdict("rejected", "bad_fields", str(uid))
    client = session.get(Client, client_id)
    if client is None or client_id not in own:
        return Verdict("rejected", "not_your_client", str(uid))
    day = t.astimezone(tz).date()
    visit = session.scalars(
        select(Visit).where(
            Visit.worker_id == device.worker_id, Visit.client_id == client_id, Visit.day == day
        )
    ).one_or_none()
    stop = plan_stop_of(
        session,
        office_id=client.office_id,
        worker_id=device.worker_id,
        client_id=client_id,
        day=day,
        given=stop_id,
    )
    if visit is None and stop is None:
        return Verdict("rejected", "no_visit", str(uid))
    inserted = session.execute(
        insert(ClientFeedback)
        .values(
            office_id=client.office_id,
            visit_id=visit.id if visit else None,
            plan_stop_id=stop.id if stop else None,
            client_id=client_id,
            worker_id=device.worker_id,
            service_code=None,
            rating=rating,
            comment=comment.strip()[:MAX_COMMENT],
            at=t,
            uuid=uid,
            source="phone",
        )
        .on_conflict_do_nothing(index_elements=["uuid"])
        .returning(ClientFeedback.id)
    ).first()
    return Verdict("accepted" if inserted else "duplicate", None, str(uid))


def ingest_ratings(session: Session, *, device: DeviceContext, items: list[Any]) -> list[Verdict]:
    """Store a phone's ratings (after the batch's visit events); a verdict per item."""
    if not items:
        return []
    from registry.models import Worker

    worker = session.get(Worker, device.worker_id)
    assert worker is not None
    own = worker_client_ids(session, worker)
    tz = ZoneInfo(get_settings().timezone)
    verdicts = []
    for item in items:
        try:
            with session.begin_nested():
                verdict = _store(session, device=device, item=item, own=own, tz=tz)
        except (DataError, IntegrityError):
            verdict = Verdict("rejected", "unstorable")
        verdicts.append(verdict)
    return verdicts


def link_to_visits(session: Session, *, visits: list[Visit]) -> None:
    """Ratings stored before their visit fact existed (by plan stop) get the visit."""
    for visit in visits:
        if visit.plan_stop_id is None:
            continue
        for row in session.scalars(
            select(ClientFeedback).where(
                ClientFeedback.plan_stop_id == visit.plan_stop_id,
                ClientFeedback.visit_id.is_(None),
            )
        ):
            row.visit_id = visit.id


def record_from_office(
    session: Session, *, visit: Visit, user: User, rating: int, comment: str
) -> ClientFeedback:
    """A rating the client gave the office by telephone, for one visit; audited."""
    if not 1 <= rating <= 5:
        raise DomainError("rating must be between 1 and 5", status=422, field="rating",
                          code="rating.out_of_range")  # fmt: skip
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise DomainError("the comment is too long", status=422, field="comment",
                          code="rating.comment_too_long")  # fmt: skip
    row = ClientFeedback(
        office_id=visit.office_id,
        visit_id=visit.id,
        plan_stop_id=visit.plan_stop_id,
        client_id=visit.client_id,
        worker_id=visit.worker_id,
        service_code=None,
        rating=rating,
        comment=comment,
        at=datetime.now(UTC),
        source="office",
        recorded_by=user.id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        user=user,
        action="rating.record",
        entity="client_feedback",
        entity_id=row.id,
        changes={"visit_id": visit.id, "rating": rating, "comment": comment},
        office_id=visit.office_id,
    )
    return row
