"""`solve(problem, params) -> Plan`: one office's day, planned with OR-Tools routing.

Steps: a pre-check removes visits that a rule blocks outright (with the reason); the
search runs on the rest until the wall-clock limit: under 80 visits a portfolio of
whole-day searches (one in the calling thread, `params.workers - 1` in extra processes);
from 80 visits the first of them (and on plain days every one) improves the day part
by part on its own (`planner._decompose`, each with its own random parts); from 150
visits the processes share one day, each improving its own half of the routes (the
search ends at 97 % of the limit). A large day (from 800 visits, from 200 with lunches)
whose visits need one or two workers and none is pinned is built and improved by ruin
and recreate alone, without the routing model (`planner._large_day`, two-worker visits by
`planner._teams`). The cheapest solution
becomes the plan: every lunch put at a place (`planner._lunch.at_a_place`), every left-out
visit that fits somewhere put in by the exact check (`planner._repair`), visits moved
between neighbouring routes where that is cheaper (`planner._neighbours`), with a reason in
words for every stop and a reason proven by the exact check for every unplanned visit
(`planner.explain`). When the search
finds nothing in time, the plan starts from the exact check's own construction instead;
a free slot that the reasons' check finds is taken rather than reported.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import pairwise
from typing import Any

from planner import (
    _construct,
    _decompose,
    _extract,
    _first_plan,
    _large_day,
    _lunch,
    _neighbours,
    _precheck,
    _repair,
    _search,
    explain,
)
from planner.problem import Plan, Problem, Progress, SolveParams, Unplanned, Visit

# From this many visits on, a day is improved part by part (planner._decompose): OR-Tools'
# whole-day local search is too slow per move there (bench/README.md).
DECOMPOSE_FROM = 150
# From here on each search of the portfolio goes part by part. Measured on eight Solomon
# R1/RC1 instances (100 customers, 10 s): two independent part-by-part searches 1.79 %
# mean gap, one of them with a whole-day search 2.41 %, the two sharing one day 3.39 %.
PARTS_EACH_FROM = 80
# Share of the time limit kept for the repair pass (planner._repair) after the search, and
# the share it has at least when the search ran late (the limit is then overrun by it).
REPAIR_SHARE = 0.03
REPAIR_AT_LEAST = 0.05
# With fairness, this share of the limit is kept from the search for moving visits out of
# the routes that work most (`_neighbours`): the search alone left 470-490-minute routes
# beside 340-minute ones on the week bench's days (bench/README.md, week plans).
EVEN_SHARE = 0.1
NO_PLAN_IN_TIME = "the search found no plan within its time limit; plan again with more time"
EXPLAIN_AT_LEAST = 0.1  # for the reasons when the time is already over
# Kept per visit of the day for reading the plan back and giving each stop its reason
# (0.6 s on a 2,000-visit day).
READ_SECONDS_PER_VISIT = 0.0003
FREE_SLOT_ROUNDS = 3  # inserting one visit may take the slot found for another: check again


def solve(
    problem: Problem,
    params: SolveParams = SolveParams(),
    on_progress: Callable[[Progress], None] | None = None,
) -> Plan:
    began = time.monotonic()
    kept = REPAIR_SHARE + (EVEN_SHARE if params.fairness_weight else 0)
    deadline = began + params.time_limit_s * (1 - kept)
    visits, blocked = _precheck.split(problem)
    if not visits or not problem.workers:
        return _plan(problem, [], None, blocked, began, deadline, params)
    solution = _portfolio(problem, visits, params, deadline, on_progress)
    if solution is None and any(v.mandatory for v in visits):
        # Mandatory visits made the day infeasible: plan what fits and say what did not.
        visits = [_optional(v) for v in visits]
        remaining = max(deadline - time.monotonic(), 0.5)
        solution = _portfolio(problem, visits, params, time.monotonic() + remaining, None)
    if solution is None:
        # The search found nothing in time (a large day, a busy machine): the plan starts
        # from routes built by the exact check rather than from an idle day.
        visits = [_optional(v) if v.mandatory else v for v in visits]
        solution = _built(problem, visits, began + params.time_limit_s)
    plan = _plan(problem, visits, solution, blocked, began, began + params.time_limit_s, params)
    if on_progress is not None:
        on_progress(Progress(100.0, plan.cost, sum(len(r.stops) for r in plan.routes)))
    return plan


def _explaining(stops: list[list[tuple[int, int]]], visits: list[Visit], limit: float) -> float:
    """The time kept for the reasons of the visits these routes leave out."""
    return explain.proof_seconds(len(visits) - sum(len(route) for route in stops), limit)


def _found_free(dropped: list[Unplanned]) -> set[str]:
    return {u.visit_id for u in dropped if u.code == "not_found"}


def _built(problem: Problem, visits: list[Visit], deadline: float) -> _search.Solution:
    """Cheapest insertion by the exact schedule check (`planner._construct`) as a solution."""
    stops, travel = [], 0
    built = _construct.build(problem, visits, deadline)
    for worker, calls in zip(problem.workers, built, strict=True):
        starts = _construct.schedule(problem, worker, visits, calls)
        if starts is None:  # every insertion was checked by this very schedule
            raise AssertionError(f"route of {worker.id} breaks a rule as built")
        stops.append([(c.visit, s) for c, s in zip(calls, starts, strict=True)])
        legs = problem.travel_time[worker.travel_mode]
        places = [worker.start_location, *(visits[c.visit].location for c in calls)]
        travel += sum(legs[a][b] for a, b in pairwise([*places, worker.end_location]))
    return _search.Solution("construction", travel, stops, [None] * len(problem.workers))


def _optional(visit: Visit) -> Visit:
    return dataclasses.replace(visit, mandatory=False, priority=max(visit.priority, 1) * 100)


def _portfolio(
    problem: Problem,
    visits: list[Visit],
    params: SolveParams,
    deadline: float,
    on_progress: Callable[[Progress], None] | None,
) -> _search.Solution | None:
    if _large_day.suits(problem, visits):
        return _large_day.run(problem, visits, params, deadline, on_progress)
    if len(visits) >= DECOMPOSE_FROM:
        return _decompose.run(problem, visits, params, deadline, on_progress)
    extra = min(max(params.workers, 1), len(_search.PORTFOLIO)) - 1
    if extra == 0:
        return _one_search(problem, visits, params, 0, deadline, on_progress)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=extra, mp_context=context) as pool:
        futures: list[Future[_search.Solution | None]] = [
            pool.submit(_one_search, problem, visits, params, n, deadline)
            for n in range(1, extra + 1)
        ]
        mine = _one_search(problem, visits, params, 0, deadline, on_progress)
        found = [mine, *(f.result() for f in futures)]
    solutions = [s for s in found if s is not None]
    return min(solutions, key=lambda s: s.cost, default=None)


def _one_search(
    problem: Problem,
    visits: list[Visit],
    params: SolveParams,
    n: int,
    deadline: float,
    on_progress: Callable[[Progress], None] | None = None,
) -> _search.Solution | None:
    """Search number `n` of the portfolio: its own strategy, and its own parts and seed.

    From PARTS_EACH_FROM visits the first search goes part by part, and with two searches
    or more the others too on plain days (no visit for two workers), from the savings plan.
    On other days they search the whole day, which places left-out visits anywhere.

    One process alone goes part by part too: 14 office-days of the demo's history (106-130
    visits, lunches, some two-worker visits; 2 s, the demo's limit) left 5.2-5.5 visits out
    on average (worst day 17-22, varying from run to run) with the whole-day search, 1.5-1.7
    (worst 7, the same every run) and 18 % less walking part by part; the whole-day search
    needed 4 s to leave 1.1 out. (Before the parts placed left-out visits, part by part
    alone had planned 77 of 127 visits of one such day; now 123.)
    """
    strategy = _search.PORTFOLIO[n]
    plain = all(v.workers_needed == 1 for v in visits)
    if len(visits) >= PARTS_EACH_FROM and (n == 0 or plain):
        alone = dataclasses.replace(params, workers=1, seed=params.seed + n)
        start = _first_plan.FIRST_SAVINGS if n % 2 == 1 else _first_plan.FIRST
        return _decompose.run(problem, visits, alone, deadline, on_progress, strategy, start)
    return _search.run(problem, visits, params, strategy, deadline, on_progress)


def _plan(
    problem: Problem,
    visits: list[Visit],
    solution: _search.Solution | None,
    blocked: list[Unplanned],
    began: float,
    deadline: float = float("inf"),
    params: SolveParams = SolveParams(),
) -> Plan:
    """The plan of `solution`: every lunch at a place, the left-out visits that fit put in
    (until `deadline`), visits moved between neighbouring routes where that is cheaper (in
    what is left of the time; with visits left out, their reasons' time is kept), routes
    timed, and every stop and left-out visit explained."""
    if solution is None:  # nothing found at all: every worker stays idle
        idle: list[list[Any]] = [[] for _ in problem.workers]
        solution = _search.Solution("none", 0, idle, [None] * len(problem.workers))
        # With every visit optional the empty plan keeps every rule: the time ran out.
        mandatory = any(v.mandatory for v in visits)
        visits_left = [
            Unplanned(v.id, "no plan satisfies every mandatory visit and rule", "infeasible")
            if mandatory
            else Unplanned(v.id, NO_PLAN_IN_TIME, "no_plan_in_time")
            for v in visits
        ]
    else:
        visits_left = []
        # Kept before the deadline: reading the routes back, and proving why visits are
        # left out; the repair has a share of the limit at least when the search ran late.
        reading = READ_SECONDS_PER_VISIT * len(visits)
        stops = _lunch.at_a_place(problem, visits, solution.stops)
        repair_by = deadline - reading - _explaining(stops, visits, params.time_limit_s)
        if repair_by <= time.monotonic():  # the search ran late
            repair_by = time.monotonic() + REPAIR_AT_LEAST * params.time_limit_s
        stops = _repair.repair(problem, visits, stops, repair_by)
        until = deadline - reading - _explaining(stops, visits, params.time_limit_s)
        if params.fairness_weight:  # a search that ran late still leaves the evening its share
            until = max(until, time.monotonic() + EVEN_SHARE * params.time_limit_s)
        stops = _neighbours.improve(problem, visits, stops, params, until)
        solution = dataclasses.replace(solution, stops=stops)
    routes = explain.why_planned(problem, _extract.routes(problem, visits, solution))
    planned = {s.visit_id for r in routes for s in r.stops}
    left_out = [v for v in visits if v.id not in planned]
    explain_by = max(deadline, time.monotonic() + EXPLAIN_AT_LEAST)
    days: dict[str, Any] = {}  # the reasons' lists of the day, made once
    dropped = visits_left or explain.why_left_out(problem, routes, left_out, explain_by, days=days)
    for _ in range(FREE_SLOT_ROUNDS):
        # A free slot the reasons' check found is taken, never reported: the repair above
        # ran out of time before it reached that visit.
        free = {n for n, v in enumerate(visits) if v.id in _found_free(dropped)}
        if not free:
            break
        stops = _repair.repair(problem, visits, solution.stops, float("inf"), only=free)
        changed = frozenset(
            problem.workers[k].id for k, route in enumerate(stops) if route != solution.stops[k]
        )
        solution = dataclasses.replace(solution, stops=stops)
        routes = explain.why_planned(problem, _extract.routes(problem, visits, solution))
        planned = {s.visit_id for r in routes for s in r.stops}
        left_out = [v for v in visits if v.id not in planned]
        explain_by = max(deadline, time.monotonic() + EXPLAIN_AT_LEAST)
        earlier = {u.visit_id: u for u in dropped}
        dropped = explain.why_left_out(
            problem, routes, left_out, explain_by, earlier, changed, days
        )
    stats = {
        "travel": float(sum(r.travel for r in routes)),
        "planned": float(len(planned)),
        "unplanned": float(len(blocked) + len(dropped)),
        "workers_used": float(sum(1 for r in routes if r.stops)),
        "solutions": float(solution.solutions_seen),
    }
    return Plan(
        routes=routes,
        unplanned=blocked + dropped,
        cost=solution.cost,
        solve_seconds=time.monotonic() - began,
        stats=stats,
    )
