"""How a phone proves which device it is: a device token, or a worker's login + device id.

Every way in counts against the rate limits (`tracking.ratelimit`): per address before the
credentials are looked at (refused credentials have a budget of their own: a guesser is
slowed to 429s after a few dozen tries), per device once it is known."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy.orm import Session

from core.deps import CurrentUser, SessionDep, cookie_token, user_from_token
from core.models import Role
from registry.models import Worker
from tracking import devices, ratelimit
from tracking.devices import DeviceContext, DeviceRefused
from tracking.ratelimit import RateLimited


def refused(exc: DeviceRefused) -> HTTPException:
    headers = {"WWW-Authenticate": "Device"} if exc.status == 401 else None
    return HTTPException(exc.status, detail=exc.message, headers=headers)


def limited(exc: RateLimited) -> HTTPException:
    return HTTPException(429, detail=str(exc), headers={"Retry-After": str(exc.retry_after)})


def address_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def app_device(
    request: Request, session: Session, *, identifier: str | None, token: str | None
) -> DeviceContext:
    """The device a GPS app names (token as identifier, or identifier + token), rate-limited."""
    address = address_of(request)
    try:
        ratelimit.check_address(address)
        try:
            device = devices.by_identifier(session, identifier=identifier, token=token)
        except DeviceRefused:
            ratelimit.failed(address)  # RateLimited beyond the address's budget
            raise
        ratelimit.check_device(device.device_id)
    except DeviceRefused as exc:
        raise refused(exc) from exc
    except RateLimited as exc:
        raise limited(exc) from exc
    return device


def sync_device(request: Request, session: SessionDep) -> DeviceContext:
    """`Authorization: Device <token>`, or `Bearer <JWT>` of a worker (or the phone page's
    login cookie) with `X-Device-Id`."""
    scheme, _, credential = request.headers.get("authorization", "").partition(" ")
    if not scheme and (cookie := cookie_token(request)):
        scheme, credential = "Bearer", cookie
    address = address_of(request)
    try:
        ratelimit.check_address(address)
        device = _sync_device(request, session, scheme.lower(), credential.strip())
        ratelimit.check_device(device.device_id)
    except DeviceRefused as exc:
        try:
            ratelimit.failed(address)
        except RateLimited as limit:
            raise limited(limit) from exc
        raise refused(exc) from exc
    except RateLimited as exc:
        raise limited(exc) from exc
    return device


def _sync_device(request: Request, session: Session, scheme: str, credential: str) -> DeviceContext:
    if scheme == "device" and credential:
        return devices.by_token(session, token=credential)
    if scheme == "bearer" and credential:
        device_ref = request.headers.get("x-device-id", "").strip()
        return login_device(session, token=credential, device_ref=device_ref)
    raise DeviceRefused("device token required", status=401)


def login_device(session: Session, *, token: str, device_ref: str) -> DeviceContext:
    """A field worker's own device, named by id, for a request made with the worker's login."""
    user = user_from_token(session, token)
    worker = session.query(Worker).filter(Worker.user_id == user.id).one_or_none()
    if user.role != Role.WORKER or worker is None:
        raise HTTPException(403, detail="only for field workers")
    if not device_ref:
        raise HTTPException(400, detail="X-Device-Id header is required with a login")
    return devices.of_worker(session, worker=worker, device_ref=device_ref)


SyncDevice = Annotated[DeviceContext, Depends(sync_device)]


def owntracks_device(request: Request, session: SessionDep) -> DeviceContext:
    """OwnTracks: Basic auth, user = the device's bound identifier (or any name when none is
    bound), password = the device token. Without a password the answer is 401, as for a
    wrong one: a device name (`X-Limit-D`) alone proves nothing."""
    scheme, _, credential = request.headers.get("authorization", "").partition(" ")
    user, password = "", ""
    if scheme.lower() == "basic" and credential:
        try:
            user, _, password = base64.b64decode(credential, validate=True).decode().partition(":")
        except (ValueError, binascii.Error, UnicodeDecodeError):
            user, password = "", ""
    if not password or "\x00" in password + user:
        try:
            ratelimit.failed(address_of(request))
        except RateLimited as exc:
            raise limited(exc) from exc
        raise HTTPException(
            401, detail="device credentials required", headers={"WWW-Authenticate": "Basic"}
        )
    return app_device(request, session, identifier=user or None, token=password)


def get_current_worker(user: CurrentUser, session: SessionDep) -> Worker:
    """The worker record of a field worker's login (403 for other roles)."""
    if user.role != Role.WORKER:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="only for field workers")
    worker = session.query(Worker).filter(Worker.user_id == user.id).one_or_none()
    if worker is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="no worker record for this login")
    return worker


CurrentWorker = Annotated[Worker, Depends(get_current_worker)]
