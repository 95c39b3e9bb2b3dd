"""Stop detection and travel legs from a worker's pings. Pure; no I/O.

A stop is where the worker stayed at least `min_dwell` within `radius_m` of the stop's
centre. A stop near a client's address is a visit: its start and end are the inferred
arrival and departure. The trip between two consecutive visits is a leg: its duration and
the distance walked along the pings calibrate the planner's travel speeds.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core import geo


@dataclass(frozen=True, slots=True)
class TrackPoint:
    t: datetime
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Stop:
    start: datetime
    end: datetime
    lat: float
    lon: float
    points: int

    @property
    def dwell(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class StopParams:
    radius_m: float = 60.0  # GPS indoors wanders by tens of metres
    min_dwell: timedelta = timedelta(minutes=5)
    match_m: float = 120.0  # a stop this close to a client's address is at that client
    same_building_m: float = 30.0  # addresses this much farther than the nearest: same stop


@dataclass(frozen=True, slots=True)
class Leg:
    from_client: int
    to_client: int
    depart: datetime
    arrive: datetime
    straight_m: float
    path_m: float

    @property
    def seconds(self) -> float:
        return (self.arrive - self.depart).total_seconds()


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle metres between two track points, latitude first as tracks store them."""
    return geo.distance_m(lon1, lat1, lon2, lat2)


def detect_stops(points: Sequence[TrackPoint], params: StopParams = StopParams()) -> list[Stop]:
    """Stops along a track sorted by time: runs of points within radius of their centre."""
    stops: list[Stop] = []
    i, n = 0, len(points)
    while i < n:
        lat, lon, count = points[i].lat, points[i].lon, 1
        j = i + 1
        while j < n and distance_m(lat, lon, points[j].lat, points[j].lon) <= params.radius_m:
            count += 1  # running centre of the cluster
            lat += (points[j].lat - lat) / count
            lon += (points[j].lon - lon) / count
            j += 1
        if points[j - 1].t - points[i].t >= params.min_dwell:
            stops.append(Stop(points[i].t, points[j - 1].t, lat, lon, count))
            i = j
        else:
            i += 1
    return stops


@dataclass(frozen=True, slots=True)
class PlannedVisit:
    """When a client's visit was planned to start and for how long: orders a shared stop."""

    start: datetime
    minutes: int


def match_clients(
    stops: Sequence[Stop],
    clients: dict[int, tuple[float, float]],
    params: StopParams = StopParams(),
    planned: dict[int, PlannedVisit] | None = None,
) -> dict[int, Stop]:
    """Each client's visit as seen in the pings: the stops near the address, merged.

    Neighbours in one building share a stop: the worker goes from one flat to the next
    without the phone noticing. Such a stop is split between them in the planned order, in
    proportion to their planned minutes."""
    found: dict[int, Stop] = {}
    for stop in stops:
        near = sorted(
            (distance_m(stop.lat, stop.lon, lat, lon), client_id)
            for client_id, (lat, lon) in clients.items()
        )
        near = [item for item in near if item[0] <= params.match_m]
        if not near:
            continue
        together = [c for d, c in near if d <= near[0][0] + params.same_building_m]
        for client_id, part in _share(stop, together, planned or {}):
            seen = found.get(client_id)
            if seen is None:
                found[client_id] = part
            else:  # left and came back (e.g. to the shop and back): one visit, first to last
                found[client_id] = Stop(
                    min(seen.start, part.start),
                    max(seen.end, part.end),
                    seen.lat,
                    seen.lon,
                    seen.points + part.points,
                )
    return found


def _share(
    stop: Stop, candidates: list[int], planned: dict[int, PlannedVisit]
) -> list[tuple[int, Stop]]:
    """The stop cut between the planned clients among `candidates`, in their planned order."""
    sharing = sorted((c for c in candidates if c in planned), key=lambda c: planned[c].start)
    if len(sharing) < 2:
        return [(sharing[0] if sharing else candidates[0], stop)]
    total = sum(max(planned[c].minutes, 1) for c in sharing)
    parts, start = [], stop.start
    for n, client_id in enumerate(sharing):
        share = max(planned[client_id].minutes, 1) / total
        end = stop.end if n == len(sharing) - 1 else start + stop.dwell * share
        points = max(1, round(stop.points * share))
        parts.append((client_id, Stop(start, end, stop.lat, stop.lon, points)))
        start = end
    return parts


def legs(
    visits: dict[int, Stop],
    points: Sequence[TrackPoint],
    clients: dict[int, tuple[float, float]],
) -> list[Leg]:
    """Trips between consecutive visits, with the distance walked along the pings."""
    ordered = sorted(visits.items(), key=lambda item: item[1].start)
    result: list[Leg] = []
    for (a_id, a), (b_id, b) in itertools.pairwise(ordered):
        if b.start <= a.end:
            continue
        between = [p for p in points if a.end <= p.t <= b.start]
        path = [(a.lat, a.lon), *((p.lat, p.lon) for p in between), (b.lat, b.lon)]
        path_m = sum(distance_m(*p, *q) for p, q in itertools.pairwise(path))
        straight = distance_m(*clients[a_id], *clients[b_id])
        result.append(Leg(a_id, b_id, a.end, b.start, straight, max(path_m, straight)))
    return result


def calibrate(
    legs_by_mode: Mapping[str, Sequence[Leg]], *, min_legs: int = 3, min_straight_m: float = 150.0
) -> dict[str, tuple[float, float]]:
    """Per mode: (speed km/h along the street path, detour = path / straight line), as medians
    of trips long enough to measure; modes with too few trips are left out."""
    result: dict[str, tuple[float, float]] = {}
    for mode, items in legs_by_mode.items():
        usable = [leg for leg in items if leg.straight_m >= min_straight_m and leg.seconds >= 60]
        if len(usable) < min_legs:
            continue
        speed = statistics.median(leg.path_m / leg.seconds * 3.6 for leg in usable)
        detour = statistics.median(leg.path_m / leg.straight_m for leg in usable)
        result[mode] = (speed, detour)
    return result
