"""A first plan for a large day with lunch breaks: plan without them, then fit them in.

OR-Tools' insertion heuristics slow down a great deal with break intervals: on a 600-visit
day with lunches parallel cheapest insertion found no plan in its 3 s, and the exact
Python construction (planner._construct) then took 4-5 s and placed 470-490 of the 600
visits, leaving the part-by-part search 1-2 s. Without the breaks the same heuristic plans
the day in about 2 s. So: plan with each shift shortened by its worker's lunch, put the
lunch into each route by the exact schedule check, take out the visits a route can then
no longer keep (the one that saves the most walking first) and insert them again where
they fit; the search starts from that.
"""

from __future__ import annotations

import dataclasses

from planner import _construct
from planner._construct import Call
from planner._precheck import eligible_workers
from planner.problem import Problem, Visit, Worker


def without_lunch(problem: Problem) -> Problem:
    """The day with every lunch taken out and each shift shortened by its length."""
    workers = tuple(
        worker
        if worker.lunch is None
        else dataclasses.replace(
            worker, lunch=None, shift_end=worker.shift_end - worker.lunch.duration
        )
        for worker in problem.workers
    )
    return dataclasses.replace(problem, workers=workers)


def fitted(
    problem: Problem, visits: list[Visit], stops: list[list[tuple[int, int]]]
) -> list[list[tuple[int, int]]]:
    """The routes of a plan made without lunch, made to keep every lunch (and every rule).

    A two-worker visit keeps the start both its workers had; if either route cannot keep it
    with the lunch, the visit comes out of both and is inserted again like the others.
    """
    routes = [
        [Call(i, start if visits[i].workers_needed > 1 else None) for i, start in route]
        for route in stops
    ]
    taken_out: list[int] = []
    changed = True
    while changed:  # taking a copy out of one route changes its partner's route too
        changed = False
        for k, worker in enumerate(problem.workers):
            while routes[k] and _construct.schedule(problem, worker, visits, routes[k]) is None:
                i = _to_take_out(problem, worker, visits, routes[k])
                routes = [[c for c in route if c.visit != i] for route in routes]
                taken_out.append(i)
                changed = True
    index_of = {w.id: k for k, w in enumerate(problem.workers)}
    for i in taken_out:
        allowed = [index_of[w.id] for w in eligible_workers(visits[i], problem.workers)]
        if visits[i].workers_needed == 1:
            _construct.insert_one(problem, visits, routes, i, allowed)
        else:
            _construct.insert_pair(problem, visits, routes, i, allowed)
    return [
        list(zip((c.visit for c in route), _starts(problem, worker, visits, route), strict=True))
        for worker, route in zip(problem.workers, routes, strict=True)
    ]


def _starts(problem: Problem, worker: Worker, visits: list[Visit], route: list[Call]) -> list[int]:
    starts = _construct.schedule(problem, worker, visits, route)
    if starts is None:  # every route was made to fit above; insertions check the same rule
        raise AssertionError(f"route of {worker.id} breaks a rule after fitting the lunch")
    return starts


def _to_take_out(problem: Problem, worker: Worker, visits: list[Visit], route: list[Call]) -> int:
    """The visit to take out: one whose removal lets the route keep every rule, if any does,
    else any; among those the one whose removal saves the most walking."""
    travel = problem.travel_time[worker.travel_mode]
    places = [
        worker.start_location,
        *(visits[c.visit].location for c in route),
        worker.end_location,
    ]
    best: tuple[bool, int, int] | None = None
    for at, call in enumerate(route):
        before, here, after = places[at], places[at + 1], places[at + 2]
        saved = int(travel[before][here] + travel[here][after] - travel[before][after])
        fits = _construct.schedule(problem, worker, visits, [*route[:at], *route[at + 1 :]])
        key = (fits is not None, saved, call.visit)
        if best is None or key > best:
            best = key
    assert best is not None  # the route is not empty
    return best[2]


def place(
    problem: Problem,
    worker: Worker,
    stops: list[tuple[Visit, int]],
    hint: int | None = None,
) -> tuple[int, int] | None:
    """Where and when `worker` eats on a route of fixed service starts: (the stop at whose
    place, -1 for the start point before leaving; break start), or None if no place has room.

    The office's rule: at the start point before leaving, or at a visit's place after it
    ends; the walk to the next door (or back) begins when the break is over. The break
    starts as close to `hint` (the search's choice) as its place allows, else as early.
    """
    lunch = worker.lunch
    if lunch is None or not stops:
        return None
    travel = problem.travel_time[worker.travel_mode]
    free, here = worker.shift_start, worker.start_location
    for n in range(-1, len(stops)):
        if n >= 0:
            visit, start = stops[n]
            free, here = start + visit.duration, visit.location
        if n + 1 < len(stops):
            nxt, due = stops[n + 1]
            leave_by = due - travel[here][nxt.location]
        else:
            leave_by = worker.shift_end - travel[here][worker.end_location]
        low = max(free, lunch.earliest)
        high = min(lunch.latest, leave_by - lunch.duration)
        if low <= high:
            return n, low if hint is None else min(max(hint, low), high)
    return None


def at_a_place(
    problem: Problem,
    visits: list[Visit],
    stops: list[list[tuple[int, int]]],
) -> list[list[tuple[int, int]]]:
    """The routes with every lunch at a place: a route whose lunch has no place at its
    times is re-timed by the exact schedule, or else refitted (visits taken out and inserted
    again where they fit, as in `fitted`).

    OR-Tools' Python wrapper (9.15) sets a vehicle's breaks only with a time per node before
    the walk (`SetBreakIntervalsOfVehicle(..., node_visit_transits)`): its model lets a
    break sit anywhere between one visit's end and the next start, so part of a walk may
    come before the lunch. The plan keeps the office's rule here.
    """
    result = [list(route) for route in stops]
    broken: list[int] = []
    for k, worker in enumerate(problem.workers):
        route = result[k]
        if worker.lunch is None or not route:
            continue
        timed = [(visits[i], start) for i, start in route]
        if place(problem, worker, timed) is not None:
            continue
        calls = [Call(i, start if visits[i].workers_needed > 1 else None) for i, start in route]
        starts = _construct.schedule(problem, worker, visits, calls)
        if starts is None:
            broken.append(k)
        else:
            result[k] = [(c.visit, s) for c, s in zip(calls, starts, strict=True)]
    if not broken:
        return result
    return fitted(problem, visits, result)
