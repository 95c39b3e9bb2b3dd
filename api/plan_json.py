"""Stored plans as the API answers them: a version's summary, its routes with clients and
workers for the timeline, and its GeoJSON for the map."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from geoalchemy2.shape import to_shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from planner import lunch_rows
from planner.models import Plan, PlanRoute
from registry.models import Client, Worker


def plan_summary(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.id,
        "office_id": plan.office_id,
        "day": plan.day,
        "version": plan.version,
        "status": plan.status.value,
        "cost": plan.cost,
        "stats": plan.stats,
        "kind": plan.params.get("kind", "plan"),
        "created_by": plan.created_by,
        "created_at": plan.created_at,
        "approved_by": plan.approved_by,
        "approved_at": plan.approved_at,
    }


def _lonlat(geometry: Any) -> tuple[float | None, float | None]:
    if geometry is None:
        return None, None
    point = to_shape(geometry)
    return point.x, point.y


def _people(session: Session, plan: Plan) -> tuple[dict[int, Client], dict[int, Worker]]:
    client_ids = {s.client_id for r in plan.routes for s in r.stops}
    client_ids |= {u.client_id for u in plan.unplanned}
    clients = session.scalars(select(Client).where(Client.id.in_(client_ids or {-1})))
    worker_ids = {r.worker_id for r in plan.routes} or {-1}
    workers = session.scalars(select(Worker).where(Worker.id.in_(worker_ids)))
    return {c.id: c for c in clients}, {w.id: w for w in workers}


def _client_fields(client: Client | None) -> dict[str, Any]:
    lon, lat = _lonlat(client.location if client else None)
    return {
        "client_name": client.full_name if client else "",
        "address": client.address if client else "",
        "lon": lon,
        "lat": lat,
    }


def plan_detail(session: Session, plan: Plan) -> dict[str, Any]:
    """The full plan: routes with stops (who, where, when, what, why) and unplanned visits."""
    clients, workers = _people(session, plan)
    routes: list[dict[str, Any]] = []
    for route in plan.routes:
        worker = workers.get(route.worker_id)
        stops = [
            {
                "id": s.id,
                "seq": s.seq,
                "client_id": s.client_id,
                **_client_fields(clients.get(s.client_id)),
                "services": s.services,
                "minutes": sum(int(x.get("minutes", 0)) for x in s.services),
                "arrival": s.arrival,
                "start": s.start,
                "end": s.end,
                "travel_s": s.travel_s,
                "wait_s": s.wait_s,
                "pinned": s.pinned,
                "why": s.why,
            }
            for s in route.stops
        ]
        routes.append(
            {
                "id": route.id,
                "worker_id": route.worker_id,
                "worker_name": worker.full_name if worker else "",
                "travel_mode": worker.travel_mode.value if worker else None,
                "start": route.start,
                "end": route.end,
                "break_start": route.break_start,
                "break_end": route.break_end,
                "travel_s": route.travel_s,
                "service_s": route.service_s,
                "wait_s": route.wait_s,
                "distance_m": route.distance_m,
                "lunch": lunch_json(route, clients),
                "stops": stops,
            }
        )
    unplanned = [
        {
            "id": u.id,
            "client_id": u.client_id,
            **_client_fields(clients.get(u.client_id)),
            "code": u.code,
            "reason": u.reason,
            "services": u.services,
        }
        for u in plan.unplanned
    ]
    exceptions = [
        {"code": "lunch_in_walk", "worker_id": r["worker_id"], "worker_name": r["worker_name"]}
        | r["lunch"]
        for r in routes
        if r["lunch"] is not None and r["lunch"]["place"] == lunch_rows.WALK
    ]
    return {
        **plan_summary(plan),
        "totals": plan.stats,
        "routes": routes,
        "unplanned": unplanned,
        "exceptions": exceptions,
    }


def lunch_json(route: PlanRoute, clients: Mapping[int, Client]) -> dict[str, Any] | None:
    """Where and when the route's lunch is taken, with the clients that name the place."""
    lunch = lunch_rows.lunch_of(route)
    if lunch is None:
        return None

    def name(client_id: int | None) -> str | None:
        client = clients.get(client_id) if client_id is not None else None
        return client.full_name if client else None

    return {
        "start": lunch.start,
        "end": lunch.end,
        "place": lunch.place,
        "after_client_id": lunch.after_client_id,
        "after_client_name": name(lunch.after_client_id),
        "after_seq": lunch.after_seq,
        "from_client_id": lunch.from_client_id,
        "from_client_name": name(lunch.from_client_id),
        "to_client_id": lunch.to_client_id,
        "to_client_name": name(lunch.to_client_id),
    }


def plan_geojson(session: Session, plan: Plan) -> dict[str, Any]:
    """Stops as points and each worker's day as a line (start point, visits, end point)."""
    clients, workers = _people(session, plan)
    features: list[dict[str, Any]] = []
    for route in plan.routes:
        worker = workers.get(route.worker_id)
        line: list[list[float]] = []
        start = _lonlat(worker.start_location if worker else None)
        if start[0] is not None:
            line.append([start[0], start[1]])  # type: ignore[list-item]
        for stop in route.stops:
            client = clients.get(stop.client_id)
            lon, lat = _lonlat(client.location if client else None)
            if lon is None or lat is None:
                continue
            line.append([lon, lat])
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [lon, lat]},
                    "properties": {
                        "kind": "stop",
                        "stop_id": stop.id,
                        "seq": stop.seq,
                        "worker_id": route.worker_id,
                        "client_id": stop.client_id,
                        "client_name": client.full_name if client else "",
                        "start": stop.start.isoformat(),
                        "end": stop.end.isoformat(),
                        "why": stop.why,
                    },
                }
            )
        end = _lonlat(worker.end_location if worker else None)
        if end[0] is not None:
            line.append([end[0], end[1]])  # type: ignore[list-item]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": line},
                "properties": {
                    "kind": "route",
                    "worker_id": route.worker_id,
                    "worker_name": worker.full_name if worker else "",
                    "stops": len(route.stops),
                    "distance_m": route.distance_m,
                },
            }
        )
    for row in plan.unplanned:
        client = clients.get(row.client_id)
        lon, lat = _lonlat(client.location if client else None)
        if lon is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "kind": "unplanned",
                    "client_id": row.client_id,
                    "client_name": client.full_name if client else "",
                    "code": row.code,
                    "reason": row.reason,
                },
            }
        )
    return {"type": "FeatureCollection", "properties": plan_summary(plan), "features": features}
