"""Ping and visit-event ingest, an ordered chain of small steps:

    decode (tracking.protocols) -> validate -> shift filter -> dedup -> store -> record
    refusals -> commit -> publish (best effort)

`receive_batch` is the one entry for every way a phone reports (the phone page's batch and
websocket, OsmAnd, OwnTracks): the gateway only translates HTTP to and from it.

Every input item gets one verdict: `accepted` (stored now), `duplicate` (stored before, or
twice in this batch), `rejected` + reason (invalid; resending will not help) or `dropped` +
reason (valid but not kept by rule, e.g. outside the worker's shift). A bad item never
refuses its batch: it gets its own verdict and the rest is stored. Each refusal is recorded
once (`ping_refusal`, keyed by device and item) and counted once per day and reason
(`ping_drop`), so a phone resending a refused fix does not inflate the counters. If the store
fails the whole request fails (503) and nothing is written, so the phone's resend stores
everything; if Redis fails, the pings are already stored and only the live view misses them.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.settings import get_settings
from tracking import live, partitions, store, visits
from tracking.devices import DeviceContext
from tracking.events import ingest_events
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
from tracking.protocols import DecodeError, decode_batch_ping
from tracking.ratings import ingest_ratings, link_to_visits

log = logging.getLogger("careroute.tracking.ingest")

SHIFT_MARGIN = timedelta(minutes=30)  # pings this close to a shift still count as in it
LAST_SEEN_EVERY_S = 60.0  # how often a device's last_seen_at is written

_last_seen_written: dict[int, float] = {}

# Batches stored at once per process: one in Python while another waits on the database.
# More would only share the GIL in 5 ms slices, so every batch in the process would finish
# late; queued in turn, the first ones finish early (lower live latency at the same load).
_BATCHES_AT_ONCE = threading.BoundedSemaphore(2)
MAX_ITEMS = 5000  # per batch; a phone offline for a whole day sends about 3,000 pings


class BatchUnreadable(ValueError):
    """The batch as a whole is not a batch (not an object, lists that are not lists): 422."""


class BatchTooLarge(BatchUnreadable):
    """More than MAX_ITEMS items: 413."""


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
    keys: Sequence[str] | None = None,
) -> IngestResult:
    """Validate, filter, deduplicate and store a device's pings, and record the refused ones
    (the caller commits). `keys` name each item for counting a refusal once (made from the
    decoded item when not given)."""
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
    _record_refusals(
        session, device=device, items=items, verdicts=verdicts, keys=keys, source=source, now=now
    )
    return IngestResult(verdicts=[v for v in verdicts if v is not None], stored=stored)


def item_key(item: object) -> str:
    """A stable name of one incoming item (the same item resent gets the same key)."""
    if isinstance(item, RawPing):
        if item.uuid:
            return "u:" + item.uuid[:100]
        item = [str(item.t), item.lat, item.lon]
    try:
        dumped = orjson.dumps(item, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        dumped = repr(item).encode()
    return "h:" + hashlib.sha1(dumped, usedforsecurity=False).hexdigest()


def _record_refusals(
    session: Session,
    *,
    device: DeviceContext,
    items: Sequence[RawPing | Verdict],
    verdicts: Sequence[Verdict | None],
    keys: Sequence[str] | None,
    source: str,
    now: datetime,
) -> None:
    """Each rejected or dropped item once in `ping_refusal`, and the new ones counted."""
    tz = ZoneInfo(get_settings().timezone)
    refused = []
    for index, verdict in enumerate(verdicts):
        if verdict is None or verdict.status not in ("rejected", "dropped"):
            continue
        item = items[index]
        t = item.t if isinstance(item, RawPing) and item.t is not None else now
        day = t.astimezone(tz).date() if abs(t - now) < timedelta(days=3660) else now.date()
        key = keys[index] if keys is not None else item_key(item)
        refused.append((key, day, verdict.reason or verdict.status))
    new = store.record_refusals(session, device=device, refused=refused, source=source)
    drops: Counter[tuple[date, str]] = Counter()
    for day, reason in new:
        drops[(day, reason.split(":")[0][:30])] += 1
    store.count_drops(session, worker_id=device.worker_id, drops=drops)


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
    for index, ping in valid:
        if in_windows(ping.t, windows):
            kept.append((index, ping))
        else:  # recorded and counted with the other refusals
            verdicts[index] = Verdict("dropped", "outside_shift", ping.uuid)
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


def read_batch(body: object) -> tuple[list[object], list[object]]:
    """The pings and events of a batch `{pings: [...], events: [...]}` (BatchUnreadable if
    the batch as a whole is not one)."""
    if not isinstance(body, dict):
        raise BatchUnreadable("expected an object {pings: [...], events: [...]}")
    pings = body.get("pings") or []
    events = body.get("events") or []
    if not isinstance(pings, list) or not isinstance(events, list):
        raise BatchUnreadable("pings and events must be lists")
    if len(pings) + len(events) + len(read_ratings(body)) > MAX_ITEMS:
        raise BatchTooLarge(f"at most {MAX_ITEMS} items per batch")
    return pings, events


def read_ratings(body: object) -> list[object]:
    """The clients' ratings of a batch (`ratings: [...]`, optional; `tracking.ratings`)."""
    ratings = body.get("ratings") if isinstance(body, dict) else None
    if ratings is None:
        return []
    if not isinstance(ratings, list):
        raise BatchUnreadable("ratings must be a list")
    return ratings


def decode_ping(item: object) -> RawPing | Verdict:
    """One ping of CareRoute's own batch, or its rejection (an unreadable one refuses only
    itself)."""
    try:
        return decode_batch_ping(item)
    except DecodeError as exc:
        uuid = item.get("uuid") if isinstance(item, dict) else None
        clean = uuid if isinstance(uuid, str) and "\x00" not in uuid and len(uuid) <= 100 else None
        return Verdict("rejected", f"unreadable: {exc}"[:80], clean)


@dataclass
class BatchResult:
    """The verdicts of one batch, in the order of its items."""

    pings: IngestResult
    events: list[Verdict]
    ratings: list[Verdict] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        answer: dict[str, object] = {
            "pings": [v.as_json() for v in self.pings.verdicts],
            "events": [v.as_json() for v in self.events],
            "counts": self.pings.counts(),
        }
        if self.ratings:
            answer["ratings"] = [v.as_json() for v in self.ratings]
        return answer


def receive_batch(
    session: Session,
    *,
    device: DeviceContext,
    pings: Sequence[object] = (),
    events: Sequence[object] = (),
    source: str,
    received_ms: int | None = None,
    ratings: Sequence[object] = (),
) -> BatchResult:
    """The whole chain for one request from a phone: decode, validate, dedup and store the
    pings and visit events in one transaction, commit, then publish to the live view.

    Pings come as JSON items of the batch, or already decoded (`RawPing`) by a GPS app's
    protocol decoder. Commits the session."""
    received_ms = received_ms or int(time.time() * 1000)
    decoded = [p if isinstance(p, RawPing | Verdict) else decode_ping(p) for p in pings]
    keys = [item_key(p) for p in pings]
    with _BATCHES_AT_ONCE:
        result = ingest_pings(session, device=device, items=decoded, source=source, keys=keys)
        event_verdicts, changed = ingest_events(session, device=device, items=list(events))
        rating_verdicts = ingest_ratings(session, device=device, items=list(ratings))
        link_to_visits(session, visits=changed)
        session.commit()  # stored: from here on nothing can lose these items

    publish(device, result, received_ms=received_ms)
    for visit in changed:
        live.publish_visit(office_id=visit.office_id, visit=visits.as_json(visit))
    if len(result.verdicts) != len(pings) or len(event_verdicts) != len(events):
        log.error("ingest lost track of items", extra={"device_id": device.device_id})
    return BatchResult(pings=result, events=event_verdicts, ratings=rating_verdicts)
