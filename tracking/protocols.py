"""Decoders of what phones send, into `RawPing`s with SI units. Pure; no I/O.

- CareRoute's own batch (`/api/mobile/sync` and the worker websocket): speeds in m/s,
  battery in percent, `t` as ISO 8601 or epoch milliseconds.
- OsmAnd, as Traccar Client sends it: query or form fields (`id`, `lat`, `lon`, `timestamp`
  in unix seconds, milliseconds, ISO 8601 or "YYYY-MM-DD HH:MM:SS" UTC, `speed` in knots,
  `bearing`/`heading`, `altitude`, `accuracy`, `batt`, `location=lat,lon`), or its JSON form
  `{"device_id", "location": {"timestamp", "coords": {...}, "battery": {"level": 0..1}}}`
  where speed is in m/s and -1 means unknown.
- OwnTracks HTTP JSON (`_type: location`, `tst` unix seconds, `vel` km/h, `cog`, `acc`).

An OsmAnd fix without a time (Traccar Client sends such) gets the instant of receipt, flagged
`RECEIPT_TIME`, as Traccar does: answered 200, the app forgets it, so dropping it would lose it.
Anything that is not what the protocol says (a number where text belongs, a NUL byte, a
nested object) is a DecodeError, answered 4xx: never an exception deeper in.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from tracking.pings import PingFlag, RawPing

KNOT_MS = 1852 / 3600
KMH_MS = 1 / 3.6
_EPOCH = re.compile(r"-?\d+(\.\d*)?([eE][-+]?\d+)?$")  # epoch digits, not a date
_SECONDS_LIMIT = 2**31 - 1  # smaller epoch numbers are seconds, larger are milliseconds


class DecodeError(ValueError):
    """The payload cannot be read at all."""


def parse_time(value: Any) -> datetime | None:
    """An instant from epoch seconds/milliseconds or an ISO 8601 string (naive means UTC)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise DecodeError("bad time")
    if isinstance(value, int | float):
        try:
            return _from_epoch(float(value))
        except OverflowError as exc:  # an integer beyond any float
            raise DecodeError("bad time") from exc
    text = str(value).strip()
    if _EPOCH.match(text):
        return _from_epoch(float(text))
    try:
        parsed = datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
    except ValueError as exc:
        raise DecodeError(f"bad time {text!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _from_epoch(number: float) -> datetime:
    if not math.isfinite(number):
        raise DecodeError("bad time")
    seconds = number if abs(number) < _SECONDS_LIMIT else number / 1000
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise DecodeError("bad time") from exc


def number(value: Any) -> float | None:
    """A float, or None when absent; raises DecodeError for text that is not a number."""
    if type(value) is float:  # the common case, first: JSON numbers with a fraction
        return value if math.isfinite(value) else None
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise DecodeError("not a number")
    try:
        result = float(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise DecodeError(f"not a number: {value!r}") from exc
    return result if math.isfinite(result) else None


def _scaled(value: Any, factor: float) -> float | None:
    reading = number(value)
    return None if reading is None or reading < 0 else reading * factor


def decode_batch_ping(item: Any) -> RawPing:
    """One ping of CareRoute's own batch."""
    if not isinstance(item, dict):
        raise DecodeError("a ping must be an object")
    uuid = text_field(item.get("uuid"), "uuid")
    return RawPing(
        t=parse_time(item.get("t")),
        lat=number(item.get("lat")),
        lon=number(item.get("lon")),
        accuracy=number(item.get("accuracy")),
        speed=number(item.get("speed")),
        bearing=number(item.get("bearing")),
        altitude=number(item.get("altitude")),
        battery=number(item.get("battery")),
        uuid=uuid,
    )


MAX_ID_CHARS = 200  # a device identifier or token longer than this is not one


def text_field(value: Any, what: str) -> str | None:
    """A short text field (identifier, token) or None; DecodeError for anything else."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or "\x00" in value or len(value) > MAX_ID_CHARS:
        raise DecodeError(f"{what} must be text")
    return value.strip() or None


@dataclass(frozen=True, slots=True)
class OsmAndFix:
    """What one OsmAnd request says: who (identifier, optional token) and the fix."""

    identifier: str | None
    token: str | None
    ping: RawPing


def decode_osmand(fields: Any, *, received: datetime) -> OsmAndFix:
    """An OsmAnd request (query/form fields or Traccar Client 9's JSON); a fix without a time
    gets `received`, flagged RECEIPT_TIME."""
    if not isinstance(fields, dict):
        raise DecodeError("expected fields or a JSON object")
    if isinstance(fields.get("location"), dict):
        identifier, ping = decode_osmand_json(fields)
    else:
        identifier, ping = decode_osmand_fields(fields)
    token = text_field(fields.get("token") or fields.get("password"), "token")
    if ping.t is None:
        ping = replace(ping, t=received, flags=ping.flags | int(PingFlag.RECEIPT_TIME))
    return OsmAndFix(identifier, token, ping)


def decode_osmand_fields(fields: Mapping[str, Any]) -> tuple[str | None, RawPing]:
    """The device identifier and the fix of an OsmAnd query/form request."""
    device = text_field(fields.get("id") or fields.get("deviceid"), "device id")
    lat, lon = number(fields.get("lat")), number(fields.get("lon"))
    if "location" in fields:
        if not isinstance(fields["location"], str):
            raise DecodeError("location must be lat,lon")
        parts = fields["location"].split(",")
        if len(parts) != 2:
            raise DecodeError("location must be lat,lon")
        lat, lon = number(parts[0]), number(parts[1])
    ping = RawPing(
        t=parse_time(fields.get("timestamp")),
        lat=lat,
        lon=lon,
        accuracy=number(fields.get("accuracy") or fields.get("hacc")),
        speed=_scaled(fields.get("speed"), KNOT_MS),
        bearing=number(fields.get("bearing") or fields.get("heading")),
        altitude=number(fields.get("altitude")),
        battery=number(fields.get("batt")),
    )
    return device, ping


def decode_osmand_json(body: Any) -> tuple[str | None, RawPing]:
    """The device identifier and the fix of an OsmAnd JSON request (Traccar Client 9+)."""
    if not isinstance(body, dict) or not isinstance(body.get("location"), dict):
        raise DecodeError("expected {device_id, location: {...}}")
    location = body["location"]
    coords = location.get("coords") or {}
    battery = location.get("battery") or {}
    if not isinstance(coords, dict) or not isinstance(battery, dict):
        raise DecodeError("coords and battery must be objects")
    device = text_field(body.get("device_id"), "device_id")
    uuid = text_field(location.get("uuid"), "uuid")
    return device, RawPing(
        t=parse_time(location.get("timestamp")),
        lat=number(coords.get("latitude")),
        lon=number(coords.get("longitude")),
        accuracy=_scaled(coords.get("accuracy"), 1.0),
        speed=_scaled(coords.get("speed"), 1.0),
        bearing=_scaled(coords.get("heading"), 1.0),
        altitude=number(coords.get("altitude")),
        battery=_scaled(battery.get("level"), 100.0),
        uuid=uuid,
    )


def decode_owntracks(body: Any) -> RawPing | None:
    """The fix of an OwnTracks message; None for other message types (waypoints, cards...)."""
    if not isinstance(body, dict):
        raise DecodeError("expected a JSON object")
    if body.get("_type") != "location":
        return None
    return RawPing(
        t=parse_time(body.get("tst")),
        lat=number(body.get("lat")),
        lon=number(body.get("lon")),
        accuracy=_scaled(body.get("acc"), 1.0),
        speed=_scaled(body.get("vel"), KMH_MS),
        bearing=_scaled(body.get("cog"), 1.0),
        altitude=number(body.get("alt")),
        battery=_scaled(body.get("batt"), 1.0),
    )
