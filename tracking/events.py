"""Visit events from the phone: arrived, service rendered, departed, client confirmed,
no-show, refused. Each is stored once (its client-made UUID is the key), checked against
the client's address (geofence: flagged, never refused), linked to the plan stop, and folded
into the visit fact (`tracking.visits`).
"""

from __future__ import annotations

import uuid as uuid_module
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core.settings import get_settings
from planner.models import Plan, PlanStatus, PlanStop
from registry.models import Client, Service, Worker
from tracking import visits
from tracking.caseload import worker_client_ids
from tracking.devices import DeviceContext
from tracking.models import EventType, Visit, VisitEvent
from tracking.pings import Limits, Verdict
from tracking.protocols import DecodeError, number, parse_time

MAX_SIGNATURE_CHARS = 300_000  # a signature drawn on a phone is a few tens of kB
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


def decode_event(item: Any, *, now: datetime, limits: Limits) -> EventInput | Verdict:
    """A well-formed event, or the reason it is rejected."""
    if not isinstance(item, dict):
        return Verdict("rejected", "not_an_object")
    raw_uuid = item.get("uuid")
    try:
        event_uuid = uuid_module.UUID(str(raw_uuid))
    except ValueError:
        return Verdict("rejected", "bad_uuid", str(raw_uuid) if raw_uuid else None)
    uid = str(event_uuid)
    try:
        kind = EventType(str(item.get("type")))
        t = parse_time(item.get("t"))
        client_id = int(item["client_id"])
        stop = item.get("plan_stop_id")
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
    services = item.get("services") or []
    if not isinstance(services, list) or not all(
        isinstance(s, dict) and isinstance(s.get("code"), str) for s in services
    ):
        return Verdict("rejected", "bad_services", uid)
    code = item.get("code")
    return EventInput(
        uuid=event_uuid,
        type=kind,
        t=t,
        client_id=client_id,
        plan_stop_id=int(stop) if isinstance(stop, int | str) and str(stop).isdigit() else None,
        lat=lat,
        lon=lon,
        accuracy=accuracy,
        services=services,
        code=str(code).strip()[:12] if code is not None else None,
        signature=signature,
        reason=reason,
    )


def _plan_stop(
    session: Session, *, worker_id: int, client_id: int, day: date, given: int | None
) -> PlanStop | None:
    """The given plan stop if it is this worker's visit to this client, else the approved one."""
    if given is not None:
        stop = session.get(PlanStop, given)
        if stop is not None and stop.worker_id == worker_id and stop.client_id == client_id:
            return stop
    query = (
        select(PlanStop)
        .join(Plan, Plan.id == PlanStop.plan_id)
        .where(
            PlanStop.worker_id == worker_id,
            PlanStop.client_id == client_id,
            Plan.day == day,
            Plan.status == PlanStatus.APPROVED,
        )
        .order_by(Plan.version.desc())
    )
    return session.scalars(query).first()


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
) -> list[dict[str, Any]] | None:
    """Rendered services with minutes (standard ones when not told); None if a code is unknown."""
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
        return None
    result = []
    for item in given:
        minutes = number(item.get("minutes"))
        standard = catalogue[item["code"]].standard_minutes
        result.append(
            {"code": item["code"], "minutes": int(minutes) if minutes and minutes > 0 else standard}
        )
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
        verdict, visit = _store_event(
            session, device=device, event=event, own_clients=own_clients, tz=tz
        )
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
    stop = _plan_stop(
        session, worker_id=device.worker_id, client_id=client.id, day=day, given=event.plan_stop_id
    )
    services = _services(session, office_id=client.office_id, given=event.services, stop=stop)
    if services is None:
        return Verdict("rejected", "unknown_service", uid), None
    distance = None
    if event.lat is not None and event.lon is not None and client.location is not None:
        distance = _distance_m(session, client_id=client.id, lat=event.lat, lon=event.lon)
    confirmed = None
    if event.type == EventType.CLIENT_CONFIRMED:
        by_code = bool(
            event.code
            and client.confirmation_code
            and event.code.casefold() == client.confirmation_code.strip().casefold()
        )
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
    _apply(visit, event, services=services, distance=distance, confirmed=confirmed)
    visits.refresh(visit, geofence_m=get_settings().geofence_m)
    session.flush()
    reason = "outside_geofence" if row["outside_geofence"] else None
    return Verdict("accepted", reason, uid), visit


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
    elif event.type == EventType.CLIENT_CONFIRMED:
        visit.confirmed = visit.confirmed or bool(confirmed)
    elif event.type in (EventType.NO_SHOW, EventType.REFUSED):
        visit.status = event.type.value
        visit.reason = event.reason


def events_since(session: Session, *, worker_id: int, since: timedelta) -> list[VisitEvent]:
    """A worker's recent events (for the phone to rebuild its state after a reinstall)."""
    query = (
        select(VisitEvent)
        .where(VisitEvent.worker_id == worker_id, VisitEvent.t >= datetime.now(UTC) - since)
        .order_by(VisitEvent.t)
    )
    return list(session.scalars(query))
