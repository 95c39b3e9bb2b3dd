"""Every refusal reason of a ping or a visit event, from the pure decoders and validators: each
bad item gets its own reason (the gateway tests show the rest of the batch is stored)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tracking.events import decode_event
from tracking.ingest import decode_ping
from tracking.pings import Limits, RawPing, Verdict, validate

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
LIMITS = Limits(future_skew=timedelta(minutes=2), max_age=timedelta(days=7), max_accuracy_m=100)
GOOD = {"t": NOW.isoformat(), "lat": 55.75, "lon": 37.78}


@pytest.mark.parametrize(
    ("ping", "reason"),
    [
        ({"lat": 55.75, "lon": 37.78}, "missing_time"),
        ({"t": NOW.isoformat()}, "missing_coordinates"),
        (GOOD | {"lat": 91}, "coordinates_out_of_range"),
        (GOOD | {"lat": 0, "lon": 0}, "no_fix"),
        (GOOD | {"t": (NOW + timedelta(hours=1)).isoformat()}, "in_future"),
        (GOOD | {"t": (NOW - timedelta(days=8)).isoformat()}, "too_old"),
        (GOOD | {"lat": "abc"}, "unreadable"),
        (GOOD | {"uuid": 7}, "unreadable"),
        (GOOD | {"uuid": "a\x00"}, "unreadable"),
        (GOOD | {"t": 10**400}, "unreadable"),
        ("not an object", "unreadable"),
    ],
)
def test_each_bad_ping_has_its_reason(ping: object, reason: str) -> None:
    decoded = decode_ping(ping)
    verdict = decoded if isinstance(decoded, Verdict) else validate(decoded, now=NOW, limits=LIMITS)
    assert isinstance(verdict, Verdict) and verdict.status == "rejected"
    assert (verdict.reason or "").split(":")[0] == reason


def event(**fields: object) -> dict[str, object]:
    return {"uuid": str(uuid.uuid4()), "type": "arrived", "t": NOW.isoformat(), "client_id": 5} | {
        k: v for k, v in fields.items()
    }


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        ("text", "not_an_object"),
        (event(uuid="x"), "bad_uuid"),
        (event(uuid=17), "bad_uuid"),
        (event(reason="a\x00b"), "nul_byte"),
        (event(client_id=2**63), "bad_id"),
        (event(client_id=True), "bad_id"),
        (event(client_id="12a"), "bad_id"),
        (event(plan_stop_id=-1), "bad_id"),
        (event(type="teleported"), "bad_fields"),
        (event(lat="north"), "bad_fields"),
        (event(t=None), "missing_time"),
        (event(t=(NOW + timedelta(hours=1)).isoformat()), "in_future"),
        (event(t=(NOW - timedelta(days=8)).isoformat()), "too_old"),
        (event(lat=95, lon=37), "coordinates_out_of_range"),
        (event(lat=55), "coordinates_out_of_range"),
        (event(type="no_show"), "reason_required"),
        (event(signature="data:text/html;base64,PHA+"), "bad_signature"),
        (event(signature="data:image/png;base64,AAAA"), "empty_signature"),
        (event(services="C01"), "bad_services"),
        (event(services=[{"code": 5}]), "bad_services"),
        (event(services=[{"code": "C01", "minutes": "abc"}]), "bad_minutes"),
        (event(services=[{"code": "C01", "minutes": -5}]), "bad_minutes"),
        (event(services=[{"code": "C01", "minutes": 10**6}]), "bad_minutes"),
        (event(code={"a": 1}), "bad_fields"),
    ],
)
def test_each_bad_event_has_its_reason(item: object, reason: str) -> None:
    verdict = decode_event(item, now=NOW, limits=LIMITS)
    assert isinstance(verdict, Verdict), verdict
    assert (verdict.status, verdict.reason) == ("rejected", reason)


def test_a_good_event_and_a_good_ping_pass() -> None:
    assert not isinstance(decode_event(event(), now=NOW, limits=LIMITS), Verdict)
    decoded = decode_ping(GOOD)
    assert isinstance(decoded, RawPing)
    assert not isinstance(validate(decoded, now=NOW, limits=LIMITS), Verdict)
