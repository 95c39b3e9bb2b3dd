"""The client's card, the queue and care programmes' approval over HTTP. Handlers only
translate HTTP; the rules live in `registry.queue`, `registry.programmes` and
`tracking.client_visits`.

Who may do what: the office's supervisor (head of department) and admins decide (mark looked
at, archive, approve, close); managers read; field workers reach none of these."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse

from api.params import Limit, Offset, Today
from core.deps import EditorUser, SessionDep, StaffUser
from registry import programmes, queue
from registry.card_schemas import ArchiveIn, CloseIn, QueueItem, RecurrenceWords
from registry.clients import client_out
from registry.models import ClientStatus
from registry.offices import RegistryError
from registry.schemas.care_plans import CarePlanOut
from registry.schemas.clients import ClientOut
from registry.schemas.fields import Id, Page, Text
from tracking.client_visits import ClientVisitOut, client_visits

router = APIRouter(prefix="/api", tags=["clients"])
pages = APIRouter(tags=["pages"])

WEB = Path(__file__).resolve().parents[1] / "web"


# --- the queue -------------------------------------------------------------------------------


@router.get(
    "/offices/{office_id}/clients/queue",
    summary="Clients awaiting a decision (queued, refused, suspended), least recently seen first",
    response_model=Page[QueueItem],
)
def client_queue(
    session: SessionDep,
    user: StaffUser,
    office_id: Id,
    today: Today,
    client_status: Annotated[ClientStatus | None, Query(alias="status")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[QueueItem]:
    return queue.queue(
        session,
        user=user,
        office_id=office_id,
        today=today,
        status=client_status,
        limit=limit,
        offset=offset,
    )


@router.post(
    "/clients/{client_id}/queue-review",
    summary="Note that the client was looked at today (the queue's last look)",
    response_model=ClientOut,
)
def queue_review(session: SessionDep, user: EditorUser, client_id: Id) -> ClientOut:
    return client_out(queue.mark_reviewed(session, user=user, client_id=client_id))


@router.post(
    "/clients/{client_id}/archive",
    summary="Archive a client with their history (never deleted); a status change restores",
    response_model=ClientOut,
)
def archive_client(
    session: SessionDep, user: EditorUser, client_id: Id, data: ArchiveIn
) -> ClientOut:
    return client_out(queue.archive_client(session, user=user, client_id=client_id, data=data))


# --- the card --------------------------------------------------------------------------------


@router.get(
    "/clients/{client_id}/visits",
    summary="A client's visits, newest first, with their flags and the client's ratings",
    response_model=Page[ClientVisitOut],
)
def visits_of_client(
    session: SessionDep, user: StaffUser, client_id: Id, limit: Limit = 20, offset: Offset = 0
) -> Page[ClientVisitOut]:
    return client_visits(session, user=user, client_id=client_id, limit=limit, offset=offset)


# --- programmes ------------------------------------------------------------------------------


@router.get(
    "/clients/{client_id}/care-plans",
    summary="Every version of a client's programme, newest first",
    response_model=list[CarePlanOut],
)
def programme_versions(session: SessionDep, user: StaffUser, client_id: Id) -> list[CarePlanOut]:
    found = programmes.versions(session, user=user, client_id=client_id)
    return [programmes.programme_out(session, plan) for plan in found]


@router.get(
    "/care-plans/{care_plan_id}", summary="One version of a programme", response_model=CarePlanOut
)
def get_programme(session: SessionDep, user: StaffUser, care_plan_id: Id) -> CarePlanOut:
    plan = programmes.plan_to_read(session, user=user, plan_id=care_plan_id)
    return programmes.programme_out(session, plan)


@router.post(
    "/care-plans/{care_plan_id}/approve",
    summary="Approve a draft programme (head of department); the version it replaces closes",
    response_model=CarePlanOut,
)
def approve_programme(session: SessionDep, user: EditorUser, care_plan_id: Id) -> CarePlanOut:
    plan = programmes.approve(session, user=user, plan_id=care_plan_id)
    return programmes.programme_out(session, plan)


@router.post(
    "/care-plans/{care_plan_id}/close",
    summary="Close an approved programme after its last day (default today)",
    response_model=CarePlanOut,
)
def close_programme(
    session: SessionDep, user: EditorUser, care_plan_id: Id, data: CloseIn
) -> CarePlanOut:
    plan = programmes.close(
        session, user=user, plan_id=care_plan_id, last_day=data.last_day or date.today()
    )
    return programmes.programme_out(session, plan)


@router.get(
    "/recurrence-words",
    summary="A recurrence rule in its stored form and in words (Russian and English)",
    response_model=RecurrenceWords,
)
def recurrence_words(
    user: StaffUser, rule: Annotated[Text, Query(min_length=1, max_length=60)]
) -> RecurrenceWords:
    try:
        return programmes.words(rule)
    except ValueError as exc:
        raise RegistryError(str(exc), field="rule", code="programmes.bad_rule") from None


# --- the programme page (editor and print) ---------------------------------------------------


@pages.get("/supervisor/programme", include_in_schema=False)
def programme_page() -> FileResponse:
    return FileResponse(
        WEB / "programme.html", media_type="text/html", headers={"Cache-Control": "no-cache"}
    )
