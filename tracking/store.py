"""Writing pings to PostGIS: one INSERT per batch, duplicates skipped by the key.

The batch travels as one JSON text parameter, rows read back by `json_to_recordset`, so a
request of 500 pings is one round trip and costs Python one `orjson.dumps` (the `Ping`
dataclasses serialise in C) instead of adapting ten arrays element by element (measured in
`bench.ingest`'s notes: about 2.5 against 10 microseconds of Python per ping, the same
database time). `ON CONFLICT DO NOTHING` on the primary key (device_id, t) makes a resend
harmless, and `RETURNING t` tells which rows were new. A `uuid` that is not a well-formed
UUID is stored as NULL (the column is typed; the instant is the key anyway).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime

import orjson
from sqlalchemy import text
from sqlalchemy.orm import Session

from tracking.devices import DeviceContext
from tracking.pings import Ping

_UUID = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"

_INSERT = text(
    f"""
    INSERT INTO ping (device_id, t, worker_id, office_id, location, accuracy, speed, bearing,
                      altitude, battery, flags, source, uuid)
    SELECT :device_id, r.t, :worker_id, :office_id, ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326),
           r.accuracy, r.speed, r.bearing, r.altitude, r.battery, r.flags, :source,
           CASE WHEN r.uuid ~ '{_UUID}' THEN r.uuid::uuid END
    FROM json_to_recordset(CAST(:rows AS json))
         AS r(t timestamptz, lon float8, lat float8, accuracy float4, speed float4,
              bearing float4, altitude float4, battery float4, flags int2, uuid text)
    ON CONFLICT (device_id, t) DO NOTHING
    RETURNING t AT TIME ZONE 'UTC'
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
        "rows": orjson.dumps(list(pings)).decode(),
    }
    # Naive UTC back (`AT TIME ZONE 'UTC'`), made aware in UTC here: the pings' instants are
    # mostly UTC too, and same-tzinfo datetimes hash and compare without zoneinfo lookups.
    return {t.replace(tzinfo=UTC) for t in session.execute(_INSERT, params).scalars()}


_RECORD_REFUSALS = text(
    """
    INSERT INTO ping_refusal (device_id, key, worker_id, day, reason, source)
    SELECT :device_id, r.key, :worker_id, r.day, r.reason, :source
    FROM json_to_recordset(CAST(:rows AS json)) AS r(key text, day date, reason text)
    ON CONFLICT (device_id, key) DO NOTHING
    RETURNING day, reason
    """
)


def record_refusals(
    session: Session,
    *,
    device: DeviceContext,
    refused: Sequence[tuple[str, date, str]],
    source: str,
) -> list[tuple[date, str]]:
    """Record refused items (key, day, reason) once per device; returns the new ones."""
    if not refused:
        return []
    rows = [{"key": key[:64], "day": day, "reason": reason[:80]} for key, day, reason in refused]
    params = {
        "device_id": device.device_id,
        "worker_id": device.worker_id,
        "source": source,
        "rows": orjson.dumps(rows).decode(),
    }
    return [(day, reason) for day, reason in session.execute(_RECORD_REFUSALS, params)]


def count_drops(session: Session, *, worker_id: int, drops: Counter[tuple[date, str]]) -> None:
    """Add dropped pings to the per-day counters."""
    for (day, reason), n in drops.items():
        session.execute(
            _COUNT_DROPS, {"worker_id": worker_id, "day": day, "reason": reason, "n": n}
        )
