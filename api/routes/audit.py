"""The audit log over HTTP: who changed what and when, for staff of the offices concerned."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.params import Limit, Offset
from core.deps import SessionDep, StaffUser
from registry import offices as service
from registry.schemas.audit import AuditOut
from registry.schemas.fields import Id, Page, Text

router = APIRouter(prefix="/api", tags=["audit"])


@router.get(
    "/audit",
    summary="Who changed what and when (newest first), in the offices you may see",
    response_model=Page[AuditOut],
)
def list_audit(
    session: SessionDep,
    user: StaffUser,
    entity: Annotated[
        Text | None,
        Query(max_length=40, description="client, care_plan (id: the client's), worker, ..."),
    ] = None,
    entity_id: Annotated[Text | None, Query(max_length=40)] = None,
    office_id: Id | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[AuditOut]:
    return service.list_audit(
        session,
        user=user,
        entity=entity,
        entity_id=entity_id,
        office_id=office_id,
        limit=limit,
        offset=offset,
    )
