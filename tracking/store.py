"""Writing pings to PostGIS: one multi-row INSERT per batch, duplicates skipped by the key.

The batch travels as arrays (`unnest`) in a single statement, so a request of 500 pings is
one round trip. `ON CONFLICT DO NOTHING` on the primary key (device_id, t) makes a resend
harmless, and `RETURNING t` tells which rows were new.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from tracking.devices import DeviceContext
from tracking.pings import Ping

_INSERT = text(
    """
    INSERT INTO ping (device_id, t, worker_id, office_id, location, accuracy, speed, bearing,
                      altitude, battery, flags, source, uuid)
    SELECT :device_id, r.t, :worker_id, :office_id, ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326),
           r.accuracy, r.speed, r.bearing, r.altitude, r.battery, r.flags, :source, r.uuid
    FROM unnest(CAST(:t AS timestamptz[]), CAST(:lon AS float8[]), CAST(:lat AS float8[]),
                CAST(:accuracy AS float4[]), CAST(:speed AS float4[]), CAST(:bearing AS float4[]),
                CAST(:altitude AS float4[]), CAST(:battery AS float4[]), CAST(:flags AS int2[]),
                CAST(:uuid AS uuid[]))
         AS r(t, lon, lat, accuracy, speed, bearing, altitude, battery, flags, uuid)
    ON CONFLICT (device_id, t) DO NOTHING
    RETURNING t
    """
)

_COUNT_DROPS = text(
    """
    INSERT INTO ping_drop (worker_id, day, reason, count) VALUES (:worker_id, :day, :reason, :n)
    ON CONFLICT (worker_id, day, reason) DO UPDATE SET count = ping_drop.count + EXCLUDED.count
    """
)


def insert_pings(
    session: Session, *, device: DeviceContext, pings: Sequence[Ping], source: str
) -> set[datetime]:
    """Store the pings; returns the instants that were new (the others were duplicates)."""
    if not pings:
        return set()
    params = {
        "device_id": device.device_id,
        "worker_id": device.worker_id,
        "office_id": device.office_id,
        "source": source,
        "t": [p.t for p in pings],
        "lon": [p.lon for p in pings],
        "lat": [p.lat for p in pings],
        "accuracy": [p.accuracy for p in pings],
        "speed": [p.speed for p in pings],
        "bearing": [p.bearing for p in pings],
        "altitude": [p.altitude for p in pings],
        "battery": [p.battery for p in pings],
        "flags": [p.flags for p in pings],
        "uuid": [_uuid_or_none(p.uuid) for p in pings],
    }
    return set(session.execute(_INSERT, params).scalars())


def _uuid_or_none(value: str | None) -> str | None:
    """Only well-formed UUIDs are kept (the column is typed); others are just not stored."""
    if value is None or len(value) != 36 or value.count("-") != 4:
        return None
    try:
        int(value.replace("-", ""), 16)
    except ValueError:
        return None
    return value


def count_drops(session: Session, *, worker_id: int, drops: Counter[tuple[date, str]]) -> None:
    """Add dropped pings to the per-day counters."""
    for (day, reason), n in drops.items():
        session.execute(
            _COUNT_DROPS, {"worker_id": worker_id, "day": day, "reason": reason, "n": n}
        )
