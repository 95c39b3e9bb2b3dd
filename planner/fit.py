"""Where a new client fits: for a queued client's draft programme, the workers and days that
can take the visits, the minutes and travel each option adds, and every worker's room left.

Input: the planned days of a week (each day's `Problem`, with the new client's visit place
among its locations, and each worker's order of visits) and the client with their lines.
For each worker, each of the client's tasks in the period (`tasks_for_period`) goes to the
allowed day the worker works on where its visit adds the least travel (a task none of whose
days the worker works, such as a daily client's Sunday, goes to the worker on duty then):
the visit is tried at every place of the route and the route is scheduled exactly
(`planner.schedule`: shift, lunch, windows, the daily maximum); tasks of one day make one
visit. An option holds when every task found a day. Options come best first: fewest
minutes of travel added, then the most room left. Pure: no database.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date

from planner.calendar import WorkCalendar
from planner.problem import Problem, Route, Visit, Worker
from planner.recurrence import ENROLLED, CareClient
from planner.schedule import schedule_route
from planner.week_problem import Task, tasks_for_period

NEAREST_WORKERS = 8  # workers whose days are tried for one client


@dataclass(frozen=True, slots=True)
class FitDay:
    """One planned day: its problem, each worker's visit order, and the new client's place
    (a row of the day's travel matrix)."""

    day: date
    problem: Problem
    sequences: dict[str, list[str]]
    place: int


@dataclass(frozen=True, slots=True)
class FitVisit:
    day: date
    worker_id: str
    position: int  # where in the worker's route (0 = first)
    minutes: int  # of services
    travel_s: int  # travel the visit adds to the worker's day


@dataclass(frozen=True, slots=True)
class FitOption:
    worker_id: str
    worker_name: str
    visits: tuple[FitVisit, ...]
    minutes: int
    travel_s: int
    room_left_s: int  # the worker's room in the week after the option

    @property
    def days(self) -> tuple[date, ...]:
        return tuple(v.day for v in self.visits)


@dataclass(slots=True)
class FitAdvice:
    client_id: str
    tasks: int  # visits' services the period holds for the client
    options: list[FitOption] = field(default_factory=list)  # best first; only those that hold
    room_s: dict[str, int] = field(default_factory=dict)  # worker -> room left in the week
    reason: str = ""  # why no option holds

    @property
    def best(self) -> FitOption | None:
        return self.options[0] if self.options else None


def room_of(route: Route | None, worker: Worker) -> int:
    """Seconds a worker-day can still take: the shift (or daily maximum) less lunch and what
    the route already holds (travel, services, waits)."""
    shift = worker.shift_end - worker.shift_start
    if worker.max_working_seconds is not None:
        shift = min(shift, worker.max_working_seconds)
    lunch = worker.lunch.duration if worker.lunch is not None else 0
    used = 0 if route is None or not route.stops else route.travel + route.service + route.wait
    return max(shift - lunch - used, 0)


def advise(
    client: CareClient,
    days: list[FitDay],
    calendar: WorkCalendar,
    limit: int = 10,
    nearest: int = NEAREST_WORKERS,
) -> FitAdvice:
    """Where the client's visits fit in the planned days (see the module's doc); options
    are sought for the `nearest` workers whose routes pass closest to the client."""
    if not days:
        return FitAdvice(client.id, 0, reason="no planned days")
    start, end = min(d.day for d in days), max(d.day for d in days)
    enrolled = replace(client, status=ENROLLED)
    tasks = tasks_for_period([enrolled], start, end, calendar)  # RuleError names the line
    by_day = {d.day: d for d in days}
    current = {d.day: _routes(d) for d in days}
    workers = {w.id: w for d in days for w in d.problem.workers}
    room = {
        w: sum(
            room_of(current[d.day].get(w), wk)
            for d in days
            for wk in d.problem.workers
            if wk.id == w
        )
        for w in workers
    }
    advice = FitAdvice(client.id, len(tasks), room_s=room)
    if not tasks:
        advice.reason = "the programme has no visits in the period"
        return advice
    for worker_id in _nearest(workers, days, nearest):
        option = _option(enrolled, workers[worker_id], tasks, by_day, current)
        if option is not None:
            advice.options.append(replace(option, room_left_s=room[worker_id] - _used(option)))
    advice.options.sort(key=lambda o: (o.travel_s, -o.room_left_s, o.worker_id))
    del advice.options[limit:]
    if not advice.options:
        advice.reason = "no worker's days can take every visit of the programme"
    return advice


def _nearest(workers: dict[str, Worker], days: list[FitDay], count: int) -> list[str]:
    """The workers whose routes of the period pass closest to the client (those without a
    visit last, by their start point)."""
    closest: dict[str, int] = {}
    for day in days:
        where = {v.id: v.location for v in day.problem.visits}
        for worker in day.problem.workers:
            matrix = day.problem.travel_time[worker.travel_mode]
            legs = [
                matrix[where[v]][day.place] for v in day.sequences.get(worker.id, []) if v in where
            ]
            legs.append(matrix[worker.start_location][day.place] * 2)
            closest[worker.id] = min(closest.get(worker.id, 10**9), min(legs))
    return sorted(workers, key=lambda w: (closest.get(w, 10**9), w))[:count]


def _used(option: FitOption) -> int:
    return option.minutes * 60 + option.travel_s


def _routes(day: FitDay) -> dict[str, Route]:
    visits = {v.id: v for v in day.problem.visits}
    found = {}
    for worker in day.problem.workers:
        order = [visits[v] for v in day.sequences.get(worker.id, []) if v in visits]
        found[worker.id] = schedule_route(day.problem, worker, order).route
    return found


def _option(
    client: CareClient,
    worker: Worker,
    tasks: list[Task],
    by_day: dict[date, FitDay],
    current: dict[date, dict[str, Route]],
) -> FitOption | None:
    """The worker's cheapest days for every task; a task none of whose days the worker
    works goes to the cheapest worker on duty then (the weekend's duty worker for a daily
    client); None when a task finds no day. A client's tasks of one day make one visit."""
    taken: dict[date, list[Task]] = defaultdict(list)
    chosen: dict[date, FitVisit] = {}
    for task in sorted(tasks, key=lambda t: (len(t.allowed), t.day)):
        best = _cheapest(client, [worker], task, taken, chosen, by_day, current)
        if best is None and not any(_works(worker, by_day.get(d)) for d in task.allowed):
            others = {
                w.id: w for d in task.allowed if d in by_day for w in by_day[d].problem.workers
            }
            best = _cheapest(client, list(others.values()), task, taken, chosen, by_day, current)
        if best is None:
            return None
        taken[best.day].append(task)
        chosen[best.day] = best
    visits = tuple(chosen[d] for d in sorted(chosen))
    return FitOption(
        worker_id=worker.id,
        worker_name=worker.name,
        visits=visits,
        minutes=sum(v.minutes for v in visits),
        travel_s=sum(v.travel_s for v in visits),
        room_left_s=0,
    )


def _works(worker: Worker, day: FitDay | None) -> bool:
    return day is not None and any(w.id == worker.id for w in day.problem.workers)


def _cheapest(
    client: CareClient,
    workers: list[Worker],
    task: Task,
    taken: dict[date, list[Task]],
    chosen: dict[date, FitVisit],
    by_day: dict[date, FitDay],
    current: dict[date, dict[str, Route]],
) -> FitVisit | None:
    best: FitVisit | None = None
    for day in task.allowed:
        fit_day = by_day.get(day)
        if fit_day is None or any(t.line == task.line for t in taken[day]):
            continue
        for worker in workers:
            if not _works(worker, fit_day):
                continue
            if day in chosen and chosen[day].worker_id != worker.id:
                continue  # the day's visit is someone else's already
            found = _insert(client, worker, fit_day, [*taken[day], task], current[day])
            if found is not None and (best is None or found.travel_s < best.travel_s):
                best = found
    return best


def _insert(
    client: CareClient,
    worker: Worker,
    day: FitDay,
    tasks: list[Task],
    routes: dict[str, Route],
) -> FitVisit | None:
    """The client's visit of the day (holding `tasks`) at its cheapest place in the
    worker's route, scheduled exactly; None when it fits nowhere."""
    visits = {v.id: v for v in day.problem.visits}
    order = [visits[v] for v in day.sequences.get(worker.id, []) if v in visits]
    minutes = sum(t.minutes for t in tasks)
    skills = client.required_skills | {t.required_skill for t in tasks if t.required_skill}
    visit = Visit(
        id=f"{client.id}@{day.day.isoformat()}",
        client_id=client.id,
        client_name=client.name,
        location=day.place,
        duration=minutes * 60,
        window_start=client.window_start,
        window_end=client.window_end,
        required_skills=frozenset(skills),
        services=tuple(t.service_code for t in tasks),
    )
    before = routes.get(worker.id)
    travel_before = before.travel if before is not None and before.stops else 0
    best: FitVisit | None = None
    problem = replace(day.problem, visits=(*day.problem.visits, visit))
    for position in range(len(order) + 1):
        trial = schedule_route(problem, worker, [*order[:position], visit, *order[position:]])
        if trial.broken is not None:
            continue
        added = trial.route.travel - travel_before
        if best is None or added < best.travel_s:
            best = FitVisit(day.day, worker.id, position, minutes, added)
    return best
