"""Zones in the database: versions of an office's zone set, figures, moves, locks, rebalancing.

Every change saves a new version (the previous active one is archived), so the history of who
served whom is never lost. The pure core (`zones.balance`, `zones.shapes`) does the computing;
this module only loads its input from the registry and stores its output.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import audit
from core.models import Office, User
from registry.models import CarePlan, Client, ClientStatus, Worker
from registry.programme import weekly_load
from zones import balance
from zones._store import OfficeZoning, store_version, zone_key
from zones.models import ZoneClient, ZoneSet, ZoneSetStatus
from zones.problem import Assignment, BalanceParams, ZoneFigures, ZoneInputError
from zones.problem import Client as ZoneClientInput
from zones.problem import Zone as ZoneInput

SERVED = (ClientStatus.ENROLLED, ClientStatus.SUSPENDED)


class ZoneNotFound(LookupError):
    """The office has no active zone set yet, or the zone is not part of it."""


def client_key(client_id: int) -> str:
    return str(client_id)


def active_zone_set(session: Session, *, office_id: int) -> ZoneSet | None:
    return session.scalars(
        select(ZoneSet).where(
            ZoneSet.office_id == office_id, ZoneSet.status == ZoneSetStatus.ACTIVE
        )
    ).one_or_none()


def load_office(session: Session, *, office_id: int, today: date | None = None) -> OfficeZoning:
    """The office's served clients with weekly workloads, its active workers and zone set."""
    office = session.get(Office, office_id)
    if office is None:
        raise ZoneNotFound(f"office {office_id} not found")
    start = _monday(today or date.today())
    zone_set = active_zone_set(session, office_id=office_id)
    current: dict[int, tuple[str, bool]] = {}
    if zone_set is not None:
        worker_of_zone = {z.id: z.worker_id for z in zone_set.zones}
        for row in session.scalars(select(ZoneClient).where(ZoneClient.zone_set_id == zone_set.id)):
            worker_id = worker_of_zone.get(row.zone_id)
            if worker_id is not None:
                current[row.client_id] = (zone_key(worker_id), row.locked)

    plans_of: dict[int, list[CarePlan]] = {}
    for plan in session.scalars(select(CarePlan).join(Client).where(Client.office_id == office_id)):
        plans_of.setdefault(plan.client_id, []).append(plan)

    rows: dict[str, Client] = {}
    clients: list[ZoneClientInput] = []
    for client in session.scalars(
        select(Client)
        .where(Client.office_id == office_id, Client.status.in_(SERVED))
        .order_by(Client.id)
    ):
        if client.location is None:
            continue  # needs a location first: the supervisor places it on the map
        point = to_shape(client.location)
        minutes, visits = weekly_load(plans_of.get(client.id, []), start)
        zone, locked = current.get(client.id, (None, False))
        key = client_key(client.id)
        rows[key] = client
        clients.append(
            ZoneClientInput(
                id=key,
                lon=point.x,
                lat=point.y,
                weekly_minutes=minutes,
                weekly_visits=max(visits, 0.25),
                skills=frozenset(client.required_skills or ()),
                locked_zone=zone if locked else None,
                current_zone=zone,
            )
        )

    workers = {
        zone_key(w.id): w
        for w in session.scalars(
            select(Worker).where(Worker.office_id == office_id, Worker.active).order_by(Worker.id)
        )
    }
    zones = [
        ZoneInput(
            id=key, weekly_hours=w.weekly_hours, skills=frozenset(w.skills or ()), name=w.full_name
        )
        for key, w in workers.items()
    ]
    zone_of = {c.id: c.current_zone for c in clients if c.current_zone in workers}
    return OfficeZoning(office, clients, zones, zone_set, zone_of, rows, workers)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


# --- reading ---------------------------------------------------------------------------------


def zone_view(session: Session, *, office_id: int) -> dict[str, Any]:
    """The active zone set: zones with worker, colour, polygon and figures."""
    zoning = load_office(session, office_id=office_id)
    if zoning.zone_set is None:
        raise ZoneNotFound(f"office {office_id} has no zones yet")
    figures = _figures(zoning, zoning.zone_of)
    return _zone_set_json(zoning, zoning.zone_set, figures)


def zone_clients(session: Session, *, office_id: int) -> list[dict[str, Any]]:
    """Every client of the office with location, zone, lock and what a supervisor checks."""
    zoning = load_office(session, office_id=office_id)
    zone_ids = _zone_ids(zoning.zone_set)
    locked = {
        row.client_id
        for row in session.scalars(
            select(ZoneClient).where(
                ZoneClient.zone_set_id == (zoning.zone_set.id if zoning.zone_set else -1),
                ZoneClient.locked,
            )
        )
    }
    weekly = {c.id: c for c in zoning.clients}
    answer = []
    for row in session.scalars(
        select(Client).where(Client.office_id == office_id).order_by(Client.full_name)
    ):
        point = to_shape(row.location) if row.location is not None else None
        key = client_key(row.id)
        zone = zoning.zone_of.get(key)
        answer.append(
            {
                "id": row.id,
                "full_name": row.full_name,
                "address": row.address,
                "lon": point.x if point else None,
                "lat": point.y if point else None,
                "status": row.status.value,
                "location_status": row.location_status.value,
                "categories": list(row.categories or []),
                "required_skills": list(row.required_skills or []),
                "zone_id": zone_ids.get(zone) if zone else None,
                "locked": row.id in locked,
                "weekly_minutes": round(weekly[key].weekly_minutes) if key in weekly else 0,
            }
        )
    return answer


def zone_set_history(session: Session, *, office_id: int) -> list[dict[str, Any]]:
    sets = session.scalars(
        select(ZoneSet).where(ZoneSet.office_id == office_id).order_by(ZoneSet.version.desc())
    )
    return [
        {
            "id": s.id,
            "version": s.version,
            "status": s.status.value,
            "note": s.note,
            "created_at": s.created_at.isoformat() if s.created_at else None,
            "created_by": s.created_by,
            "stats": s.stats,
        }
        for s in sets
    ]


# --- what-if and changes ---------------------------------------------------------------------


def preview_moves(session: Session, *, office_id: int, moves: Mapping[int, int]) -> dict[str, Any]:
    """Figures per zone now and after moving clients (client id -> zone id); nothing saved."""
    zoning = load_office(session, office_id=office_id)
    proposed = _apply_moves(zoning, moves)
    before = {f.zone_id: f for f in _figures(zoning, zoning.zone_of)}
    after = _figures(zoning, proposed)
    zone_ids = _zone_ids(zoning.zone_set)
    return {
        "zones": [
            {
                "zone_id": zone_ids.get(f.zone_id),
                "worker_id": zoning.workers[f.zone_id].id,
                "before": _figures_json(before.get(f.zone_id), zoning, f.zone_id),
                "after": _figures_json(f, zoning, f.zone_id),
            }
            for f in after
        ],
        "moved": len(moves),
    }


def save_moves(
    session: Session, *, user: User, office_id: int, moves: Mapping[int, int], note: str = ""
) -> ZoneSet:
    """Saves the moves as a new version of the office's zones."""
    zoning = load_office(session, office_id=office_id)
    proposed = _apply_moves(zoning, moves)
    zone_set = store_version(
        session,
        user=user,
        zoning=zoning,
        zone_of=proposed,
        figures=_figures(zoning, proposed),
        note=note,
    )
    audit.record(
        session,
        user=user,
        action="move_clients",
        entity="zone_set",
        entity_id=zone_set.id,
        office_id=office_id,
        changes={"moves": {str(c): z for c, z in moves.items()}, "version": zone_set.version},
    )
    return zone_set


def set_locked(
    session: Session, *, user: User, office_id: int, client_ids: Sequence[int], locked: bool
) -> int:
    """Locks clients to their zone (auto-rebalancing never moves them) or unlocks them."""
    zone_set = active_zone_set(session, office_id=office_id)
    if zone_set is None:
        raise ZoneNotFound(f"office {office_id} has no zones yet")
    rows = session.scalars(
        select(ZoneClient).where(
            ZoneClient.zone_set_id == zone_set.id, ZoneClient.client_id.in_(client_ids)
        )
    ).all()
    found = {r.client_id for r in rows}
    missing = [c for c in client_ids if c not in found]
    if missing:
        raise ZoneInputError(f"client {missing[0]} is not in the office's zones")
    for row in rows:
        row.locked = locked
    audit.record(
        session,
        user=user,
        action="lock" if locked else "unlock",
        entity="zone_set",
        entity_id=zone_set.id,
        office_id=office_id,
        changes={"clients": list(client_ids)},
    )
    return len(rows)


def rebalance(
    session: Session,
    *,
    user: User | None,
    office_id: int,
    fewest_moves: bool = True,
    save: bool = True,
    time_limit_s: float = 10.0,
) -> dict[str, Any]:
    """Re-zones the office after clients or workers came or went.

    With `fewest_moves` the current zones are kept wherever balance allows (continuity of care);
    without it the office is zoned afresh. Locked clients never move. With `save=False` it is a
    what-if: the answer holds the figures and the moves, nothing is stored.
    """
    zoning = load_office(session, office_id=office_id)
    params = BalanceParams(time_limit_s=time_limit_s)
    clients = zoning.clients
    if not fewest_moves:
        clients = [ZoneClientInput(**{**_fields(c), "current_zone": None}) for c in zoning.clients]
    result: Assignment = balance.solve(clients, zoning.zones, params)
    answer: dict[str, Any] = {
        "moved": len(result.moved),
        "new": len(result.new),
        "within_tolerance": result.within_tolerance,
        "max_over_mean": round(result.max_over_mean, 3),
        "seconds": round(result.solve_seconds, 2),
        "zones": [_figures_json(f, zoning, f.zone_id) for f in result.figures],
    }
    if save:
        note = "авторебалансировка" if fewest_moves else "новое районирование"
        zone_set = store_version(
            session,
            user=user,
            zoning=zoning,
            zone_of=result.zone_of,
            figures=_figures(zoning, result.zone_of),
            note=note,
        )
        audit.record(
            session,
            user=user,
            action="rebalance",
            entity="zone_set",
            entity_id=zone_set.id,
            office_id=office_id,
            changes={"moved": len(result.moved), "version": zone_set.version},
        )
        answer["zone_set_id"] = zone_set.id
        answer["version"] = zone_set.version
    return answer


def clients_inside(session: Session, *, office_id: int, polygon: dict[str, Any]) -> list[int]:
    """Ids of the office's clients inside a polygon drawn on the map (GeoJSON geometry)."""
    try:
        geometry = shape(polygon)
    except Exception as exc:  # shapely raises several kinds for malformed GeoJSON
        raise ZoneInputError(f"polygon is not valid GeoJSON: {exc}") from exc
    if not isinstance(geometry, Polygon | MultiPolygon) or not geometry.is_valid:
        raise ZoneInputError("polygon must be a valid Polygon or MultiPolygon")
    drawn = from_shape(geometry, srid=4326)
    return list(
        session.scalars(
            select(Client.id).where(
                Client.office_id == office_id, func.ST_Within(Client.location, drawn)
            )
        )
    )


# --- helpers ---------------------------------------------------------------------------------


def _fields(client: ZoneClientInput) -> dict[str, Any]:
    return {name: getattr(client, name) for name in client.__slots__}


def _zone_ids(zone_set: ZoneSet | None) -> dict[str, int]:
    """Zone key (by worker) -> stored zone id in the set."""
    if zone_set is None:
        return {}
    return {zone_key(z.worker_id): z.id for z in zone_set.zones if z.worker_id is not None}


def _apply_moves(zoning: OfficeZoning, moves: Mapping[int, int]) -> dict[str, str]:
    if zoning.zone_set is None:
        raise ZoneNotFound("the office has no zones yet")
    key_of_zone = {v: k for k, v in _zone_ids(zoning.zone_set).items()}
    proposed = dict(zoning.zone_of)
    for client_id, zone_id in moves.items():
        key = client_key(client_id)
        if key not in zoning.rows:
            raise ZoneInputError(f"client {client_id} is not a served client of this office")
        if zone_id not in key_of_zone:
            raise ZoneInputError(f"zone {zone_id} is not in the office's active zones")
        proposed[key] = key_of_zone[zone_id]
    return proposed


def _figures(zoning: OfficeZoning, zone_of: Mapping[str, str]) -> tuple[ZoneFigures, ...]:
    placed = [c for c in zoning.clients if c.id in zone_of]
    if not placed:
        return ()
    return balance.figures(placed, zoning.zones, zone_of)


def _figures_json(f: ZoneFigures | None, zoning: OfficeZoning, key: str) -> dict[str, Any]:
    worker = zoning.workers[key]
    hours_minutes = worker.weekly_hours * 60
    if f is None:
        return {"clients": 0, "service_minutes": 0, "travel_minutes": 0, "workload_minutes": 0,
                "worker_minutes": hours_minutes, "load_share": 0.0, "deviation": None}  # fmt: skip
    return {
        "clients": f.clients,
        "service_minutes": round(f.service_minutes),
        "travel_minutes": round(f.travel_minutes),
        "workload_minutes": round(f.workload_minutes),
        "target_minutes": round(f.target_minutes),
        "worker_minutes": round(hours_minutes),
        "load_share": round(f.workload_minutes / hours_minutes, 3) if hours_minutes else None,
        "deviation": round(f.deviation, 3),
        "spread_km": round(f.spread_km, 2),
    }


def _zone_set_json(
    zoning: OfficeZoning, zone_set: ZoneSet, figures: Sequence[ZoneFigures]
) -> dict[str, Any]:
    by_key = {f.zone_id: f for f in figures}
    zones = []
    for zone in zone_set.zones:
        key = zone_key(zone.worker_id) if zone.worker_id is not None else ""
        worker = zoning.workers.get(key)
        zones.append(
            {
                "id": zone.id,
                "name": zone.name,
                "color": zone.color,
                "worker_id": zone.worker_id,
                "worker_name": worker.full_name if worker else None,
                "polygon": mapping(to_shape(zone.polygon)) if zone.polygon is not None else None,
                "figures": _figures_json(by_key.get(key), zoning, key) if worker else None,
            }
        )
    return {
        "zone_set_id": zone_set.id,
        "version": zone_set.version,
        "status": zone_set.status.value,
        "note": zone_set.note,
        "created_at": zone_set.created_at.isoformat() if zone_set.created_at else None,
        "zones": zones,
    }


def zone_set_geojson(session: Session, *, zone_set_id: int) -> dict[str, Any]:
    zone_set = session.get(ZoneSet, zone_set_id)
    if zone_set is None:
        raise ZoneNotFound(f"zone set {zone_set_id} not found")
    features = [
        {
            "type": "Feature",
            "geometry": mapping(to_shape(z.polygon)) if z.polygon is not None else None,
            "properties": {"id": z.id, "name": z.name, "color": z.color, "worker_id": z.worker_id},
        }
        for z in zone_set.zones
    ]
    return json.loads(json.dumps({"type": "FeatureCollection", "features": features}))
