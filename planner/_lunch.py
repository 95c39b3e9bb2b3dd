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
