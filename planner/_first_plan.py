"""The first plan of a day, before the parts improve it: a quick heuristic's routes (on a day
with lunches made without them, then fitted), and routes read back through the whole day's
model."""

from __future__ import annotations

import dataclasses
import time
from concurrent.futures import ProcessPoolExecutor

from planner import _lunch, _model, _search
from planner.problem import Problem, SolveParams, Visit

# The first plan: parallel cheapest insertion, without local search (the parts do that).
# Measured on 600 visits: 0.9 s and within 10 % of the savings heuristic's plan, which
# cannot place two-worker visits (it searched 3 s for nothing on a day with them).
FIRST = _search.Strategy(
    "pci-parts",
    _search.FirstSolution.PARALLEL_CHEAPEST_INSERTION,
    _search.Metaheuristic.GUIDED_LOCAL_SEARCH,
    first_only=True,
)
# A second start for a portfolio's other search: the savings plan (cheaper on plain days,
# no two-worker visits). On Solomon's R1/RC1 two searches from PCI and savings gave 1.33 %
# and 2.46 % mean gap, both from PCI 1.46 % and 3.19 %.
FIRST_SAVINGS = dataclasses.replace(
    FIRST, name="savings-parts", first_solution=_search.FirstSolution.SAVINGS
)


def first_plan(
    full: _model.RoutingModel,
    visits: list[Visit],
    params: SolveParams,
    start_with: _search.Strategy,
    deadline: float,
    pool: ProcessPoolExecutor | None = None,
) -> tuple[_search.Solution | None, float]:
    """The heuristic's plan of the day (with a `pool`, the cheaper of two heuristics' plans)
    and the seconds this process took to read routes through the whole day's model.

    On plain days (no two-worker visits, which the savings heuristic cannot place) the pool's
    process builds the savings plan while this one builds `start_with`'s: the second core
    is idle until the parts begin. 60x600 days, seeds 1-4, 10 s: the savings start gave
    2.3 % less walking than parallel cheapest insertion; on 30x250 days neither won.
    """
    other = None
    if pool is not None and all(v.workers_needed == 1 for v in visits):
        second = FIRST_SAVINGS if start_with is not FIRST_SAVINGS else FIRST
        other = pool.submit(heuristic_plan, full.problem, visits, params, second, deadline)
    mine, read_seconds = heuristic_plan(full.problem, visits, params, start_with, deadline, full)
    found = [mine, None if other is None else other.result()[0]]
    best = min((s for s in found if s is not None), key=lambda s: s.cost, default=None)
    return best, read_seconds


def heuristic_plan(
    problem: Problem,
    visits: list[Visit],
    params: SolveParams,
    start_with: _search.Strategy,
    deadline: float,
    full: _model.RoutingModel | None = None,
) -> tuple[_search.Solution | None, float]:
    """`start_with`'s plan; on a day with lunches made without them, then fitted (and the
    seconds reading the fitted routes through the whole day's model took).

    60x600 days with lunches, seeds 1-4: with the breaks in the model the heuristic found
    no plan within its time, and the exact Python construction left 110-130 visits out
    after 8 s, of which the parts placed little (83-133 of 600 still out at 10 s on three
    of four days). Planned without the breaks and fitted (planner._lunch): 1-3 s and 5-22
    visits out, all placed by the parts but for 2-4 on one day.
    """
    if not any(w.lunch for w in problem.workers):
        return _search.run(problem, visits, params, start_with, deadline), 0.0
    relaxed = _search.run(_lunch.without_lunch(problem), visits, params, start_with, deadline)
    if relaxed is None:
        return _search.run(problem, visits, params, start_with, deadline), 0.0
    full = full or _model.build(problem, visits, params)
    stops = _lunch.fitted(problem, visits, relaxed.stops)
    began = time.monotonic()
    solution = read_day(full, stops, start_with.name, relaxed.solutions_seen)
    read_seconds = time.monotonic() - began
    if solution is None:
        return _search.run(problem, visits, params, start_with, deadline), read_seconds
    return solution, read_seconds


def read_day(
    full: _model.RoutingModel, stops: list[list[tuple[int, int]]], name: str, seen: int
) -> _search.Solution | None:
    """Routes of visits as a solution of the whole day's model; None if it refuses them."""
    routes = _search.routing_indexes(full, stops)
    assignment = full.routing.ReadAssignmentFromRoutes(routes, True)
    return None if assignment is None else _search.read(full, assignment, name, seen)
