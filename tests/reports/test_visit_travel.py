"""Each visit keeps the seconds of the measured trips that ended at it
(`tracking.inference.attach_travel`): the legs of its own worker and day that arrive at its
client, summed; none without such a leg; one worker's day refreshed without touching others."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.settings import get_settings
from tests import factories
from tracking.inference import attach_travel
from tracking.models import Visit

DAY = date(2026, 10, 6)


def _at(hour: int, minute: int) -> datetime:
    return datetime.combine(DAY, time(hour, minute), ZoneInfo(get_settings().timezone))


def _leg(db: Session, office_id: int, worker_id: int, route: tuple[int, int], depart: datetime,
         minutes: int) -> None:  # fmt: skip
    frm, to = route
    db.execute(
        text(
            "INSERT INTO travel_leg (office_id, worker_id, mode, day, from_client_id, "
            "to_client_id, depart, arrive, straight_m, path_m) "
            "VALUES (:o, :w, 'walk', :d, :f, :t, :a, :b, 100, 120)"
        ),
        {
            "o": office_id,
            "w": worker_id,
            "d": DAY,
            "f": frm,
            "t": to,
            "a": depart,
            "b": depart + timedelta(minutes=minutes),
        },
    )


def test_a_visit_keeps_the_trips_that_ended_at_it(db: Session) -> None:
    office = factories.office(db)
    anna, boris = factories.worker(db, office), factories.worker(db, office)
    home, shop, flat = (factories.client(db, office) for _ in range(3))
    db.flush()
    visits = {
        key: Visit(office_id=office.id, worker_id=w.id, client_id=c.id, day=DAY, status="done")
        for key, w, c in (("anna-flat", anna, flat), ("anna-shop", anna, shop),
                          ("boris-flat", boris, flat))
    }  # fmt: skip
    db.add_all(visits.values())
    db.flush()
    # Anna comes to the flat twice (from home, then back from the shop): both trips count
    _leg(db, office.id, anna.id, (home.id, flat.id), _at(9, 0), 12)
    _leg(db, office.id, anna.id, (flat.id, shop.id), _at(10, 0), 7)
    _leg(db, office.id, anna.id, (shop.id, flat.id), _at(11, 0), 9)
    # Boris's trip to the same flat is his visit's, not Anna's
    _leg(db, office.id, boris.id, (home.id, flat.id), _at(9, 30), 20)

    attach_travel(db, office_ids=[office.id], start=DAY, end=DAY)
    db.expire_all()
    assert visits["anna-flat"].travel_s == (12 + 9) * 60
    assert visits["anna-shop"].travel_s == 7 * 60
    assert visits["boris-flat"].travel_s == 20 * 60

    # Anna's day inferred again without the trip to the shop: her visit there has none; Boris's
    # day is not touched even when his legs are gone
    db.execute(text("DELETE FROM travel_leg WHERE to_client_id = :s"), {"s": shop.id})
    db.execute(text("DELETE FROM travel_leg WHERE worker_id = :w"), {"w": boris.id})
    attach_travel(db, office_ids=[office.id], start=DAY, end=DAY, worker_id=anna.id)
    db.expire_all()
    assert visits["anna-shop"].travel_s is None
    assert visits["anna-flat"].travel_s == (12 + 9) * 60
    assert visits["boris-flat"].travel_s == 20 * 60
