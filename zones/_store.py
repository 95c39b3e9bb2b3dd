"""Writing a new version of an office's zone set: archive the active one, draw polygons, keep
names, colours and locks, store every client's zone; and the office as it is read for zoning
(`OfficeZoning`). Used by `zones.service` only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import MultiPolygon, Polygon, shape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Office, User
from registry.models import Client, Worker
from zones.models import Zone, ZoneClient, ZoneSet, ZoneSetStatus
from zones.problem import Client as ZoneClientInput
from zones.problem import Zone as ZoneInput
from zones.problem import ZoneFigures


@dataclass(frozen=True)
class OfficeZoning:
    """Everything the pure core needs about one office, plus the rows it came from."""

    office: Office
    clients: list[ZoneClientInput]
    zones: list[ZoneInput]
    zone_set: ZoneSet | None
    zone_of: dict[str, str]  # client key -> zone key in the active set
    rows: dict[str, Client]
    workers: dict[str, Worker]


def zone_key(worker_id: int) -> str:
    """The pure core's id of a worker's zone (stable across versions, unlike stored ids)."""
    return f"w{worker_id}"


# Colours that stay distinguishable on a map, in the order zones get them.
PALETTE = (
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#bfef45",
    "#469990", "#9a6324", "#800000", "#808000", "#000075", "#e6beff", "#aaffc3", "#ffd8b1",
    "#fabebe", "#a9a9a9", "#ffe119", "#008080",
)  # fmt: skip


def store_version(
    session: Session,
    *,
    user: User | None,
    zoning: OfficeZoning,
    zone_of: Mapping[str, str],
    figures: Sequence[ZoneFigures],
    note: str,
) -> ZoneSet:
    """Archives the active set and stores `zone_of` as the new active version."""
    previous = zoning.zone_set
    locked = set()
    old_meta: dict[str, tuple[str, str]] = {}
    if previous is not None:
        previous.status = ZoneSetStatus.ARCHIVED
        locked = {
            r.client_id
            for r in session.scalars(
                select(ZoneClient).where(ZoneClient.zone_set_id == previous.id, ZoneClient.locked)
            )
        }
        old_meta = {zone_key(z.worker_id): (z.name, z.color) for z in previous.zones if z.worker_id}
    session.flush()
    version = (
        session.scalar(
            select(func.max(ZoneSet.version)).where(ZoneSet.office_id == zoning.office.id)
        )
        or 0
    ) + 1
    zone_set = ZoneSet(
        office_id=zoning.office.id,
        version=version,
        status=ZoneSetStatus.ACTIVE,
        note=note,
        created_by=user.id if user else None,
    )
    polygons = _polygons(zoning, zone_of)
    used_colours = {colour for _, colour in old_meta.values()}
    free_colours = [c for c in PALETTE if c not in used_colours]
    for n, (key, worker) in enumerate(zoning.workers.items(), start=1):
        name, colour = old_meta.get(key) or (
            f"Участок {n} — {_short_name(worker.full_name)}",
            free_colours.pop(0) if free_colours else PALETTE[n % len(PALETTE)],
        )
        zone_set.zones.append(
            Zone(worker_id=worker.id, name=name, color=colour, polygon=polygons.get(key))
        )
    zone_set.stats = {
        "clients": len(zone_of),
        "max_over_mean": round(_max_over_mean(figures), 3) if figures else None,
    }
    session.add(zone_set)
    session.flush()
    ids = {zone_key(z.worker_id): z.id for z in zone_set.zones if z.worker_id is not None}
    session.add_all(
        ZoneClient(
            zone_set_id=zone_set.id,
            client_id=int(client),
            zone_id=ids[zone],
            locked=int(client) in locked,
        )
        for client, zone in zone_of.items()
        if zone in ids
    )
    session.flush()
    return zone_set


def _max_over_mean(figures: Sequence[ZoneFigures]) -> float:
    loads = [f.workload_minutes / f.hours_share for f in figures if f.hours_share]
    mean = sum(loads) / len(loads) if loads else 0
    return max(loads) / mean if mean else 1.0


def _short_name(full_name: str) -> str:
    """'Иванова Мария Петровна' -> 'Иванова М. П.'"""
    parts = full_name.split()
    return " ".join(parts[:1] + [p[0] + "." for p in parts[1:3]])


def _polygons(zoning: OfficeZoning, zone_of: Mapping[str, str]) -> dict[str, Any]:
    """Non-overlapping polygons per zone, clipped to the office's service area."""
    from zones.shapes import zone_shapes

    area = to_shape(zoning.office.service_area) if zoning.office.service_area is not None else None
    placed = [c for c in zoning.clients if c.id in zone_of]
    if not placed:
        return {}
    collection = zone_shapes(placed, zone_of, service_area=area)
    polygons: dict[str, Any] = {}
    for feature in collection["features"]:
        geometry = shape(feature["geometry"])
        if isinstance(geometry, Polygon):
            geometry = MultiPolygon([geometry])
        if not geometry.is_empty:
            polygons[feature["properties"]["zone_id"]] = from_shape(geometry, srid=4326)
    return polygons
