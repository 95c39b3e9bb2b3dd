"""Visits for two workers and usual workers off duty never sink a whole day."""

from __future__ import annotations

import dataclasses

from planner import _construct, _model, _precheck, _search, solver
from planner.problem import Plan, Problem, SolveParams
from planner.solver import solve
from tests.planner.checker import violations
from tests.planner.test_solver import HOUR, QUICK, tiny_day, visit


def test_demo_day_with_two_worker_visits_is_planned(perovo_day: Problem) -> None:
    plan = solve(perovo_day, SolveParams(time_limit_s=3.0, workers=1))
    assert violations(perovo_day, plan) == []
    planned = sum(len(r.stops) for r in plan.routes)
    assert planned >= 120  # 122 of the 124 one-worker visits fit when measured
    assert all(u.code != "infeasible" for u in plan.unplanned)


def test_usual_worker_off_duty_still_lets_visits_be_left_out() -> None:
    # One worker, more hour-long visits than fit; the usual worker is not on duty.
    visits = [
        dataclasses.replace(visit(n), duration=HOUR, preferred_worker="away") for n in range(1, 13)
    ]
    problem = tiny_day(visits, workers=1)
    plan = solve(problem, QUICK)
    assert violations(problem, plan) == []
    assert 6 <= sum(len(r.stops) for r in plan.routes) <= 9
    assert {u.code for u in plan.unplanned} <= {"no_time", "shift_over"}


def constructed_plan(problem: Problem) -> Plan:
    """The plan the search would start from if OR-Tools' heuristics found none."""
    visits, blocked = _precheck.split(problem)
    model = _model.build(problem, visits, SolveParams())
    start = _search._constructed_start(model)
    assert start is not None
    return solver._plan(problem, visits, _search.read(model, start, "built", 0), blocked, 0.0)


def test_constructed_start_obeys_every_rule(perovo_day: Problem, walk_day: Problem) -> None:
    for problem in (perovo_day, walk_day):
        plan = constructed_plan(problem)
        assert violations(problem, plan) == []
        assert sum(len(r.stops) for r in plan.routes) >= 0.85 * len(problem.visits)


def test_constructed_start_puts_a_pair_on_two_workers_at_one_time() -> None:
    bath = visit(3, workers_needed=2, window_start=10 * HOUR, window_end=12 * HOUR)
    problem = tiny_day([visit(1), visit(2), bath, visit(4)], workers=2)
    routes = _construct.build(problem, list(problem.visits))
    copies = [c for route in routes for c in route if c.visit == 2]
    assert len(copies) == 2 and copies[0].fixed_start == copies[1].fixed_start
    plan = constructed_plan(problem)
    assert violations(problem, plan) == []
    assert sum(len(r.stops) for r in plan.routes) == 5
