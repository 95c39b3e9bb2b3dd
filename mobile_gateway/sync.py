"""One batch from a phone (HTTP sync or the worker websocket): JSON in, per-item answers out.

Decoding, validation, storage and publishing are tracking's (`tracking.ingest.receive_batch`);
this only reads the batch's two lists out of the body."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tracking import ingest
from tracking.devices import DeviceContext
from tracking.ingest import BatchTooLarge, BatchUnreadable

__all__ = ["BatchTooLarge", "BatchUnreadable", "process_batch"]


def process_batch(
    session: Session, *, device: DeviceContext, body: Any, source: str, received_ms: int | None
) -> dict[str, Any]:
    """The per-item answers to one batch `{pings: [...], events: [...], ratings: [...]}`."""
    pings, events = ingest.read_batch(body)
    result = ingest.receive_batch(
        session,
        device=device,
        pings=pings,
        events=events,
        ratings=ingest.read_ratings(body),
        source=source,
        received_ms=received_ms,
    )
    return result.as_json()
