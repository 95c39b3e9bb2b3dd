"""The week planner's input and output (see `planner.week`): workers over a period, tasks
(one per occurrence of a care-plan line, with the days each may take), and the plan of each
day. `tasks_for_period` expands care plans into tasks. Pure: dataclasses, no database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from planner.calendar import Availability, WorkCalendar, days_between
from planner.problem import Location, Plan, Problem, TravelMode, Worker
from planner.recurrence import ENROLLED, CareClient
from registry.recurrence import format_recurrence, occurrences

Progress = Callable[[float, str], None]  # percent done, what is being done


class RuleError(ValueError):
    """A care-plan line the period cannot hold; the message names the client and the line."""


@dataclass(frozen=True, slots=True)
class WeekWorker:
    """A worker over the period: the day's template (shift, lunch, skills, start point), the
    days they work, and their zone (clients of the zone are theirs by default)."""

    worker: Worker
    availability: Availability
    zone: str | None = None

    @property
    def id(self) -> str:
        return self.worker.id


@dataclass(frozen=True, slots=True)
class Task:
    """One occurrence of a care-plan line: `day` is the rule's, `allowed` the days it may
    take (`(day,)` for a fixed line)."""

    id: str
    client_id: str
    line: int
    service_code: str
    minutes: int
    day: date
    allowed: tuple[date, ...]
    fixed: bool
    required_skill: str | None = None


@dataclass(frozen=True, slots=True)
class WeekProblem:
    start: date
    end: date
    calendar: WorkCalendar
    workers: tuple[WeekWorker, ...]
    clients: tuple[CareClient, ...]  # location_index set: a row of the travel matrix
    tasks: tuple[Task, ...]
    travel_time: dict[TravelMode, list[list[int]]]
    distance: list[list[int]] | None = None
    locations: tuple[Location, ...] = ()
    zones: dict[str, str] = field(default_factory=dict)  # client id -> zone


@dataclass(frozen=True, slots=True)
class WeekParams:
    assign_time_limit_s: float = 20.0  # CP-SAT choosing days and workers
    day_time_limit_s: float = 8.0  # the day solver, per day
    repair_rounds: int = 1
    repair_time_limit_s: float = 5.0  # per day routed again
    # A day is routed whole (0), or in groups of about this many neighbouring workers.
    group_workers: int = 0
    # The day solver's price per second a route works above the day's even share: 3 evens
    # the worker-days for about 2 % more walking than the day planner's 1, 10 for about 8 %
    # (bench/README.md, week plans).
    fairness_weight: int = 3
    # Workers considered for a client on a day (the usual one first). With 3, a holiday's
    # or weekend's few workers on duty could not take their days' visits in the estimates,
    # which then left 35 of the holiday's visits to fall on it unevened (bench/README.md).
    candidates: int = 6
    fill: float = 0.9  # share of a shift (less lunch and the trip to the zone) to fill
    away_share: float = 0.5  # travel estimate of a visit outside the worker's zone
    workers: int = 2  # parallel searches (CP-SAT and the day solver)
    seed: int = 7


@dataclass(frozen=True, slots=True)
class TaskUnplanned:
    task_id: str
    day: date | None
    reason: str
    code: str


@dataclass(frozen=True, slots=True)
class DayPlan:
    day: date
    problem: Problem  # what the day solver was given (an independent checker replays it)
    plan: Plan


@dataclass(slots=True)
class WeekPlan:
    days: list[DayPlan]
    task_days: dict[str, date]  # task id -> the day it was planned on
    unplanned: list[TaskUnplanned]
    solve_seconds: float = 0.0
    stats: dict[str, float] = field(default_factory=dict)


def tasks_for_period(
    clients: Iterable[CareClient], start: date, end: date, calendar: WorkCalendar
) -> list[Task]:
    """Every occurrence of the enrolled clients' lines whose rule's day falls in the period;
    RuleError names the client and the line whose rule the period cannot hold."""
    if end < start:
        raise ValueError(f"period ends ({end}) before it starts ({start})")
    tasks: list[Task] = []
    for client in clients:
        if client.status != ENROLLED:
            continue
        for number, line in enumerate(client.lines, start=1):
            rule = format_recurrence(line.recurrence)
            try:
                found = occurrences(
                    line.recurrence, line.valid_from, start, end, calendar.is_working
                )
            except ValueError as exc:
                raise RuleError(
                    f"client {client.id} ({client.name}), line {number} "
                    f"({line.service_code}, {rule}): {exc}"
                ) from None
            last = min(end, line.valid_to or end)
            for occ in found:
                if occ.day > last:
                    continue
                lo, hi = max(occ.earliest, start, line.valid_from), min(occ.latest, last)
                allowed = [occ.day] + [d for d in days_between(lo, hi) if d != occ.day]
                allowed.sort(key=lambda d: abs((d - occ.day).days))
                tasks.append(
                    Task(
                        id=f"{client.id}/{number}@{occ.day.isoformat()}",
                        client_id=client.id,
                        line=number,
                        service_code=line.service_code,
                        minutes=line.standard_minutes,
                        day=occ.day,
                        allowed=tuple(allowed),
                        fixed=not line.recurrence.movable,
                        required_skill=line.required_skill,
                    )
                )
    return tasks
