"""Instants as phones write them: ISO 8601 in its forms, epoch seconds or milliseconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tracking.protocols import DecodeError, parse_time

NOON = datetime(2026, 11, 23, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    "written",
    [
        "2026-11-23T12:00:00+00:00",
        "2026-11-23T15:00:00+03:00",
        "2026-11-23T12:00:00Z",
        "2026-11-23 12:00:00",  # OsmAnd's form, UTC
        "20261123T120000Z",  # ISO basic form
        str(int(NOON.timestamp())),
        str(int(NOON.timestamp() * 1000)),
        f"{NOON.timestamp():.3f}",
        NOON.timestamp(),
        int(NOON.timestamp() * 1000),
    ],
)
def test_every_form_gives_the_same_instant(written: object) -> None:
    assert parse_time(written) == NOON


def test_an_offset_is_kept_and_empty_means_none() -> None:
    parsed = parse_time("2026-11-23T15:00:00+03:00")
    assert parsed is not None and parsed.utcoffset() == timedelta(hours=3)
    assert parsed.tzinfo == timezone(timedelta(hours=3))
    assert parse_time("") is None and parse_time(None) is None


@pytest.mark.parametrize("written", ["yesterday", "12:00", "2026-13-01T00:00:00", True, "1e400"])
def test_unreadable_times_are_refused(written: object) -> None:
    with pytest.raises(DecodeError):
        parse_time(written)
