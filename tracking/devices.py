"""Workers' devices: register (the token is shown once), list, revoke, and recognise."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.models import TravelMode, User, Worker, WorkerShift
from core.security import hash_device_token, new_device_token
from tracking.models import Device
from tracking.pings import ShiftDay


class DeviceRefused(Exception):
    """The request's device is unknown (401) or revoked / not the worker's (403)."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True, slots=True)
class DeviceContext:
    """What ingest needs to know about the sending device, read once per request."""

    device_id: int
    worker_id: int
    office_id: int
    travel_mode: str
    shifts: dict[int, ShiftDay] = field(default_factory=dict)


def register_device(
    session: Session,
    *,
    worker: Worker,
    name: str,
    platform: str = "web",
    external_id: str | None = None,
) -> tuple[Device, str]:
    """A new device of the worker and its token (only the token's hash is stored)."""
    token = new_device_token()
    device = Device(
        worker_id=worker.id,
        name=name,
        platform=platform,
        external_id=external_id or None,
        token_hash=hash_device_token(token),
    )
    session.add(device)
    session.flush()
    return device, token


def list_devices(session: Session, *, worker_id: int) -> list[Device]:
    """A worker's devices, newest first, revoked ones included."""
    query = select(Device).where(Device.worker_id == worker_id).order_by(Device.id.desc())
    return list(session.scalars(query))


def get_device(session: Session, *, device_id: int) -> Device | None:
    return session.get(Device, device_id)


def revoke_device(session: Session, *, device: Device, user: User) -> Device:
    """Refuse the device from now on (its data stays)."""
    if device.revoked_at is None:
        device.revoked_at = datetime.now(UTC)
        device.revoked_by = user.id
        session.flush()
    return device


def _context(session: Session, device: Device | None) -> DeviceContext:
    if device is None:
        raise DeviceRefused("unknown device", status=401)
    if device.revoked_at is not None:
        raise DeviceRefused("device revoked", status=403)
    worker = session.get(Worker, device.worker_id)
    if worker is None or not worker.active:
        raise DeviceRefused("the device's worker is not active", status=403)
    shifts = session.scalars(select(WorkerShift).where(WorkerShift.worker_id == worker.id))
    mode = worker.travel_mode.value if isinstance(worker.travel_mode, TravelMode) else "walk"
    return DeviceContext(
        device_id=device.id,
        worker_id=worker.id,
        office_id=worker.office_id,
        travel_mode=mode,
        shifts={s.weekday: ShiftDay(s.start, s.end) for s in shifts},
    )


def by_token(session: Session, *, token: str) -> DeviceContext:
    """The device holding this token, or DeviceRefused."""
    query = select(Device).where(Device.token_hash == hash_device_token(token))
    return _context(session, session.scalars(query).one_or_none())


def by_identifier(session: Session, *, identifier: str) -> DeviceContext:
    """The device a GPS app names: its external id, or its token used as the id."""
    query = select(Device).where(
        or_(Device.external_id == identifier, Device.token_hash == hash_device_token(identifier))
    )
    return _context(session, session.scalars(query).first())


def of_worker(session: Session, *, worker: Worker, device_ref: str) -> DeviceContext:
    """The worker's own device named by id or external id (403 if it is someone else's)."""
    condition = Device.external_id == device_ref
    if device_ref.isdigit():
        condition = or_(condition, Device.id == int(device_ref))
    device = session.scalars(select(Device).where(condition)).first()
    if device is not None and device.worker_id != worker.id:
        raise DeviceRefused("this device belongs to another worker", status=403)
    return _context(session, device)
