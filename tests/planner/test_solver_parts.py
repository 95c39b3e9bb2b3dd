"""Days improved part by part (planner._decompose) keep every hard rule."""

from __future__ import annotations

import dataclasses
import time

from bench.homecare_gen import generate
from planner import _decompose, _first_plan, _precheck, _search, solver
from planner.problem import Plan, Problem, SolveParams
from planner.solver import solve
from tests.planner.checker import violations

HOUR = 3600


def with_every_rule(problem: Problem) -> Problem:
    """Two-worker visits, pinned visits and a working-time limit on top of a generated day."""
    visits = list(problem.visits)
    for n in range(0, len(visits), 23):  # every 23rd visit needs two workers
        visits[n] = dataclasses.replace(visits[n], workers_needed=2, duration=45 * 60)
    for n, worker in ((5, problem.workers[1]), (11, problem.workers[2])):
        visits[n] = dataclasses.replace(
            visits[n], pinned_worker=worker.id, pinned_start=10 * HOUR, window_end=24 * HOUR
        )
    workers = list(problem.workers)
    workers[0] = dataclasses.replace(workers[0], max_working_seconds=5 * HOUR)
    return dataclasses.replace(problem, visits=tuple(visits), workers=tuple(workers))


def parts_plan(problem: Problem, params: SolveParams) -> Plan:
    visits, blocked = _precheck.split(problem)
    began = time.monotonic()
    found = _decompose.run(problem, visits, params, began + params.time_limit_s)
    assert found is not None
    return solver._plan(problem, visits, found, blocked, began)


def test_large_day_goes_part_by_part_and_obeys_every_rule() -> None:
    problem = with_every_rule(generate(18, 160, seed=3, skills=True, continuity=True))
    assert len(problem.visits) >= solver.DECOMPOSE_FROM
    plan = solve(problem, SolveParams(time_limit_s=4.0, workers=2))
    assert violations(problem, plan) == []
    assert sum(len(r.stops) for r in plan.routes) >= 0.9 * len(problem.visits)
    assert plan.solve_seconds < 4.0 + 1.5


def test_parts_keep_two_worker_pinned_lunch_and_limit_rules(walk_day: Problem) -> None:
    problem = with_every_rule(walk_day)
    for workers in (1, 2):
        plan = parts_plan(problem, SolveParams(time_limit_s=2.5, workers=workers))
        assert violations(problem, plan) == []
        pairs = [v.id for v in problem.visits if v.workers_needed == 2]
        served = [s.visit_id for r in plan.routes for s in r.stops]
        assert any(served.count(v) == 2 for v in pairs)


def test_parts_improve_on_the_first_plan() -> None:
    problem = generate(12, 110, seed=5, lunch=False)
    visits, _ = _precheck.split(problem)
    params = SolveParams(time_limit_s=3.0, workers=1, fairness_weight=0, continuity_cost_s=0)
    first = _search.run(problem, visits, params, _first_plan.FIRST, time.monotonic() + 3.0)
    improved = _decompose.run(problem, visits, params, time.monotonic() + 3.0)
    assert first is not None and improved is not None
    assert improved.cost < first.cost


def test_mid_sized_day_is_searched_part_by_part_and_whole() -> None:
    problem = with_every_rule(generate(10, 90, seed=4, skills=True))
    assert solver.PARTS_EACH_FROM <= len(problem.visits) < solver.DECOMPOSE_FROM
    plan = solve(problem, SolveParams(time_limit_s=3.0, workers=2))
    assert violations(problem, plan) == []
    assert sum(len(r.stops) for r in plan.routes) >= 0.8 * len(problem.visits)


def test_few_long_routes_are_searched_whole(c101_25: Problem) -> None:
    problem = dataclasses.replace(c101_25, workers=c101_25.workers[:4])
    visits, _ = _precheck.split(problem)
    params = SolveParams(time_limit_s=2.0, workers=1, fairness_weight=0)
    found = _decompose.run(problem, visits, params, time.monotonic() + 2.0)
    # ruin and recreate over the whole day, then guided local search from its plan
    assert found is not None and found.strategy in (_decompose.RUIN_WHOLE_DAY, "lci-gls")
    assert violations(problem, solver._plan(problem, visits, found, [], time.monotonic())) == []


def test_search_keeps_busy_workers_and_two_idle_ones_of_each_kind(c101_25: Problem) -> None:
    workers = list(c101_25.workers)  # 25 alike vehicles; a few busy in the first plan
    workers[20] = dataclasses.replace(workers[20], skills=frozenset({"nurse"}))
    visits = list(c101_25.visits)
    visits[0] = dataclasses.replace(visits[0], preferred_worker=workers[24].id)
    problem = dataclasses.replace(c101_25, workers=tuple(workers), visits=tuple(visits))
    half = len(visits) // 2
    routes = [[(i, 0) for i in range(half)], [(i, 0) for i in range(half, len(visits))]]
    start = _search.Solution("first", 0, routes + [[] for _ in workers[2:]], [])
    kept = _search._kept_workers(problem, visits, start, spare=2)
    # the two busy ones, two idle alike ones, the nurse (a kind of her own), the usual worker
    assert kept == [0, 1, 2, 3, 20, 24]
    assert _search._kept_workers(problem, visits, start, spare=None) == list(range(25))
    # a visit left out in the first plan may need any idle worker: everyone stays
    routes[1].pop()
    assert _search._kept_workers(problem, visits, start, spare=2) == list(range(25))


def test_search_with_fewer_idle_workers_plans_for_everyone(c101_25: Problem) -> None:
    visits, _ = _precheck.split(c101_25)
    params = SolveParams(time_limit_s=2.0, workers=1, fairness_weight=0, continuity_cost_s=0)
    found = _search.run(c101_25, visits, params, _search.PORTFOLIO[1], time.monotonic() + 2.0)
    assert found is not None and len(found.stops) == len(c101_25.workers)
    assert sum(1 for route in found.stops if route) < len(c101_25.workers)
    plan = solve(c101_25, params)
    assert violations(c101_25, plan) == [] and not plan.unplanned


def test_demo_day_in_two_seconds_plans_nearly_every_visit(perovo_day: Problem) -> None:
    """The demo's history plans with 2 s and one process; on this day with lunches and
    two-worker visits the first plan leaves visits out and the search must place them
    (part by part alone it planned 77 of 127)."""
    plan = solve(perovo_day, SolveParams(time_limit_s=2.0, workers=1))
    assert violations(perovo_day, plan) == []
    assert sum(len(r.stops) for r in plan.routes) >= 115
