"""The zones core's input and output: plain dataclasses, no database, no web.

An office's clients (where they live, how many service minutes a week their care plans hold,
which skills they need) are split into zones, one per worker or team. `zones.balance.solve`
turns clients and zones into an `Assignment`: every client in exactly one zone, each zone's
workload close to its worker's share of the office's hours.

A zone's workload is its clients' weekly service minutes plus an estimate of the walking
inside the zone: each visit is charged the travel to the client's nearest neighbour in the
same zone (see `zones.balance.zone_travel_minutes`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

# A point is (lon, lat) in WGS84 degrees.
Point = tuple[float, float]
# Travel seconds between every pair of points: a square matrix, row = from, column = to.
# The planner's providers fit as `lambda points: travel.matrix(points, mode)[0]`.
TravelMatrix = Callable[[Sequence[Point]], np.ndarray]


class ZoneInputError(ValueError):
    """The office's data cannot be zoned as given; the message names the item at fault, and
    `code` with `params` say it for a translation catalogue."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "zone_input",
        params: dict[str, str | int | float | None] | None = None,
    ) -> None:
        super().__init__(message)
        self.code, self.params = code, dict(params or {})


@dataclass(frozen=True, slots=True)
class Client:
    id: str
    lon: float | None
    lat: float | None
    weekly_minutes: float  # service minutes per week from the care plan
    weekly_visits: float = 2.0  # visits per week (days with something due)
    skills: frozenset[str] = frozenset()  # skills the worker must have
    locked_zone: str | None = None  # a supervisor fixed this client to a zone
    current_zone: str | None = None  # the zone today, for stable re-runs


@dataclass(frozen=True, slots=True)
class Zone:
    id: str
    weekly_hours: float  # the worker's (or team's) contracted hours a week
    skills: frozenset[str] = frozenset()
    name: str = ""


@dataclass(frozen=True, slots=True)
class BalanceParams:
    tolerance: float = 0.05  # each zone's workload within ±5 % of its share
    time_limit_s: float = 20.0  # for the whole solve
    move_cost_m: float = 400.0  # stability: a move must save this many metres of spread
    walk_speed_kmh: float = 4.5
    detour: float = 1.3  # street distance / straight-line distance
    max_rounds: int = 40  # centre updates of the assignment phase
    workers: int = 2  # CP-SAT search workers
    seed: int = 7


@dataclass(frozen=True, slots=True)
class ZoneFigures:
    zone_id: str
    clients: int
    service_minutes: float  # weekly
    travel_minutes: float  # weekly estimate: each visit's travel to the nearest neighbour
    workload_minutes: float  # service + travel
    target_minutes: float  # the zone's share of the office's total workload
    hours_share: float  # the worker's share of the office's hours (0..1)
    spread_km: float  # length of the shortest network joining the zone's addresses (MST)

    @property
    def deviation(self) -> float:
        """Workload relative to target minus one: +0.03 means 3 % over."""
        return self.workload_minutes / self.target_minutes - 1.0 if self.target_minutes else 0.0


@dataclass(frozen=True, slots=True)
class Assignment:
    zone_of: dict[str, str]  # client id -> zone id, every client exactly once
    figures: tuple[ZoneFigures, ...]
    moved: tuple[str, ...] = ()  # clients whose zone differs from their current one
    new: tuple[str, ...] = ()  # clients who had no current zone
    within_tolerance: bool = True
    solve_seconds: float = 0.0
    notes: tuple[str, ...] = field(default=())

    def clients_of(self, zone_id: str) -> list[str]:
        return [c for c, z in self.zone_of.items() if z == zone_id]

    @property
    def max_over_mean(self) -> float:
        """Largest zone workload relative to the mean (equal hours: 1.0 is perfect)."""
        loads = [f.workload_minutes / f.hours_share for f in self.figures if f.hours_share]
        mean = sum(loads) / len(loads)
        return max(loads) / mean if mean else 1.0
