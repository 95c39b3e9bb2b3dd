"""The planner's input and output: plain dataclasses, integer seconds and metres.

A `Problem` is one office's day: workers with their shifts and the visits due. Times are
seconds since midnight of the planned date (local time); locations are indexes into the
travel-time matrix, whose row/column 0..len(locations)-1 follow `Problem.locations`.
The solver (`planner.solver.solve`) turns a `Problem` into a `Plan`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class TravelMode(StrEnum):
    WALK = "walk"
    TRANSIT = "transit"
    CAR = "car"


@dataclass(frozen=True, slots=True)
class Location:
    """A point on the map: WGS84 longitude and latitude."""

    lon: float
    lat: float


@dataclass(frozen=True, slots=True)
class Break:
    """A lunch break: `duration` seconds starting somewhere in [earliest, latest]."""

    earliest: int
    latest: int
    duration: int


@dataclass(frozen=True, slots=True)
class Worker:
    id: str
    shift_start: int
    shift_end: int
    start_location: int
    end_location: int
    skills: frozenset[str] = frozenset()
    travel_mode: TravelMode = TravelMode.WALK
    lunch: Break | None = None
    max_working_seconds: int | None = None  # on-site + travel, not counting waiting
    name: str = ""
    capacity: int | None = None  # load limit (e.g. Solomon VRPTW); None = unlimited


@dataclass(frozen=True, slots=True)
class Visit:
    id: str
    client_id: str
    location: int
    duration: int
    window_start: int = 0  # hard window for the start of service
    window_end: int = 24 * 3600
    preferred_start: int | None = None  # soft window; lateness/earliness costs
    preferred_end: int | None = None
    required_skills: frozenset[str] = frozenset()
    preferred_worker: str | None = None  # continuity: the client's usual worker
    priority: int = 1  # 1 normal .. 3 urgent; higher costs more to leave unplanned
    mandatory: bool = False  # never dropped; the plan is infeasible without it
    workers_needed: int = 1  # 2 for e.g. bathing: two workers start together
    pinned_worker: str | None = None  # re-planning: already done or in progress
    pinned_start: int | None = None
    services: tuple[str, ...] = ()  # catalogue codes, for display only
    client_name: str = ""
    demand: int = 0  # load taken by the worker (0 in home care; used with Worker.capacity)


@dataclass(frozen=True, slots=True)
class Problem:
    workers: tuple[Worker, ...]
    visits: tuple[Visit, ...]
    # travel_time[mode][i][j]: seconds from location i to j for that travel mode
    travel_time: dict[TravelMode, list[list[int]]]
    # distance[i][j]: metres (same for every mode); used for reporting only
    distance: list[list[int]] | None = None
    locations: tuple[Location, ...] = ()


@dataclass(frozen=True, slots=True)
class SolveParams:
    time_limit_s: float = 10.0
    workers: int = 2  # parallel searches (portfolio across cores)
    seed: int = 7
    continuity_cost_s: int = 600  # cost of giving a visit to someone other than the usual worker
    preferred_window_cost_per_s: int = 1
    fairness_weight: int = 1  # cost per second of a route's working time above ~the mean
    drop_penalty_s: int = 100_000  # per priority level
    log_progress: bool = False


@dataclass(frozen=True, slots=True)
class Stop:
    visit_id: str
    arrival: int  # when the worker reaches the door
    start: int  # service start (>= arrival; difference is waiting)
    end: int
    travel: int  # seconds travelled from the previous stop
    wait: int
    why: str = ""  # why this visit went to this worker, in words


@dataclass(frozen=True, slots=True)
class Route:
    worker_id: str
    start: int  # leaves the start point
    end: int  # reaches the end point
    stops: tuple[Stop, ...]
    break_start: int | None = None
    break_end: int | None = None
    # Where the lunch is taken: at the place of this visit, after it ends and before the
    # walk on; None with a break = at the start point, before leaving. Never inside a walk.
    lunch_after: str | None = None
    travel: int = 0
    service: int = 0
    wait: int = 0
    distance_m: int = 0


@dataclass(frozen=True, slots=True)
class Unplanned:
    visit_id: str
    reason: str  # a rule in words: "no worker has the skill 'medical'"
    code: str = ""  # machine-readable: no_skill, window_unreachable, no_time, ...


@dataclass(slots=True)
class Plan:
    routes: list[Route]
    unplanned: list[Unplanned]
    cost: int = 0
    solve_seconds: float = 0.0
    stats: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Progress:
    """Reported while solving: percent of the time limit spent and the best cost so far."""

    percent: float
    best_cost: int | None
    planned: int | None = None
