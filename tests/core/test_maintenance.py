"""The app's periodic upkeep: one pass makes partitions ahead and is skipped by a second
process while the first holds the lock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api import maintenance
from core.redis import get_redis
from core.settings import get_settings
from tracking import partitions


@pytest.fixture
def interval(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "maintenance_interval_s", 60)
    get_redis().delete(maintenance.LOCK_KEY)
    yield
    get_redis().delete(maintenance.LOCK_KEY)


def test_a_pass_makes_partitions_ahead_and_takes_the_lock(migrated: None, interval: None) -> None:
    maintenance._pass()
    day_after_tomorrow = (datetime.now(UTC) + timedelta(days=2)).date()
    assert day_after_tomorrow in partitions.existing()
    assert get_redis().ttl(maintenance.LOCK_KEY) > 0


def test_a_second_process_skips_the_pass_while_the_lock_is_held(
    migrated: None, interval: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    get_redis().set(maintenance.LOCK_KEY, "1", ex=30)
    ran = []
    monkeypatch.setattr(maintenance, "run_once", lambda session: ran.append(1))
    maintenance._pass()
    assert ran == []
