"""Travel speeds measured from the pings, offered to the planner."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracking.models import TravelLeg
from tracking.stops import Leg, calibrate

LOOKBACK = timedelta(days=60)


def travel_speeds(
    session: Session, office_id: int, *, since: timedelta = LOOKBACK
) -> dict[str, tuple[float, float]]:
    """Per travel mode of the office: (speed km/h, detour factor) from recent measured legs.

    Modes with fewer than three usable legs are absent: the planner keeps its defaults."""
    first_day = (datetime.now(UTC) - since).date()
    rows = session.scalars(
        select(TravelLeg).where(TravelLeg.office_id == office_id, TravelLeg.day >= first_day)
    )
    by_mode: dict[str, list[Leg]] = defaultdict(list)
    for row in rows:
        by_mode[row.mode].append(
            Leg(
                row.from_client_id,
                row.to_client_id,
                row.depart,
                row.arrive,
                row.straight_m,
                row.path_m,
            )
        )
    return calibrate(by_mode)
