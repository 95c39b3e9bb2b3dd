"""Two clients in one building: one long stop in the pings, two visits in the facts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tracking.stops import PlannedVisit, Stop, match_clients

T0 = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def test_a_stop_shared_by_neighbours_is_split_in_planned_order_and_proportion() -> None:
    stop = Stop(T0, T0 + timedelta(minutes=90), 55.7510, 37.7850, 180)
    clients = {
        1: (55.75101, 37.78501),  # flat 12
        2: (55.75102, 37.78499),  # flat 47, same entrance
        3: (55.7600, 37.8000),  # across the district
    }
    planned = {
        2: PlannedVisit(T0, 30),  # planned first
        1: PlannedVisit(T0 + timedelta(minutes=35), 60),
        3: PlannedVisit(T0 + timedelta(hours=3), 30),
    }
    seen = match_clients([stop], clients, planned=planned)
    assert set(seen) == {1, 2}
    assert seen[2].start == T0 and seen[2].end == T0 + timedelta(minutes=30)
    assert seen[1].start == T0 + timedelta(minutes=30) and seen[1].end == stop.end


def test_without_a_plan_the_nearest_client_takes_the_stop() -> None:
    stop = Stop(T0, T0 + timedelta(minutes=40), 55.7510, 37.7850, 80)
    clients = {1: (55.75101, 37.78501), 2: (55.75110, 37.78520)}
    assert set(match_clients([stop], clients)) == {1}
