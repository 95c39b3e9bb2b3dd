"""Input checks that name the client or zone at fault."""

from __future__ import annotations

import math
from collections.abc import Sequence

from zones.problem import Client, Zone, ZoneInputError


def check_office(clients: Sequence[Client], zones: Sequence[Zone]) -> None:
    """Raise `ZoneInputError` for anything that makes zoning impossible or meaningless."""
    if not clients:
        raise ZoneInputError("the office has no clients to zone")
    if not zones:
        raise ZoneInputError("the office has no zones (no workers)")
    _check_zones(zones)
    _check_clients(clients, {z.id: z for z in zones})


def _check_zones(zones: Sequence[Zone]) -> None:
    seen: set[str] = set()
    for zone in zones:
        if zone.id in seen:
            raise ZoneInputError(f"zone {zone.id!r} appears twice")
        seen.add(zone.id)
        if not math.isfinite(zone.weekly_hours) or zone.weekly_hours <= 0:
            raise ZoneInputError(
                f"zone {zone.id!r}: the worker's weekly hours must be positive, "
                f"got {zone.weekly_hours}"
            )


def _check_clients(clients: Sequence[Client], zones: dict[str, Zone]) -> None:
    skills_on_offer = frozenset().union(*(z.skills for z in zones.values()))
    seen: set[str] = set()
    for client in clients:
        if client.id in seen:
            raise ZoneInputError(f"client {client.id!r} appears twice")
        seen.add(client.id)
        if not _has_location(client):
            raise ZoneInputError(f"client {client.id!r} has no location (lon/lat)")
        if not math.isfinite(client.weekly_minutes) or client.weekly_minutes < 0:
            raise ZoneInputError(
                f"client {client.id!r}: weekly minutes must be zero or more, "
                f"got {client.weekly_minutes}"
            )
        if not math.isfinite(client.weekly_visits) or client.weekly_visits < 0:
            raise ZoneInputError(
                f"client {client.id!r}: weekly visits must be zero or more, "
                f"got {client.weekly_visits}"
            )
        missing = client.skills - skills_on_offer
        if missing:
            raise ZoneInputError(
                f"client {client.id!r} needs skill {sorted(missing)[0]!r} that no zone's worker has"
            )
        if not any(client.skills <= zone.skills for zone in zones.values()):
            raise ZoneInputError(
                f"client {client.id!r} needs skills {sorted(client.skills)} that no single "
                "zone's worker has together"
            )
        if client.locked_zone is not None:
            _check_lock(client, zones)


def _check_lock(client: Client, zones: dict[str, Zone]) -> None:
    zone = zones.get(client.locked_zone or "")
    if zone is None:
        raise ZoneInputError(
            f"client {client.id!r} is locked to unknown zone {client.locked_zone!r}"
        )
    if not client.skills <= zone.skills:
        raise ZoneInputError(
            f"client {client.id!r} is locked to zone {zone.id!r} whose worker lacks skill "
            f"{sorted(client.skills - zone.skills)[0]!r}"
        )


def _has_location(client: Client) -> bool:
    if client.lon is None or client.lat is None:
        return False
    if not (math.isfinite(client.lon) and math.isfinite(client.lat)):
        return False
    return -180.0 <= client.lon <= 180.0 and -90.0 <= client.lat <= 90.0
