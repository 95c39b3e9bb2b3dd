"""The last position of each worker comes from the stored pings, newest first, within the day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from tests import factories as f
from tracking.partitions import ensure_partitions
from tracking.positions import last_seen


def test_last_seen_takes_each_workers_newest_ping_of_the_window(db: Session) -> None:
    office = f.office(db)
    anna, olga = f.worker(db, office), f.worker(db, office)
    noon = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    ensure_partitions([noon.date(), (noon - timedelta(days=1)).date()])
    pings = [
        (anna.id, noon - timedelta(minutes=30), 37.780, 55.750),
        (anna.id, noon - timedelta(minutes=5), 37.790, 55.752),  # anna's newest
        (anna.id, noon + timedelta(minutes=5), 37.800, 55.760),  # after "now": ignored
        (olga.id, noon - timedelta(hours=20), 37.700, 55.700),  # yesterday: ignored
        (olga.id, noon - timedelta(minutes=50), 37.770, 55.745),
    ]
    for n, (worker_id, t, lon, lat) in enumerate(pings):
        db.execute(
            text(
                "INSERT INTO ping (device_id, t, worker_id, office_id, location, flags, source)"
                " VALUES (:d, :t, :w, :o, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), 0, 'sync')"
            ),
            {"d": 900_000 + n, "t": t, "w": worker_id, "o": office.id, "lon": lon, "lat": lat},
        )
    seen = last_seen(db, office_id=office.id, since=noon.replace(hour=0), until=noon)
    assert set(seen) == {anna.id, olga.id}
    assert (seen[anna.id].lon, seen[anna.id].lat) == (37.790, 55.752)
    assert seen[olga.id].t == noon - timedelta(minutes=50)
