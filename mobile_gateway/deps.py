"""How a phone proves which device it is: a device token, or a worker's login + device id."""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from core.deps import CurrentUser, SessionDep, user_from_token
from core.models import Role
from registry.models import Worker
from tracking import devices
from tracking.devices import DeviceContext, DeviceRefused


def refused(exc: DeviceRefused) -> HTTPException:
    headers = {"WWW-Authenticate": "Device"} if exc.status == 401 else None
    return HTTPException(exc.status, detail=exc.message, headers=headers)


def sync_device(request: Request, session: SessionDep) -> DeviceContext:
    """`Authorization: Device <token>`, or `Bearer <JWT>` of a worker with `X-Device-Id`."""
    scheme, _, credential = request.headers.get("authorization", "").partition(" ")
    try:
        if scheme.lower() == "device" and credential:
            return devices.by_token(session, token=credential.strip())
        if scheme.lower() == "bearer" and credential:
            user = user_from_token(session, credential.strip())
            worker = session.query(Worker).filter(Worker.user_id == user.id).one_or_none()
            if user.role != Role.WORKER or worker is None:
                raise HTTPException(403, detail="only for field workers")
            device_ref = request.headers.get("x-device-id", "").strip()
            if not device_ref:
                raise HTTPException(400, detail="X-Device-Id header is required with a login")
            return devices.of_worker(session, worker=worker, device_ref=device_ref)
    except DeviceRefused as exc:
        raise refused(exc) from exc
    raise HTTPException(401, detail="device token required", headers={"WWW-Authenticate": "Device"})


SyncDevice = Annotated[DeviceContext, Depends(sync_device)]


def owntracks_device(request: Request, session: SessionDep) -> DeviceContext:
    """OwnTracks: Basic auth (user = device id, password = device token), else the
    `X-Limit-D` device name used as the device identifier."""
    scheme, _, credential = request.headers.get("authorization", "").partition(" ")
    try:
        if scheme.lower() == "basic" and credential:
            try:
                _user, _, password = base64.b64decode(credential).decode().partition(":")
            except (ValueError, UnicodeDecodeError) as exc:
                raise HTTPException(401, detail="malformed basic credentials") from exc
            return devices.by_token(session, token=password)
        identifier = request.headers.get("x-limit-d") or request.query_params.get("d")
        if identifier:
            return devices.by_identifier(session, identifier=identifier)
    except DeviceRefused as exc:
        raise refused(exc) from exc
    raise HTTPException(
        401, detail="device credentials required", headers={"WWW-Authenticate": "Basic"}
    )


def get_current_worker(user: CurrentUser, session: SessionDep) -> Worker:
    """The worker record of a field worker's login (403 for other roles)."""
    if user.role != Role.WORKER:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="only for field workers")
    worker = session.query(Worker).filter(Worker.user_id == user.id).one_or_none()
    if worker is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="no worker record for this login")
    return worker


CurrentWorker = Annotated[Worker, Depends(get_current_worker)]
