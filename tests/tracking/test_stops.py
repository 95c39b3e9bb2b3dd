"""Stop inference on a synthetic track: two visits, a walk between them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tracking.stops import TrackPoint, calibrate, detect_stops, distance_m, legs, match_clients

T0 = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
A = (55.7510, 37.7850)
B = (55.7560, 37.7950)  # about 830 m away


def synthetic_track() -> list[TrackPoint]:
    """40 min at A (GPS jitter ±15 m), 15 min walking to B along an L, 30 min at B."""
    points: list[TrackPoint] = []
    t = T0
    for i in range(80):  # every 30 s at A
        jitter = ((i * 7) % 5 - 2) * 0.00006
        points.append(TrackPoint(t, A[0] + jitter, A[1] - jitter))
        t += timedelta(seconds=30)
    for i in range(1, 30):  # the walk: north first, then east
        f = i / 30
        lat = A[0] + min(1.0, 2 * f) * (B[0] - A[0])
        lon = A[1] + max(0.0, 2 * f - 1) * (B[1] - A[1])
        points.append(TrackPoint(t, lat, lon))
        t += timedelta(seconds=30)
    for _ in range(60):
        points.append(TrackPoint(t, *B))
        t += timedelta(seconds=30)
    return points


def test_two_stops_are_found_and_matched_to_clients() -> None:
    track = synthetic_track()
    stops = detect_stops(track)
    assert len(stops) == 2
    visits = match_clients(stops, {1: A, 2: B, 3: (55.70, 37.70)})
    assert set(visits) == {1, 2}
    assert visits[1].start == T0
    assert timedelta(minutes=39) <= visits[1].end - T0 <= timedelta(minutes=41)
    assert visits[2].start - visits[1].end > timedelta(minutes=13)


def test_a_leg_measures_the_walk_and_its_detour() -> None:
    track = synthetic_track()
    addresses = {1: A, 2: B}
    (leg,) = legs(match_clients(detect_stops(track), addresses), track, addresses)
    straight = distance_m(*A, *B)
    assert abs(leg.straight_m - straight) < 1
    assert 1.2 < leg.path_m / leg.straight_m < 1.5  # the L-shaped walk
    speeds = calibrate({"walk": [leg, leg, leg]})
    speed, detour = speeds["walk"]
    assert 3.0 < speed < 6.0 and 1.2 < detour < 1.5
    assert calibrate({"walk": [leg]}) == {}  # too few trips to tell


def test_a_short_pause_is_not_a_stop() -> None:
    track = [TrackPoint(T0 + timedelta(seconds=30 * i), *A) for i in range(6)]  # 2.5 min
    assert detect_stops(track) == []
