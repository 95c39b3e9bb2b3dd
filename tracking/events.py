"""Visit events from the phone: arrived, service rendered, departed, client confirmed,
no-show, refused, and a correction (`reopened`: the worker reopens their own finished or
not-done visit of today, until a supervisor reviews it; audited). Each is stored once (its
client-made UUID is the key), checked against the client's address (geofence: flagged; far
away: the visit is unverified until reviewed), linked to the plan stop, and folded into the
visit fact (`tracking.visits`).

Each event gets its own verdict: a bad one (an id beyond 32 bits, a NUL byte, minutes that
are not a number, an empty signature, minutes far above the service's standard) is refused
with its reason and the rest of the batch is stored. A confirmation with a code that is not
the visit's one-time code (`wrong_code`, `code_used`) is kept as a trace of the attempt but
confirms nothing; its verdict says why, for the phone to show. Each is
stored under a savepoint, so even a value the database refuses costs only that event.
"""

from __future__ import annotations

import uuid as uuid_module
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from core import audit
from core.models import User
from core.settings import get_settings
from planner.models import Plan, PlanStatus, PlanStop
from registry.models import Client, Service, Worker
from tracking import evidence, visits
from tracking.caseload import worker_client_ids
from tracking.devices import DeviceContext
from tracking.models import EventType, Visit, VisitEvent
from tracking.pings import Limits, Verdict
from tracking.protocols import DecodeError, number, parse_time

MAX_SIGNATURE_CHARS = 300_000  # a signature drawn on a phone is a few tens of kB
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database
SIGNATURE_PREFIXES = (
    "data:image/png;base64,",
    "data:image/jpeg;base64,",
    "data:image/webp;base64,",
)


@dataclass(frozen=True, slots=True)
class EventInput:
    uuid: uuid_module.UUID
    type: EventType
    t: datetime
    client_id: int
    plan_stop_id: int | None
    lat: float | None
    lon: float | None
    accuracy: float | None
    services: list[dict[str, Any]]
    code: str | None
    signature: str | None
    reason: str


def _has_nul(value: Any, depth: int = 0) -> bool:
    """Whether a NUL byte hides in a text of the item (PostgreSQL stores none)."""
    if isinstance(value, str):
        return "\x00" in value
    if depth > 4:
        return False
    if isinstance(value, dict):
        return any(_has_nul(k, depth + 1) or _has_nul(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v, depth + 1) for v in value)
    return False


def _id(value: Any, *, required: bool) -> int | None:
    """A database id (1 .. 2**31-1) from a JSON number or digits; ValueError otherwise."""
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("not an id")
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError("not an id")
    number_ = int(value)
    if not 1 <= number_ <= MAX_ID:
        raise ValueError("id out of range")
    return number_


def _services_ok(services: Any) -> str | None:
    """The reason the rendered services are unreadable, or None."""
    if not isinstance(services, list) or not all(
        isinstance(s, dict) and isinstance(s.get("code"), str) and len(s["code"]) <= 20
        for s in services
    ):
        return "bad_services"
    for service in services:
        try:
            minutes = number(service.get("minutes"))
        except DecodeError:
            return "bad_minutes"
        if service.get("minutes") not in (None, "") and (
            minutes is None or not 0 <= minutes <= evidence.MAX_MINUTES
        ):
            return "bad_minutes"
    return None


def decode_event(item: Any, *, now: datetime, limits: Limits) -> EventInput | Verdict:
    """A well-formed event, or the reason it is rejected."""
    if not isinstance(item, dict):
        return Verdict("rejected", "not_an_object")
    raw_uuid = item.get("uuid")
    try:
        if not isinstance(raw_uuid, str):
            raise ValueError("not text")
        event_uuid = uuid_module.UUID(raw_uuid)
    except ValueError:
        clean = raw_uuid if isinstance(raw_uuid, str) and not _has_nul(raw_uuid) else None
        return Verdict("rejected", "bad_uuid", clean[:100] if clean else None)
    uid = str(event_uuid)
    if _has_nul(item):
        return Verdict("rejected", "nul_byte", uid)
    try:
        client_id = _id(item.get("client_id"), required=True)
        stop = _id(item.get("plan_stop_id"), required=False)
    except ValueError:
        return Verdict("rejected", "bad_id", uid)
    assert client_id is not None
    try:
        kind = EventType(str(item.get("type")))
        t = parse_time(item.get("t"))
        lat, lon = number(item.get("lat")), number(item.get("lon"))
        accuracy = number(item.get("accuracy"))
    except (ValueError, KeyError, TypeError, DecodeError):
        return Verdict("rejected", "bad_fields", uid)
    if t is None:
        return Verdict("rejected", "missing_time", uid)
    if t > now + limits.future_skew:
        return Verdict("rejected", "in_future", uid)
    if t < now - limits.max_age:
        return Verdict("rejected", "too_old", uid)
    if (lat is None) != (lon is None) or (
        lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180)
    ):
        return Verdict("rejected", "coordinates_out_of_range", uid)
    reason = str(item.get("reason") or "").strip()[:300]
    if kind in (EventType.NO_SHOW, EventType.REFUSED) and not reason:
        return Verdict("rejected", "reason_required", uid)
    signature = item.get("signature")
    if signature is not None and (
        not isinstance(signature, str)
        or not signature.startswith(SIGNATURE_PREFIXES)
        or len(signature) > MAX_SIGNATURE_CHARS
    ):
        return Verdict("rejected", "bad_signature", uid)
    if signature is not None and not evidence.has_strokes(signature):
        return Verdict("rejected", "empty_signature", uid)
    services = item.get("services") or []
    problem = _services_ok(services)
    if problem:
        return Verdict("rejected", problem, uid)
    code = item.get("code")
    if code is not None and not isinstance(code, str | int):
        return Verdict("rejected", "bad_fields", uid)
    return EventInput(
        uuid=event_uuid,
        type=kind,
        t=t,
        client_id=client_id,
        plan_stop_id=stop,
        lat=lat,
        lon=lon,
        accuracy=accuracy,
        services=services,
        code=str(code).strip()[:12] if code is not None else None,
        signature=signature,
        reason=reason,
    )


def plan_stop_of(
    session: Session,
    *,
    office_id: int,
    worker_id: int,
    client_id: int,
    day: date,
    given: int | None,
) -> PlanStop | None:
    """The stop of this visit in the day's approved version (a phone may still hold a stop of
    an earlier version: the visit is the same), else the given stop if it is this worker's
    visit to this client."""
    approved = (
        select(Plan.id)
        .where(Plan.office_id == office_id, Plan.day == day, Plan.status == PlanStatus.APPROVED)
        .order_by(Plan.version.desc())
        .limit(1)
        .scalar_subquery()
    )
    stops = session.scalars(
        select(PlanStop).where(PlanStop.plan_id == approved, PlanStop.client_id == client_id)
    ).all()
    with_facts = session.scalars(
        select(Visit.worker_id).where(Visit.client_id == client_id, Visit.day == day)
    ).all()
    stop = visits.stop_of_visit(
        list(stops), worker_id=worker_id, client_id=client_id, with_facts=with_facts
    )
    if stop is not None:
        return stop
    if given is not None:
        stop = session.get(PlanStop, given)
        if stop is not None and stop.worker_id == worker_id and stop.client_id == client_id:
            return stop
    return None


def _distance_m(session: Session, *, client_id: int, lat: float, lon: float) -> float | None:
    """Metres from the client's address, on the spheroid (PostGIS geography)."""
    return session.execute(
        text(
            "SELECT ST_Distance(location::geography, "
            "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography) FROM client WHERE id = :id"
        ),
        {"lon": lon, "lat": lat, "id": client_id},
    ).scalar()


def _services(
    session: Session, *, office_id: int, given: list[dict[str, Any]], stop: PlanStop | None
) -> list[dict[str, Any]] | str:
    """Rendered services with minutes (standard ones when not told), or why they are refused
    (`unknown_service`, `minutes_above_standard`); a service far above its standard but
    within reason carries `"long": true`."""
    if not given:
        return [dict(s) for s in (stop.services if stop else [])]
    codes = {s["code"] for s in given}
    catalogue = {
        s.code: s
        for s in session.scalars(
            select(Service).where(Service.office_id == office_id, Service.code.in_(codes))
        )
    }
    if set(catalogue) != codes:
        return "unknown_service"
    result = []
    for item in given:
        minutes = number(item.get("minutes"))  # checked readable by decode_event
        standard = catalogue[item["code"]].standard_minutes
        rendered = int(minutes) if minutes and minutes > 0 else standard
        verdict = evidence.minutes_verdict(rendered, standard)
        if verdict == "minutes_above_standard":
            return verdict
        line: dict[str, Any] = {"code": item["code"], "minutes": rendered}
        if verdict == "long_service":
            line["long"] = True
        result.append(line)
    return result


def ingest_events(
    session: Session, *, device: DeviceContext, items: list[Any], now: datetime | None = None
) -> tuple[list[Verdict], list[Visit]]:
    """Store a device's visit events; returns a verdict per item and the visits changed."""
    from tracking.ingest import limits  # the same time limits as pings

    if not items:  # most batches carry pings only: no worker to load
        return [], []
    now = now or datetime.now(UTC)
    settings = get_settings()
    tz = ZoneInfo(settings.timezone)
    worker = session.get(Worker, device.worker_id)
    assert worker is not None
    own_clients: set[int] | None = None
    verdicts: list[Verdict] = []
    changed: dict[int, Visit] = {}
    for item in items:
        event = decode_event(item, now=now, limits=limits())
        if isinstance(event, Verdict):
            verdicts.append(event)
            continue
        if own_clients is None:
            own_clients = worker_client_ids(session, worker)
        try:
            with session.begin_nested():  # a value the database refuses costs this event only
                verdict, visit = _store_event(
                    session, device=device, event=event, own_clients=own_clients, tz=tz
                )
        except (DataError, IntegrityError):
            verdict, visit = Verdict("rejected", "unstorable", str(event.uuid)), None
        verdicts.append(verdict)
        if visit is not None:
            changed[visit.id] = visit
    return verdicts, list(changed.values())


def _store_event(
    session: Session,
    *,
    device: DeviceContext,
    event: EventInput,
    own_clients: set[int],
    tz: ZoneInfo,
) -> tuple[Verdict, Visit | None]:
    uid = str(event.uuid)
    client = session.get(Client, event.client_id)
    if client is None or event.client_id not in own_clients:
        return Verdict("rejected", "not_your_client", uid), None
    day = event.t.astimezone(tz).date()
    stop = plan_stop_of(
        session,
        office_id=client.office_id,
        worker_id=device.worker_id,
        client_id=client.id,
        day=day,
        given=event.plan_stop_id,
    )
    if event.type == EventType.REOPENED:
        found = session.scalars(
            select(Visit).where(
                Visit.worker_id == device.worker_id, Visit.client_id == client.id, Visit.day == day
            )
        ).first()
        why_not = visits.correctable(found, today=datetime.now(tz).date())
        if why_not:
            return Verdict("rejected", why_not, uid), None
    services = _services(session, office_id=client.office_id, given=event.services, stop=stop)
    if isinstance(services, str):
        return Verdict("rejected", services, uid), None
    distance = None
    if event.lat is not None and event.lon is not None and client.location is not None:
        distance = _distance_m(session, client_id=client.id, lat=event.lat, lon=event.lon)
    confirmed = None
    code_problem = None  # a wrong or used code is kept (a trace of the attempt), not a proof
    if event.type == EventType.CLIENT_CONFIRMED:
        by_code = False
        if event.code:
            expected = evidence.visit_code(
                client_id=client.id, seed=client.confirmation_code or "", day=day
            )
            if event.code.strip() != expected:
                code_problem = "wrong_code"
            elif _code_used_by_another(session, client_id=client.id, day=day, device=device):
                code_problem = "code_used"
            else:
                by_code = True
        confirmed = by_code or event.signature is not None
    row = {
        "uuid": event.uuid,
        "type": event.type.value,
        "t": event.t,
        "device_id": device.device_id,
        "worker_id": device.worker_id,
        "office_id": client.office_id,
        "client_id": client.id,
        "plan_stop_id": stop.id if stop else None,
        "location": (
            f"SRID=4326;POINT({event.lon} {event.lat})" if event.lat is not None else None
        ),
        "accuracy": event.accuracy,
        "distance_m": distance,
        "outside_geofence": distance is not None and distance > get_settings().geofence_m,
        "services": services,
        "confirmation_code": event.code,
        "confirmed": confirmed,
        "signature": event.signature,
        "reason": event.reason,
    }
    inserted = session.execute(
        insert(VisitEvent)
        .values(**row)
        .on_conflict_do_nothing(index_elements=["uuid"])
        .returning(VisitEvent.uuid)
    ).first()
    if inserted is None:
        return Verdict("duplicate", None, uid), None
    visit = visits.visit_for(
        session,
        office_id=client.office_id,
        worker_id=device.worker_id,
        client_id=client.id,
        day=day,
        plan_stop=stop,
    )
    if event.type == EventType.REOPENED:
        _audit_correction(session, visit, event=event, device=device)
    _apply(visit, event, services=services, distance=distance, confirmed=confirmed)
    visits.refresh(visit, geofence_m=get_settings().geofence_m)
    session.flush()
    reason = code_problem  # first: the phone shows it to the worker
    if reason:
        pass
    elif any(s.get("long") for s in services) and event.type == EventType.SERVICE_RENDERED:
        reason = "long_service"
    elif "unverified" in visit.flags and row["outside_geofence"]:
        reason = "unverified"
    elif row["outside_geofence"]:
        reason = "outside_geofence"
    return Verdict("accepted", reason, uid), visit


def _code_used_by_another(
    session: Session, *, client_id: int, day: date, device: DeviceContext
) -> bool:
    """Whether the client's code of `day` already confirmed another worker's visit."""
    used = session.execute(
        text(
            "SELECT 1 FROM visit WHERE client_id = :c AND day = :d AND worker_id <> :w "
            "AND confirmed LIMIT 1"
        ),
        {"c": client_id, "d": day, "w": device.worker_id},
    ).first()
    return used is not None


def _apply(
    visit: Visit,
    event: EventInput,
    *,
    services: list[dict[str, Any]],
    distance: float | None,
    confirmed: bool | None,
) -> None:
    """Fold one event into the visit fact (events may come in any order)."""
    if distance is not None:
        visit.max_distance_m = max(distance, visit.max_distance_m or 0.0)
    if event.type == EventType.ARRIVED:
        visit.tapped_arrival = min(filter(None, [visit.tapped_arrival, event.t]))
    elif event.type == EventType.DEPARTED:
        visit.tapped_departure = max(filter(None, [visit.tapped_departure, event.t]))
    elif event.type == EventType.SERVICE_RENDERED:
        done = {s["code"]: s for s in visit.services}
        done.update({s["code"]: s for s in services})
        visit.services = list(done.values())
        visit.minutes = sum(int(s.get("minutes") or 0) for s in visit.services)
        if any(s.get("long") for s in services) and "long_service" not in visit.flags:
            visit.flags = [*visit.flags, "long_service"]
    elif event.type == EventType.CLIENT_CONFIRMED:
        visit.confirmed = visit.confirmed or bool(confirmed)
    elif event.type in (EventType.NO_SHOW, EventType.REFUSED):
        visit.status = event.type.value
        visit.reason = event.reason
    elif event.type == EventType.REOPENED:
        visits.reopen(visit, geofence_m=get_settings().geofence_m)


def _audit_correction(
    session: Session, visit: Visit, *, event: EventInput, device: DeviceContext
) -> None:
    """A worker's correction of their own visit, in the audit log with what it undid."""
    worker = session.get(Worker, device.worker_id)
    user = session.get(User, worker.user_id) if worker and worker.user_id else None
    audit.record(
        session,
        user=user,
        action="correct",
        entity="visit",
        entity_id=visit.id,
        changes={
            "by_worker": device.worker_id,
            "event": str(event.uuid),
            "status": {"from": visit.status, "to": "reopened"},
            "departed_at": visit.departed_at,
            "services": visit.services,
            "confirmed": visit.confirmed,
            "reason": visit.reason,
        },
        office_id=visit.office_id,
    )


def events_since(session: Session, *, worker_id: int, since: timedelta) -> list[VisitEvent]:
    """A worker's recent events (for the phone to rebuild its state after a reinstall)."""
    query = (
        select(VisitEvent)
        .where(VisitEvent.worker_id == worker_id, VisitEvent.t >= datetime.now(UTC) - since)
        .order_by(VisitEvent.t)
    )
    return list(session.scalars(query))
