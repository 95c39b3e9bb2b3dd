"""The construction by exact checks: the insertion it picks is the cheapest that fits, it
keeps its deadline, and it stands in for a search that found nothing in time."""

from __future__ import annotations

import time

from planner import _construct, _precheck, solver
from planner._construct import Call
from planner._precheck import eligible_workers
from planner.problem import Problem
from tests.planner.checker import violations


def _cheapest_by_trying_everything(
    problem: Problem, routes: list[list[Call]], i: int
) -> tuple[int, int, int] | None:
    """The rule as stated: of every position of every route of a worker who may take the
    visit where its whole route still keeps every rule, the one with the least detour."""
    visits = list(problem.visits)
    visit = visits[i]
    best = None
    for k, worker in enumerate(problem.workers):
        if worker not in eligible_workers(visit, problem.workers):
            continue
        calls = routes[k]
        travel = problem.travel_time[worker.travel_mode]
        for at in range(len(calls) + 1):
            trial = [*calls[:at], Call(i), *calls[at:]]
            if _construct.schedule(problem, worker, visits, trial) is None:
                continue
            prev = worker.start_location if at == 0 else visits[calls[at - 1].visit].location
            nxt = worker.end_location if at == len(calls) else visits[calls[at].visit].location
            detour = travel[prev][visit.location] + travel[visit.location][nxt] - travel[prev][nxt]
            if best is None or (detour, k, at) < best:
                best = (detour, k, at)
    return best


def test_each_insertion_is_the_cheapest_that_fits(walk_day: Problem) -> None:
    visits = list(walk_day.visits)
    routes: list[list[Call]] = [[] for _ in walk_day.workers]
    bounds = _construct.Bounds(walk_day, visits, routes)
    checked = 0
    for i, visit in enumerate(visits):
        if visit.workers_needed != 1:
            continue
        allowed = [
            k
            for k, w in enumerate(walk_day.workers)
            if w in eligible_workers(visit, walk_day.workers)
        ]
        expected = _cheapest_by_trying_everything(walk_day, routes, i)
        found = _construct._candidates(walk_day, visits, routes, i, allowed, 1, bounds)
        assert (found[0] if found else None) == expected
        _construct.insert_one(walk_day, visits, routes, i, allowed, bounds)
        checked += expected is not None
    assert checked >= 0.8 * len(visits)


def test_a_construction_past_its_deadline_inserts_nothing_more(walk_day: Problem) -> None:
    routes = _construct.build(walk_day, list(walk_day.visits), deadline=time.monotonic())
    assert all(route == [] for route in routes)


def test_the_construction_stands_in_for_a_search_that_found_nothing(walk_day: Problem) -> None:
    visits, blocked = _precheck.split(walk_day)
    built = solver._built(walk_day, visits, float("inf"))
    plan = solver._plan(walk_day, visits, built, blocked, 0.0)
    assert violations(walk_day, plan) == []
    assert sum(len(r.stops) for r in plan.routes) >= 0.85 * len(walk_day.visits)
    assert built.cost > 0
