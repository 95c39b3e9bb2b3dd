"""Supervisors' routes for the field: issue a device token for a worker's phone, bind the
identifier a Traccar Client / OwnTracks app sends, and the client's card of one-time visit
codes. (The review of a visit is `api.routes.review`.)"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from core.deps import EditorUser, SessionDep
from core.models import User
from mobile_gateway.router import DeviceIn
from registry.access import can_edit_office
from registry.models import Client, Worker
from tracking import devices, evidence
from tracking.devices import device_json
from tracking.schemas import DeviceIssued, DeviceOut

router = APIRouter(tags=["tracking"])

MAX_CODE_DAYS = 62  # a code card covers at most two months


class BindIn(BaseModel):
    external_id: str | None = Field(None, min_length=4, max_length=80, pattern=r"^[^\x00]*$")


class VisitCode(BaseModel):
    day: date
    code: str


def _editable(session: SessionDep, user: User, office_id: int | None, what: str) -> None:
    if office_id is None or not can_edit_office(session, user, office_id):
        raise HTTPException(404, detail=f"{what} not found")


@router.post("/api/workers/{worker_id}/devices", status_code=201)
def issue_device(
    worker_id: int, data: DeviceIn, user: EditorUser, session: SessionDep
) -> DeviceIssued:
    """A device token for a worker's phone (shown this once), optionally bound to the
    identifier the phone's GPS app sends."""
    worker = session.get(Worker, worker_id)
    _editable(session, user, worker.office_id if worker else None, "worker")
    assert worker is not None
    device, token = devices.register_device(
        session,
        worker=worker,
        name=data.name,
        platform=data.platform,
        external_id=data.external_id,
        user=user,
    )
    session.refresh(device)
    return DeviceIssued(**device_json(device, token))


@router.patch("/api/devices/{device_id}")
def bind_device(device_id: int, data: BindIn, user: EditorUser, session: SessionDep) -> DeviceOut:
    """Bind the identifier a Traccar Client / OwnTracks app sends (409 if another device has
    it); the app still sends the device token with it."""
    device = devices.get_device(session, device_id=device_id)
    worker = session.get(Worker, device.worker_id) if device else None
    _editable(session, user, worker.office_id if worker else None, "device")
    assert device is not None
    assert worker is not None
    bound = devices.bind_identifier(
        session, device=device, external_id=data.external_id, user=user, office_id=worker.office_id
    )
    return DeviceOut(**device_json(bound))


@router.get("/api/clients/{client_id}/visit-codes")
def visit_codes(
    client_id: int,
    user: EditorUser,
    session: SessionDep,
    since: date | None = None,
    days: int = Query(14, ge=1, le=MAX_CODE_DAYS),
) -> list[VisitCode]:
    """The client's one-time codes of the coming days, for the card the office hands over."""
    client = session.get(Client, client_id)
    _editable(session, user, client.office_id if client else None, "client")
    assert client is not None
    first = since or datetime.now(UTC).date()
    return [
        VisitCode(
            day=day,
            code=evidence.visit_code(
                client_id=client.id, seed=client.confirmation_code or "", day=day
            ),
        )
        for day in (first + timedelta(days=n) for n in range(days))
    ]
