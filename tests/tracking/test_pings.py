"""Pure ping rules: shift windows (in UTC, a margin past midnight), validation flags, dedup."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from tracking.pings import (
    Limits,
    Ping,
    PingFlag,
    RawPing,
    ShiftDay,
    Verdict,
    dedup,
    in_shift,
    in_windows,
    shift_windows,
    validate,
)

MOSCOW = ZoneInfo("Europe/Moscow")  # UTC+3 all year
MARGIN = timedelta(minutes=30)
# Monday 08:00-17:00 and Friday 20:00-23:45 (a late shift whose margin crosses midnight)
SHIFTS = {1: ShiftDay(time(8), time(17)), 5: ShiftDay(time(20), time(23, 45))}
LIMITS = Limits(future_skew=timedelta(minutes=2), max_age=timedelta(days=7), max_accuracy_m=100)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant in Moscow in the week of Monday 2026-11-23 (day 1 = Monday)."""
    return datetime(2026, 11, 22 + day, hour, minute, tzinfo=MOSCOW)


def test_shift_windows_are_utc_instants_widened_by_the_margin() -> None:
    windows = shift_windows(SHIFTS, first=local(1, 9), last=local(1, 9), tz=MOSCOW, margin=MARGIN)
    assert windows == [
        (datetime(2026, 11, 23, 4, 30, tzinfo=UTC), datetime(2026, 11, 23, 14, 30, tzinfo=UTC))
    ]
    assert all(start.tzinfo is UTC and end.tzinfo is UTC for start, end in windows)


def test_in_shift_edges_margin_and_midnight() -> None:
    def inside(t: datetime) -> bool:
        return in_shift(t, SHIFTS, tz=MOSCOW, margin=MARGIN)

    assert inside(local(1, 7, 30)) and inside(local(1, 17, 30))
    assert not inside(local(1, 7, 29)) and not inside(local(1, 17, 31))
    assert not inside(local(2, 10))  # Tuesday: no shift
    assert inside(local(6, 0, 10))  # Saturday 00:10: Friday's late shift plus its margin
    assert not inside(local(6, 0, 20))
    # the same instant written with another offset gets the same answer
    assert inside(local(1, 7, 30).astimezone(timezone(timedelta(hours=-5))))


def test_one_batch_spanning_days_uses_every_day_it_touches() -> None:
    times = [local(1, 12), local(5, 21), local(6, 0, 5), local(6, 12)]
    windows = shift_windows(SHIFTS, first=min(times), last=max(times), tz=MOSCOW, margin=MARGIN)
    assert [in_windows(t.astimezone(UTC), windows) for t in times] == [True, True, True, False]


def test_validate_flags_and_rejections() -> None:
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    late_and_vague = validate(
        RawPing(
            now - timedelta(hours=2), 55.75, 37.78, accuracy=250, battery=-1, speed=float("nan")
        ),
        now=now,
        limits=LIMITS,
    )
    assert isinstance(late_and_vague, Ping)
    assert late_and_vague.flags == PingFlag.LOW_ACCURACY | PingFlag.LATE
    assert late_and_vague.battery is None and late_and_vague.speed is None
    assert validate(RawPing(now, 0.0, 0.0, uuid="u"), now=now, limits=LIMITS) == Verdict(
        "rejected", "no_fix", "u"
    )
    assert validate(
        RawPing(now + timedelta(minutes=5), 55.7, 37.7), now=now, limits=LIMITS
    ) == Verdict("rejected", "in_future")


def test_dedup_keeps_the_first_of_an_instant_or_a_uuid() -> None:
    t = datetime(2026, 11, 23, 9, tzinfo=UTC)
    pings = [
        Ping(t, 55.7, 37.7, None, None, None, None, None, "a"),
        Ping(t, 55.8, 37.8, None, None, None, None, None, "b"),  # same instant
        Ping(t + timedelta(seconds=5), 55.7, 37.7, None, None, None, None, None, "a"),  # same uuid
        Ping(t + timedelta(seconds=10), 55.7, 37.7, None, None, None, None, None, None),
    ]
    unique, repeated = dedup(pings)
    assert unique == [pings[0], pings[3]] and repeated == [1, 2]
