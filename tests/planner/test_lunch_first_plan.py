"""A large day with lunches is first planned without them, then each lunch is fitted in."""

from __future__ import annotations

import time

import pytest

from bench.homecare_gen import generate
from planner import _construct, _decompose, _first_plan, _lunch, _precheck, _search, solver
from planner.problem import Break, Problem, SolveParams, Visit, Worker
from tests.planner.checker import violations
from tests.planner.test_solver_parts import with_every_rule

HOUR = 3600


def full_morning_day() -> Problem:
    """Ann's route without lunch fills her shift (eight hours at one address); Bob is free."""
    lunch = Break(12 * HOUR, 13 * HOUR, 45 * 60)
    workers = tuple(
        Worker(w, 8 * HOUR, 16 * HOUR, 0, 0, lunch=lunch, name=w) for w in ("ann", "bob")
    )
    visits = tuple(Visit(f"v{n}", f"c{n}", 1, HOUR) for n in range(8))
    travel = [[0, 60], [60, 0]]
    return Problem(workers, visits, {workers[0].travel_mode: travel})


def test_fitting_takes_out_what_no_longer_fits_and_places_it_elsewhere() -> None:
    problem = full_morning_day()
    visits = list(problem.visits)
    # Without lunch Ann could do all eight hours back to back; with it, one hour must go.
    ann_all_day = [(n, 8 * HOUR + 60 + n * HOUR) for n in range(8)]
    ann_only = [[_construct.Call(i) for i, _ in ann_all_day]]
    assert _construct.schedule(problem, problem.workers[0], visits, ann_only[0]) is None

    ann, bob = _lunch.fitted(problem, visits, [ann_all_day, []])

    assert len(ann) == 7 and len(bob) == 1
    assert sorted(i for i, _ in ann + bob) == list(range(8))
    for worker, route in zip(problem.workers, (ann, bob), strict=True):
        calls = [_construct.Call(i) for i, _ in route]
        assert _construct.schedule(problem, worker, visits, calls) == [s for _, s in route]


def test_without_lunch_shortens_each_shift_by_its_lunch() -> None:
    relaxed = _lunch.without_lunch(full_morning_day())
    assert all(w.lunch is None and w.shift_end == 16 * HOUR - 45 * 60 for w in relaxed.workers)


def test_large_lunch_day_starts_from_the_fitted_plan_and_keeps_every_rule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem = with_every_rule(generate(20, 170, seed=4))
    assert all(w.lunch is not None for w in problem.workers)
    visits, blocked = _precheck.split(problem)
    searched: list[Problem] = []
    real_run = _search.run

    def recording_run(day: Problem, *args: object, **kwargs: object) -> _search.Solution | None:
        searched.append(day)
        return real_run(day, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_search, "run", recording_run)
    began = time.monotonic()
    params = SolveParams(time_limit_s=5.0, workers=1)
    day = _decompose.with_arrays(problem)
    first, _ = _first_plan.heuristic_plan(day, visits, params, _first_plan.FIRST, began + 5.0)

    assert first is not None
    # Only the day without lunches went to OR-Tools' heuristic (no fallback to the full day).
    assert searched and all(w.lunch is None for d in searched for w in d.workers)
    plan = solver._plan(problem, visits, first, blocked, began)
    assert violations(problem, plan) == []
    assert sum(len(r.stops) for r in plan.routes) >= 0.95 * len(visits)
    assert all(r.break_start is not None for r in plan.routes if r.stops)
