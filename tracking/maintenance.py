"""Tracking upkeep, one pass: partitions ahead, old partitions dropped, visits inferred.

`run_once(session)` is meant to be called every few minutes by a periodic task of the app
(or by `careroute tracking maintain` from cron). Each step is idempotent, so a pass that is
interrupted or run twice does no harm.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Office
from core.settings import get_settings
from registry.models import Worker
from tracking import partitions
from tracking.inference import infer_office_day

log = logging.getLogger("careroute.tracking.maintenance")

AHEAD_DAYS = 2  # partitions made beyond tomorrow, so midnight never waits for DDL


@dataclass
class Upkeep:
    """What one pass did."""

    partitions: int = 0  # days that have a partition now
    dropped: list[date] = field(default_factory=list)
    inferred: dict[tuple[int, date], int] = field(default_factory=dict)  # visits seen
    failed: list[tuple[int, date]] = field(default_factory=list)


def ensure_ahead(*, now: datetime | None = None, ahead_days: int = AHEAD_DAYS) -> int:
    """Partitions for every day pings may arrive for, and `ahead_days` more; returns how many
    days have a partition."""
    days = partitions.window(now)
    days += [days[-1] + timedelta(days=n) for n in range(1, ahead_days + 1)]
    partitions.ensure_partitions(days)
    return len(partitions.existing())


def days_to_infer(now: datetime) -> list[date]:
    """Yesterday (finished after midnight) and today so far, in the offices' time zone."""
    today = now.astimezone(ZoneInfo(get_settings().timezone)).date()
    return [today - timedelta(days=1), today]


def run_once(
    session: Session,
    *,
    now: datetime | None = None,
    office_ids: Iterable[int] | None = None,
) -> Upkeep:
    """One upkeep pass; commits the session after each office-day it infers. `office_ids`
    limits inference (default: every office with active workers)."""
    now = now or datetime.now(UTC)
    upkeep = Upkeep()
    upkeep.partitions = ensure_ahead(now=now)
    upkeep.dropped = partitions.drop_old_partitions(today=now.astimezone(UTC).date())
    offices = list(office_ids) if office_ids is not None else _offices_with_workers(session)
    for office_id in offices:
        for day in days_to_infer(now):
            try:
                counted = infer_office_day(session, office_id=office_id, day=day)
                session.commit()
            except Exception:  # one office's bad data must not stop the others' upkeep
                session.rollback()
                log.exception("inference failed", extra={"office_id": office_id, "day": str(day)})
                upkeep.failed.append((office_id, day))
                continue
            upkeep.inferred[(office_id, day)] = counted["visits"]
    return upkeep


def _offices_with_workers(session: Session) -> list[int]:
    query = (
        select(Office.id).join(Worker, Worker.office_id == Office.id).where(Worker.active)
    ).distinct()
    return sorted(session.scalars(query))
