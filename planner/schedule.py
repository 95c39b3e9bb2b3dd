"""The times of a fixed order of visits, and the first rule that order breaks.

When a supervisor moves a visit by hand the order is given: nothing is searched, only the
times are recomputed from the travel matrix. A worker leaves the start point at the shift start
(or later, just in time for the first visit), travels, waits when early, serves, and goes on.
The lunch break is placed greedily, always at a place (the start point before leaving, or a
visit's place after it ends, the walk on beginning when it is over; `Route.lunch_after`
says which): in the first gap where it delays nothing, or in the last gap where it can
still start within its window. Pinned visits (under way or done) keep their
start. Pure: no I/O, no database.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from planner._precheck import hhmm
from planner.problem import Problem, Route, Stop, Visit, Worker

MAX_SYNC_ROUNDS = 5  # two-worker visits: rounds of aligning both workers' start times


@dataclass(frozen=True, slots=True)
class Broken:
    """A rule the order breaks, in words. `code`: skill, pinned, window, lunch, shift_end,
    max_work, together, duplicate."""

    code: str
    message: str
    visit_id: str | None = None
    worker_id: str | None = None


@dataclass(frozen=True, slots=True)
class Schedule:
    """One worker's route with recomputed times, and the first rule it breaks (or None)."""

    route: Route
    broken: Broken | None = None

    @property
    def feasible(self) -> bool:
        return self.broken is None


@dataclass(frozen=True, slots=True)
class DaySchedule:
    routes: list[Route]
    broken: Broken | None = None

    @property
    def feasible(self) -> bool:
        return self.broken is None


class _Rules:
    """Collects the first broken rule (rules are checked in the order of the day)."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self.first: Broken | None = None

    def note(self, code: str, message: str, visit_id: str | None = None) -> None:
        if self.first is None:
            self.first = Broken(code, message, visit_id, self.worker.id)


def _label(visit: Visit) -> str:
    return visit.client_name or f"visit {visit.id}"


def _worker_label(worker: Worker) -> str:
    return worker.name or f"worker {worker.id}"


def schedule_route(problem: Problem, worker: Worker, visits: Sequence[Visit]) -> Schedule:
    """Times for `worker` doing `visits` in this order, and the first rule broken."""
    rules = _Rules(worker)
    for visit in visits:
        _check_assignment(rules, worker, visit)
    if not visits:
        return Schedule(Route(worker.id, worker.shift_start, worker.shift_start, ()), rules.first)

    travel = problem.travel_time[worker.travel_mode]
    lunch = worker.lunch
    lunch_pending = lunch is not None
    break_start: int | None = None
    lunch_before_first = False
    lunch_after: str | None = None  # the visit at whose place lunch is taken
    location, free_at = worker.start_location, worker.shift_start
    stops: list[Stop] = []
    for index, visit in enumerate(visits):
        leg = travel[location][visit.location]
        if lunch is not None and lunch_pending:
            begin = max(free_at, lunch.earliest)
            if begin > lunch.latest:
                lunch_pending = False
                rules.note("lunch", _no_lunch(worker), visit.id)
            elif _lunch_now(lunch.earliest, lunch.latest, lunch.duration, free_at, leg, visit):
                lunch_pending = False
                break_start, free_at = begin, begin + lunch.duration
                lunch_before_first = index == 0
                lunch_after = None if index == 0 else visits[index - 1].id
        arrival = free_at + leg
        start = _start(rules, visit, arrival)
        stops.append(Stop(visit.id, min(arrival, start), start, start + visit.duration, leg, 0))
        location, free_at = visit.location, start + visit.duration

    if lunch is not None and lunch_pending:
        begin = max(free_at, lunch.earliest)
        if begin <= lunch.latest:
            break_start, free_at = begin, begin + lunch.duration
            lunch_after = visits[-1].id
        else:
            rules.note("lunch", _no_lunch(worker))
    back = travel[location][worker.end_location]
    end = free_at + back
    if end > worker.shift_end:
        rules.note(
            "shift_end",
            f"{_worker_label(worker)} would be back at {hhmm(end)}, after the shift ends at "
            f"{hhmm(worker.shift_end)}",
        )

    ready = worker.shift_start
    if lunch is not None and lunch_before_first and break_start is not None:
        ready = break_start + lunch.duration  # lunch at the start point, then off
    departure = max(ready, stops[0].start - stops[0].travel)
    stops = _with_waits(stops, departure)
    route = _totals(problem, worker, stops, departure, end, back, break_start)
    route = dataclasses.replace(route, lunch_after=lunch_after)
    working = route.travel + route.service
    if worker.max_working_seconds is not None and working > worker.max_working_seconds:
        rules.note(
            "max_work",
            f"{_worker_label(worker)} would work {working // 60} min, more than the "
            f"{worker.max_working_seconds // 60} min allowed",
        )
    return Schedule(route, rules.first)


def _check_assignment(rules: _Rules, worker: Worker, visit: Visit) -> None:
    if visit.pinned_worker is not None and visit.pinned_worker != worker.id:
        rules.note(
            "pinned",
            f"{_label(visit)} is already under way or done by worker {visit.pinned_worker}",
            visit.id,
        )
    missing = sorted(visit.required_skills - worker.skills)
    if missing:
        skills = ", ".join(f"'{s}'" for s in missing)
        rules.note(
            "skill",
            f"{_worker_label(worker)} lacks the skill {skills} that {_label(visit)} needs",
            visit.id,
        )


def _start(rules: _Rules, visit: Visit, arrival: int) -> int:
    """Service start: a pinned start stays; otherwise the arrival, or the window opening."""
    if visit.pinned_start is not None:
        return visit.pinned_start
    start = max(arrival, visit.window_start)
    if start > visit.window_end:
        rules.note(
            "window",
            f"{_label(visit)} would start at {hhmm(start)}, after the window "
            f"{hhmm(visit.window_start)}-{hhmm(visit.window_end)} closes",
            visit.id,
        )
    return start


def _lunch_now(
    earliest: int, latest: int, duration: int, free_at: int, leg: int, visit: Visit
) -> bool:
    """Take lunch before travelling to `visit`, or wait for a later gap?"""
    without = max(free_at + leg, visit.window_start)
    if visit.pinned_start is not None:
        without = visit.pinned_start
    with_lunch = max(max(free_at, earliest) + duration + leg, visit.window_start)
    if visit.pinned_start is not None:
        with_lunch = max(with_lunch, visit.pinned_start)
    if with_lunch <= without:
        return True  # lunch fits in the waiting time: it delays nothing
    if visit.pinned_start is not None:
        return False  # a visit under way or done cannot be moved for lunch
    can_wait = max(without + visit.duration, earliest) <= latest
    return not can_wait


def _no_lunch(worker: Worker) -> str:
    lunch = worker.lunch
    assert lunch is not None
    return (
        f"no room for the {lunch.duration // 60}-min lunch of {_worker_label(worker)} "
        f"starting between {hhmm(lunch.earliest)} and {hhmm(lunch.latest)}"
    )


def _with_waits(stops: list[Stop], departure: int) -> list[Stop]:
    """Arrival at the first stop follows the (possibly later) departure; waits everywhere."""
    first = stops[0]
    arrival = min(max(first.arrival, departure + first.travel), first.start)
    stops[0] = dataclasses.replace(first, arrival=arrival)
    return [dataclasses.replace(s, wait=s.start - s.arrival) for s in stops]


def _totals(
    problem: Problem,
    worker: Worker,
    stops: list[Stop],
    departure: int,
    end: int,
    back: int,
    break_start: int | None,
) -> Route:
    distance = 0
    if problem.distance is not None:
        locations = {v.id: v.location for v in problem.visits}
        points = [worker.start_location, *(locations[s.visit_id] for s in stops)]
        points.append(worker.end_location)
        distance = sum(problem.distance[a][b] for a, b in pairwise(points))
    duration = worker.lunch.duration if worker.lunch else 0
    return Route(
        worker_id=worker.id,
        start=departure,
        end=end,
        stops=tuple(stops),
        break_start=break_start,
        break_end=None if break_start is None else break_start + duration,
        travel=sum(s.travel for s in stops) + back,
        service=sum(s.end - s.start for s in stops),
        wait=sum(s.wait for s in stops),
        distance_m=distance,
    )


def schedule_day(problem: Problem, sequences: Mapping[str, Sequence[str]]) -> DaySchedule:
    """Times for every worker's given order of visit ids; two-worker visits start together.

    Workers missing from `sequences` get an empty route. The first broken rule is reported in
    the order of `problem.workers`.
    """
    visits = {v.id: v for v in problem.visits}
    duplicate = _duplicate(problem, sequences, visits)
    not_before: dict[str, int] = {}
    schedules: list[Schedule] = []
    for _ in range(MAX_SYNC_ROUNDS):
        schedules = [
            schedule_route(
                problem, w, [_shifted(visits[v], not_before) for v in sequences.get(w.id, ())]
            )
            for w in problem.workers
        ]
        starts = _starts_of_shared(schedules, visits)
        unaligned = {v: max(s) for v, s in starts.items() if len(set(s)) > 1}
        if not unaligned:
            break
        not_before.update(unaligned)
    routes = [s.route for s in schedules]
    broken = duplicate or next((s.broken for s in schedules if s.broken is not None), None)
    if broken is None:
        broken = _together(problem, routes, visits)
    return DaySchedule(routes, broken)


def _shifted(visit: Visit, not_before: Mapping[str, int]) -> Visit:
    if visit.id not in not_before or visit.pinned_start is not None:
        return visit
    return dataclasses.replace(visit, window_start=max(visit.window_start, not_before[visit.id]))


def _starts_of_shared(
    schedules: list[Schedule], visits: Mapping[str, Visit]
) -> dict[str, list[int]]:
    starts: dict[str, list[int]] = {}
    for schedule in schedules:
        for stop in schedule.route.stops:
            if visits[stop.visit_id].workers_needed > 1:
                starts.setdefault(stop.visit_id, []).append(stop.start)
    return starts


def _duplicate(
    problem: Problem, sequences: Mapping[str, Sequence[str]], visits: Mapping[str, Visit]
) -> Broken | None:
    for worker_id, ids in sequences.items():
        if len(set(ids)) != len(ids):
            return Broken("duplicate", "a visit appears twice in one route", worker_id=worker_id)
    counts: dict[str, int] = {}
    for ids in sequences.values():
        for visit_id in ids:
            counts[visit_id] = counts.get(visit_id, 0) + 1
    for visit_id, n in counts.items():
        if n > visits[visit_id].workers_needed:
            return Broken(
                "duplicate",
                f"{_label(visits[visit_id])} is planned for {n} workers; it needs "
                f"{visits[visit_id].workers_needed}",
                visit_id,
            )
    return None


def _together(problem: Problem, routes: list[Route], visits: Mapping[str, Visit]) -> Broken | None:
    """A visit for two workers must have both, starting at the same time."""
    starts: dict[str, list[int]] = {}
    for route in routes:
        for stop in route.stops:
            starts.setdefault(stop.visit_id, []).append(stop.start)
    for visit_id, times in starts.items():
        visit = visits[visit_id]
        if visit.workers_needed < 2:
            continue
        if len(times) < visit.workers_needed:
            return Broken(
                "together",
                f"{_label(visit)} needs {visit.workers_needed} workers; only {len(times)} planned",
                visit_id,
            )
        if len(set(times)) > 1:
            return Broken(
                "together",
                f"{_label(visit)} needs both workers at once; they would start at "
                + " and ".join(hhmm(t) for t in sorted(times)),
                visit_id,
            )
    return None
