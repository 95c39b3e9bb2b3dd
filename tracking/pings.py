"""Pure ping rules: validate, deduplicate and filter by shift. No I/O here.

A decoded ping (`RawPing`) becomes a stored ping (`Ping`) or a verdict that says why not.
Nothing is silently lost: each input item gets exactly one `Verdict`.

These run once per ping on the ingest path (thousands a second), so they stay plain: integer
flags, dataclasses without frozen-field setters, and the shift turned into UTC windows once
per batch instead of a time-zone conversion per ping.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


class PingFlag(enum.IntFlag):
    """Bits of `ping.flags`: what validation noticed about a kept ping."""

    LOW_ACCURACY = 1  # accuracy worse than settings.ping_max_accuracy_m
    LATE = 2  # received more than LATE_AFTER after it was recorded (an offline phone)
    RECEIPT_TIME = 4  # the app sent no time: the instant of receipt stands in (as Traccar does)


_LOW_ACCURACY, _LATE = int(PingFlag.LOW_ACCURACY), int(PingFlag.LATE)  # plain ints: cheaper
LATE_AFTER = timedelta(hours=1)  # a ping received this long after it was recorded is "late"


@dataclass(frozen=True, slots=True)
class RawPing:
    """A fix as a phone protocol described it, units already converted (m/s, percent)."""

    t: datetime | None
    lat: float | None
    lon: float | None
    accuracy: float | None = None
    speed: float | None = None
    bearing: float | None = None
    altitude: float | None = None
    battery: float | None = None
    uuid: str | None = None
    flags: int = 0  # PingFlag bits the decoder already knows (e.g. RECEIPT_TIME)


@dataclass(slots=True)
class Ping:
    """A valid fix, ready to store (treat as read-only; not frozen, which is slower to build)."""

    t: datetime
    lat: float
    lon: float
    accuracy: float | None
    speed: float | None
    bearing: float | None
    altitude: float | None
    battery: float | None
    uuid: str | None
    flags: int = 0


@dataclass(frozen=True, slots=True)
class Verdict:
    """What became of one input item: accepted / duplicate / rejected / dropped (+ reason)."""

    status: str
    reason: str | None = None
    uuid: str | None = None

    def as_json(self) -> dict[str, str | None]:
        return {"uuid": self.uuid, "status": self.status, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Limits:
    """The validation settings (see core.settings)."""

    future_skew: timedelta
    max_age: timedelta
    max_accuracy_m: float


@dataclass(frozen=True, slots=True)
class ShiftDay:
    """A worker's shift on one weekday, local time."""

    start: time
    end: time


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def validate(raw: RawPing, *, now: datetime, limits: Limits) -> Ping | Verdict:
    """The valid ping, or a rejection that says what is wrong."""
    if raw.t is None:
        return Verdict("rejected", "missing_time", raw.uuid)
    if not (_finite(raw.lat) and _finite(raw.lon)):
        return Verdict("rejected", "missing_coordinates", raw.uuid)
    assert raw.lat is not None and raw.lon is not None
    if not (-90.0 <= raw.lat <= 90.0 and -180.0 <= raw.lon <= 180.0):
        return Verdict("rejected", "coordinates_out_of_range", raw.uuid)
    if raw.lat == 0.0 and raw.lon == 0.0:
        return Verdict("rejected", "no_fix", raw.uuid)  # apps send 0,0 when they have no fix
    if raw.t > now + limits.future_skew:
        return Verdict("rejected", "in_future", raw.uuid)
    if raw.t < now - limits.max_age:
        return Verdict("rejected", "too_old", raw.uuid)
    flags = raw.flags
    if raw.accuracy is not None and raw.accuracy > limits.max_accuracy_m:
        flags |= _LOW_ACCURACY
    if now - raw.t > LATE_AFTER:
        flags |= _LATE
    return Ping(
        t=raw.t,
        lat=raw.lat,
        lon=raw.lon,
        accuracy=_clean(raw.accuracy, 0, 1e6),
        speed=_clean(raw.speed, 0, 1000),
        bearing=_clean(raw.bearing, 0, 360),
        altitude=_clean(raw.altitude, -1e4, 1e5),
        battery=_clean(raw.battery, 0, 100),
        uuid=raw.uuid,
        flags=flags,
    )


def _clean(value: float | None, low: float, high: float) -> float | None:
    """Optional readings outside their range mean "unknown" (apps send -1): keep None.

    NaN fails the range test too, so no separate finiteness check is needed."""
    if value is None or not low <= value <= high:
        return None
    return value


Window = tuple[datetime, datetime]


def shift_windows(
    shifts: dict[int, ShiftDay],
    *,
    first: datetime,
    last: datetime,
    tz: ZoneInfo,
    margin: timedelta,
) -> list[Window]:
    """The worker's shifts (widened by `margin`) as instants, for the local days from the day
    before `first` to the day of `last`: the day before too, so a margin may reach past
    midnight."""
    windows: list[Window] = []
    day = first.astimezone(tz).date() - timedelta(days=1)
    while day <= last.astimezone(tz).date():
        shift = shifts.get(day.isoweekday())
        if shift is not None:
            start = datetime.combine(day, shift.start, tz) - margin
            end = datetime.combine(day, shift.end, tz) + margin
            # in UTC: comparing instants of one tzinfo is some 30 times cheaper than zoneinfo's
            windows.append((start.astimezone(UTC), end.astimezone(UTC)))
        day += timedelta(days=1)
    return windows


def in_windows(t: datetime, windows: Sequence[Window]) -> bool:
    for start, end in windows:  # noqa: SIM110  (a plain loop: this runs once per ping)
        if start <= t <= end:
            return True
    return False


def in_shift(t: datetime, shifts: dict[int, ShiftDay], *, tz: ZoneInfo, margin: timedelta) -> bool:
    """Whether `t` falls within the worker's shift (widened by `margin`) that local day."""
    return in_windows(t, shift_windows(shifts, first=t, last=t, tz=tz, margin=margin))


def dedup(pings: Sequence[Ping]) -> tuple[list[Ping], list[int]]:
    """Unique pings by instant (first one kept) and the input positions that repeated one.

    Pings within one device are the same fix when their instant is the same; equal UUIDs at
    different instants are a client fault, and the first one wins."""
    seen_t: set[datetime] = set()
    seen_uuid: set[str] = set()
    unique: list[Ping] = []
    repeated: list[int] = []
    for index, ping in enumerate(pings):
        if ping.t in seen_t or (ping.uuid is not None and ping.uuid in seen_uuid):
            repeated.append(index)
            continue
        seen_t.add(ping.t)
        if ping.uuid is not None:
            seen_uuid.add(ping.uuid)
        unique.append(ping)
    return unique, repeated


def ordered(pings: Iterable[Ping]) -> list[Ping]:
    """Pings in device-time order (phones resend late and out of order)."""
    return sorted(pings, key=lambda p: p.t)


def latest(pings: Iterable[Ping]) -> Ping | None:
    return max(pings, key=lambda p: p.t, default=None)


def with_flags(ping: Ping, flags: int) -> Ping:
    return replace(ping, flags=ping.flags | flags)
