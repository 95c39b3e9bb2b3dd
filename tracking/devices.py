"""Workers' devices: register (the token is shown once), list, revoke, and recognise."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session

from core import audit
from core.models import User
from core.security import hash_device_token, new_device_token
from registry.models import Worker
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
    user: User | None = None,
) -> tuple[Device, str]:
    """A new device of the worker and its token (only the token's hash is stored); audited
    as the `user`'s act when one issues it for the worker (a supervisor, not the phone)."""
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
    if user is not None:
        _audit(session, user, "create", device, worker.office_id, _view(device))
    return device, token


def list_devices(session: Session, *, worker_id: int) -> list[Device]:
    """A worker's devices, newest first, revoked ones included."""
    query = select(Device).where(Device.worker_id == worker_id).order_by(Device.id.desc())
    return list(session.scalars(query))


def get_device(session: Session, *, device_id: int) -> Device | None:
    return session.get(Device, device_id)


def bind_identifier(
    session: Session,
    *,
    device: Device,
    external_id: str | None,
    user: User | None = None,
    office_id: int | None = None,
) -> Device:
    """Bind (or with None, unbind) the identifier a GPS app sends beside the device's token
    (Traccar Client's device identifier, OwnTracks' user); unique across devices. Audited
    as the `user`'s act."""
    before = device.external_id
    device.external_id = external_id or None
    session.flush()
    if user is not None and before != device.external_id:
        changes = audit.diff({"external_id": before}, {"external_id": device.external_id})
        _audit(session, user, "update", device, office_id, changes)
    return device


def revoke_device(
    session: Session, *, device: Device, user: User, office_id: int | None = None
) -> Device:
    """Refuse the device from now on (its data stays); audited."""
    if device.revoked_at is None:
        device.revoked_at = datetime.now(UTC)
        device.revoked_by = user.id
        session.flush()
        _audit(session, user, "revoke", device, office_id, {})
    return device


def _view(device: Device) -> dict[str, Any]:
    return {
        "worker_id": device.worker_id,
        "name": device.name,
        "platform": device.platform,
        "external_id": device.external_id,
    }


def _audit(
    session: Session,
    user: User,
    action: str,
    device: Device,
    office_id: int | None,
    changes: dict[str, Any],
) -> None:
    audit.record(
        session,
        user=user,
        action=action,
        entity="device",
        entity_id=device.id,
        changes=changes,
        office_id=office_id,
    )


# Everything ingest needs about a device in one round trip (this runs on every request).
_CONTEXT = """
    SELECT d.id, d.revoked_at IS NOT NULL, w.id, w.office_id, w.active, w.travel_mode,
           coalesce(json_agg(json_build_array(s.weekday, s.start, s."end"))
                    FILTER (WHERE s.id IS NOT NULL), '[]')
    FROM device d
    LEFT JOIN worker w ON w.id = d.worker_id
    LEFT JOIN worker_shift s ON s.worker_id = w.id
    WHERE {condition}
    GROUP BY d.id, w.id
    ORDER BY d.id
    LIMIT 1
"""
_BY_TOKEN = text(_CONTEXT.format(condition="d.token_hash = :token_hash"))
# Whether an identifier sent with a token names that device: it is the device's bound
# identifier, or (a device with none bound) an identifier bound to no other device.
_NAMES_DEVICE = text(
    """
    SELECT coalesce(d.external_id = :identifier,
                    NOT EXISTS (SELECT 1 FROM device o WHERE o.external_id = :identifier))
    FROM device d WHERE d.token_hash = :token_hash
    """
)


def _context(row: Any) -> DeviceContext:
    if row is None:
        raise DeviceRefused("unknown device", status=401)
    device_id, revoked, worker_id, office_id, active, mode, shifts = row
    if revoked:
        raise DeviceRefused("device revoked", status=403)
    if worker_id is None or not active:
        raise DeviceRefused("the device's worker is not active", status=403)
    return DeviceContext(
        device_id=device_id,
        worker_id=worker_id,
        office_id=office_id,
        travel_mode=mode or "walk",
        shifts={
            weekday: ShiftDay(time.fromisoformat(start), time.fromisoformat(end))
            for weekday, start, end in shifts
        },
    )


def by_token(session: Session, *, token: str) -> DeviceContext:
    """The device holding this token, or DeviceRefused."""
    row = session.execute(_BY_TOKEN, {"token_hash": hash_device_token(token)}).first()
    return _context(row)


def by_identifier(session: Session, *, identifier: str | None, token: str | None) -> DeviceContext:
    """The device a GPS app names: its token sent as the identifier (Traccar Client's
    "device identifier" field takes it), or an identifier bound to the device together with
    the device's token. An identifier alone is never enough: short ones are guessable."""
    secret = token or identifier
    if not secret:
        raise DeviceRefused("device token required", status=401)
    token_hash = hash_device_token(secret)
    context = _context(session.execute(_BY_TOKEN, {"token_hash": token_hash}).first())
    if token and identifier and identifier != token:
        params = {"identifier": identifier, "token_hash": token_hash}
        if not session.execute(_NAMES_DEVICE, params).scalar():
            raise DeviceRefused("unknown device", status=401)
    return context


def of_worker(session: Session, *, worker: Worker, device_ref: str) -> DeviceContext:
    """The worker's own device named by id or external id (403 if it is someone else's)."""
    condition = Device.external_id == device_ref
    if device_ref.isdigit():
        condition = or_(condition, Device.id == int(device_ref))
    device = session.scalars(select(Device).where(condition)).first()
    if device is None:
        raise DeviceRefused("unknown device", status=401)
    if device.worker_id != worker.id:
        raise DeviceRefused("this device belongs to another worker", status=403)
    return by_token_hash(session, token_hash=device.token_hash)


def by_token_hash(session: Session, *, token_hash: str) -> DeviceContext:
    return _context(session.execute(_BY_TOKEN, {"token_hash": token_hash}).first())


def device_json(device: Device, token: str | None = None) -> dict[str, Any]:
    """A device as the API shows it; the token only right after it is issued."""
    body: dict[str, Any] = {
        "id": device.id,
        "worker_id": device.worker_id,
        "name": device.name,
        "platform": device.platform,
        "external_id": device.external_id,
        "created_at": device.created_at.isoformat() if device.created_at else None,
        "last_seen_at": device.last_seen_at.isoformat() if device.last_seen_at else None,
        "revoked": device.revoked_at is not None,
    }
    if token is not None:
        body["token"] = token  # shown this once; only its hash is stored
    return body
