"""One batch from a phone (HTTP sync or the worker websocket) through the ingest chain."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from sqlalchemy.orm import Session

from tracking import ingest, live, visits
from tracking.devices import DeviceContext
from tracking.events import ingest_events
from tracking.pings import RawPing, Verdict
from tracking.protocols import DecodeError, decode_batch_ping

log = logging.getLogger("careroute.gateway")

# Batches stored at once per process: one in Python while another waits on the database.
# More would only share the GIL in 5 ms slices, so every batch in the process would finish
# late; queued in turn, the first ones finish early (lower live latency at the same load).
_BATCHES_AT_ONCE = threading.BoundedSemaphore(2)
MAX_ITEMS = 5000  # per batch; a phone offline for a whole day sends about 3,000 pings


class BatchTooLarge(ValueError):
    pass


def decode_pings(items: list[Any]) -> list[RawPing | Verdict]:
    """Decode each ping; an unreadable one becomes a rejection, the others go on."""
    decoded: list[RawPing | Verdict] = []
    for item in items:
        try:
            decoded.append(decode_batch_ping(item))
        except DecodeError as exc:
            uuid = item.get("uuid") if isinstance(item, dict) else None
            decoded.append(Verdict("rejected", f"unreadable: {exc}"[:80], uuid))
    return decoded


def process_batch(
    session: Session, *, device: DeviceContext, body: Any, source: str, received_ms: int | None
) -> dict[str, Any]:
    """Store a batch's pings and events in one transaction, then publish: per-item answers."""
    received_ms = received_ms or int(time.time() * 1000)
    if not isinstance(body, dict):
        raise ValueError("expected an object {pings: [...], events: [...]}")
    pings = body.get("pings") or []
    events = body.get("events") or []
    if not isinstance(pings, list) or not isinstance(events, list):
        raise ValueError("pings and events must be lists")
    if len(pings) + len(events) > MAX_ITEMS:
        raise BatchTooLarge(f"at most {MAX_ITEMS} items per batch")

    with _BATCHES_AT_ONCE:
        result = ingest.ingest_pings(
            session, device=device, items=decode_pings(pings), source=source
        )
        event_verdicts, changed = ingest_events(session, device=device, items=events)
        session.commit()  # stored: from here on nothing can lose these items

    ingest.publish(device, result, received_ms=received_ms)
    for visit in changed:
        live.publish_visit(office_id=visit.office_id, visit=visits.as_json(visit))
    return {
        "pings": [v.as_json() for v in result.verdicts],
        "events": [v.as_json() for v in event_verdicts],
        "counts": result.counts(),
    }
