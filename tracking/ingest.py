"""Ping ingest, an ordered chain of small steps:

    decode (tracking.protocols, by the gateway) -> validate -> shift filter -> dedup -> store
    -> commit -> publish (best effort)

Every input item gets one verdict: `accepted` (stored now), `duplicate` (stored before, or
twice in this batch), `rejected` + reason (invalid; resending will not help) or `dropped` +
reason (valid but not kept by rule, e.g. outside the worker's shift). If the store fails the
whole request fails (503) and nothing is written, so the phone's resend stores everything;
if Redis fails, the pings are already stored and only the live view misses them.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.settings import get_settings
from tracking import live, partitions, store
from tracking.devices import DeviceContext
from tracking.pings import (
    Limits,
    Ping,
    RawPing,
    Verdict,
    dedup,
    in_windows,
    latest,
    shift_windows,
    validate,
)

log = logging.getLogger("careroute.tracking.ingest")

SHIFT_MARGIN = timedelta(minutes=30)  # pings this close to a shift still count as in it
LAST_SEEN_EVERY_S = 60.0  # how often a device's last_seen_at is written

_last_seen_written: dict[int, float] = {}


@dataclass
class IngestResult:
    verdicts: list[Verdict]
    stored: list[Ping] = field(default_factory=list)  # new rows, in device-time order

    def counts(self) -> dict[str, int]:
        return dict(Counter(v.status for v in self.verdicts))


def limits() -> Limits:
    settings = get_settings()
    return Limits(
        future_skew=timedelta(seconds=settings.ping_future_skew_s),
        max_age=timedelta(days=settings.ping_max_age_days),
        max_accuracy_m=settings.ping_max_accuracy_m,
    )


def ingest_pings(
    session: Session,
    *,
    device: DeviceContext,
    items: Sequence[RawPing | Verdict],
    source: str,
    now: datetime | None = None,
) -> IngestResult:
    """Validate, filter, deduplicate and store a device's pings (the caller commits)."""
    now = now or datetime.now(UTC)
    checker = limits()
    verdicts: list[Verdict | None] = [None] * len(items)
    valid: list[tuple[int, Ping]] = []
    for index, item in enumerate(items):
        checked = item if isinstance(item, Verdict) else validate(item, now=now, limits=checker)
        if isinstance(checked, Verdict):
            verdicts[index] = checked
        else:
            valid.append((index, checked))

    # keep only pings inside the shift (employees' privacy)
    candidates = _in_shift(valid, device=device, verdicts=verdicts, session=session)

    # dedup within the batch, then store; the key skips what an earlier request stored
    unique, repeated = dedup([ping for _, ping in candidates])
    for position in repeated:
        index, ping = candidates[position]
        verdicts[index] = Verdict("duplicate", None, ping.uuid)
    stored_t = _store(session, device=device, pings=unique, source=source)
    _touch_device(session, device.device_id)

    index_of_ping = {id(ping): index for index, ping in candidates}
    stored: list[Ping] = []
    for ping in unique:
        new = ping.t in stored_t
        verdicts[index_of_ping[id(ping)]] = Verdict(
            "accepted" if new else "duplicate", None, ping.uuid
        )
        if new:
            stored.append(ping)
    stored.sort(key=lambda p: p.t)
    return IngestResult(verdicts=[v for v in verdicts if v is not None], stored=stored)


def _in_shift(
    valid: list[tuple[int, Ping]],
    *,
    device: DeviceContext,
    verdicts: list[Verdict | None],
    session: Session,
) -> list[tuple[int, Ping]]:
    """The pings inside the worker's shift; the others get `dropped` and are counted."""
    settings = get_settings()
    if settings.track_outside_shift or not valid:
        return valid
    tz = ZoneInfo(settings.timezone)
    times = [ping.t for _, ping in valid]
    windows = shift_windows(
        device.shifts, first=min(times), last=max(times), tz=tz, margin=SHIFT_MARGIN
    )
    kept: list[tuple[int, Ping]] = []
    drops: Counter[tuple[date, str]] = Counter()
    for index, ping in valid:
        if in_windows(ping.t, windows):
            kept.append((index, ping))
        else:
            verdicts[index] = Verdict("dropped", "outside_shift", ping.uuid)
            drops[(ping.t.astimezone(tz).date(), "outside_shift")] += 1
    store.count_drops(session, worker_id=device.worker_id, drops=drops)
    return kept


def _store(
    session: Session, *, device: DeviceContext, pings: Sequence[Ping], source: str
) -> set[datetime]:
    if not pings:
        return set()
    first = min(p.t for p in pings).astimezone(UTC).date()
    last = max(p.t for p in pings).astimezone(UTC).date()
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    partitions.ensure_partitions(days, engine=session.get_bind().engine)
    return store.insert_pings(session, device=device, pings=pings, source=source)


def _touch_device(session: Session, device_id: int) -> None:
    now = time.monotonic()
    if now - _last_seen_written.get(device_id, -LAST_SEEN_EVERY_S) < LAST_SEEN_EVERY_S:
        return
    session.execute(
        text("UPDATE device SET last_seen_at = now() WHERE id = :id"), {"id": device_id}
    )
    _last_seen_written[device_id] = now


def publish(device: DeviceContext, result: IngestResult, *, received_ms: int) -> None:
    """The publish step: the worker's newest stored position to the live view (best effort)."""
    newest = latest(result.stored)
    if newest is None:
        return
    live.publish_positions(
        office_id=device.office_id,
        worker_id=device.worker_id,
        newest=newest,
        received_ms=received_ms,
    )


def receive_pings(
    session: Session,
    *,
    device: DeviceContext,
    items: Sequence[RawPing | Verdict],
    source: str,
    received_ms: int | None = None,
) -> IngestResult:
    """The whole chain for one request: store and commit, then publish. Commits the session."""
    received_ms = received_ms or int(time.time() * 1000)
    result = ingest_pings(session, device=device, items=items, source=source)
    session.commit()
    publish(device, result, received_ms=received_ms)
    if len(result.verdicts) != len(items):  # every item must have its verdict
        log.error("ingest lost track of items", extra={"device_id": device.device_id})
    return result
