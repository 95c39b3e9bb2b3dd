"""Turn a search's `Solution` (visit order, service starts, lunch start) into `Route`s.

Times are recomputed from the problem's matrices: the worker leaves as late as the first
stop allows, travels, waits if early, and takes the lunch break in the gap the search chose
(a break in a gap delays the arrival at the next stop by its duration).
"""

from __future__ import annotations

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
    problem: Problem, worker: Worker, stops: list[tuple[Visit, int]], lunch_start: int | None
) -> Route:
    if not stops:
        return Route(worker.id, worker.shift_start, worker.shift_start, ())
    travel = problem.travel_time[worker.travel_mode]
    lunch = worker.lunch
    b0 = lunch_start
    b1 = None if b0 is None or lunch is None else b0 + lunch.duration
    pause = 0 if lunch is None else lunch.duration

    first_visit, first_start = stops[0]
    to_first = travel[worker.start_location][first_visit.location]
    departure = first_start - to_first
    if b0 is not None and b1 is not None and b1 <= first_start:  # lunch before the first visit
        departure = min(b0, first_start - to_first - pause)

    result: list[Stop] = []
    location, free_at = worker.start_location, departure
    distance = 0
    for visit, start in stops:
        leg = travel[location][visit.location]
        arrival = free_at + leg
        if b0 is not None and b1 is not None and b0 >= free_at and b1 <= start:
            arrival += pause  # lunch taken on the way
        arrival = min(arrival, start)
        result.append(Stop(visit.id, arrival, start, start + visit.duration, leg, start - arrival))
        if problem.distance is not None:
            distance += problem.distance[location][visit.location]
        location, free_at = visit.location, start + visit.duration

    back = travel[location][worker.end_location]
    end = free_at + back
    if b0 is not None and b1 is not None and free_at <= b0 < end:  # lunch on the way back
        end = max(end + pause, b1)
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
    )
