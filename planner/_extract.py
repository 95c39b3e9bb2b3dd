"""Turn a search's `Solution` (visit order, service starts, lunch start) into `Route`s.

Times are recomputed from the problem's matrices: the worker leaves as late as the first
stop allows, travels, waits if early, and takes the lunch break at a place (the start point
before leaving, or a visit's place after it ends; `planner._lunch.place`), walking on once
it is over. The routes must already have a place for every lunch (`_lunch.at_a_place`).
"""

from __future__ import annotations

from planner import _lunch
from planner._search import Solution
from planner.problem import Problem, Route, Stop, Visit, Worker


def routes(problem: Problem, visits: list[Visit], solution: Solution) -> list[Route]:
    return [
        _route(problem, worker, [(visits[i], start) for i, start in stops], lunch)
        for worker, stops, lunch in zip(
            problem.workers, solution.stops, solution.lunch_start, strict=True
        )
    ]


def _route(
    problem: Problem, worker: Worker, stops: list[tuple[Visit, int]], hint: int | None
) -> Route:
    if not stops:
        return Route(worker.id, worker.shift_start, worker.shift_start, ())
    travel = problem.travel_time[worker.travel_mode]
    lunch = worker.lunch
    placed = _lunch.place(problem, worker, stops, hint)
    if lunch is not None and placed is None:
        raise AssertionError(f"no place for the lunch of {worker.id}")
    after, b0 = placed if placed is not None else (-2, None)
    b1 = None if b0 is None or lunch is None else b0 + lunch.duration

    first_visit, first_start = stops[0]
    departure = first_start - travel[worker.start_location][first_visit.location]

    result: list[Stop] = []
    location, free_at = worker.start_location, departure
    distance = 0
    for n, (visit, start) in enumerate(stops):
        leg = travel[location][visit.location]
        if after == n - 1 and b1 is not None:
            free_at = max(free_at, b1)  # eats here, then walks on
        arrival = min(free_at + leg, start)
        result.append(Stop(visit.id, arrival, start, start + visit.duration, leg, start - arrival))
        if problem.distance is not None:
            distance += problem.distance[location][visit.location]
        location, free_at = visit.location, start + visit.duration

    if after == len(stops) - 1 and b1 is not None:
        free_at = max(free_at, b1)
    back = travel[location][worker.end_location]
    end = free_at + back
    if problem.distance is not None:
        distance += problem.distance[location][worker.end_location]
    return Route(
        worker_id=worker.id,
        start=departure,
        end=end,
        stops=tuple(result),
        break_start=b0,
        break_end=b1,
        travel=sum(s.travel for s in result) + back,
        service=sum(s.end - s.start for s in result),
        wait=sum(s.wait for s in result),
        distance_m=distance,
        lunch_after=None if after < 0 else stops[after][0].id,
    )
