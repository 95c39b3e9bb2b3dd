"""Where each worker was last seen, read from the stored pings (the store of record), so it
works whether or not Redis holds the live copy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session


@dataclass(frozen=True, slots=True)
class LastSeen:
    worker_id: int
    lon: float
    lat: float
    t: datetime


_LATEST = text(
    """
    SELECT DISTINCT ON (worker_id)
        worker_id, ST_X(location) AS lon, ST_Y(location) AS lat, t AS seen_at
    FROM ping
    WHERE office_id = :office_id AND t >= :since AND t <= :until
    ORDER BY worker_id, t DESC
    """
)


def last_seen(
    session: Session, *, office_id: int, since: datetime, until: datetime
) -> dict[int, LastSeen]:
    """The newest ping of each of the office's workers between `since` and `until`."""
    rows = session.execute(_LATEST, {"office_id": office_id, "since": since, "until": until})
    return {row.worker_id: LastSeen(row.worker_id, row.lon, row.lat, row.seen_at) for row in rows}
