"""A large day planned by ruin and recreate alone (planner._large_day): built from nothing,
improved, every rule of the office kept and every left-out visit's reason true."""

from __future__ import annotations

import dataclasses
import itertools
import random

import pytest

from bench.homecare_gen import generate
from planner import _large_day, _ruin, _ruin_day
from planner._construct import Call, positions, schedule
from planner.problem import Problem, Progress, SolveParams
from planner.solver import solve
from tests.planner.checker import reason_violations, violations


def crowded_day(seed: int) -> Problem:
    """Lunches and more visits than the workers can hold: many are left out."""
    return generate(8, 170, seed=seed, lunch=True, windows_share=0.4, skills=True)


def test_construction_from_nothing_keeps_every_rule() -> None:
    problem = crowded_day(1)
    visits = list(problem.visits)
    day = _ruin_day._day(problem, visits, SolveParams())
    routes = _ruin.construct(day, random.Random(1))
    served = [i for route in routes for i in route]
    assert len(served) == len(set(served))
    assert 80 < len(served) < len(visits)  # a full day, yet not everything fits
    for k, route in enumerate(routes):
        worker = problem.workers[k]
        assert all(visits[i].required_skills <= worker.skills for i in route)
        assert schedule(problem, worker, visits, [Call(i) for i in route]) is not None


def test_a_round_retries_only_the_nearest_left_out_visits_and_counts_the_rest() -> None:
    problem = crowded_day(2)
    visits = list(problem.visits)
    day = _ruin_day._day(problem, visits, SolveParams())
    search = _ruin._Search(day, _ruin.construct(day, random.Random(2)), every_route=False)
    assert len(search.left_out) > _ruin.LEFT_OUT_PER_ROUND
    rng = random.Random(2)
    for _ in range(300):
        change = search.try_change(rng)
        if change.cost <= search.cost + 600:
            search.accept(change)
        routes = search.routes_now()
        assert search.cost == _ruin_day._cost(day, routes)  # the untried left-out counted
        served = {i for route in routes for i in route}
        assert search.left_out == {i for i in day.movable if i not in served}


@pytest.mark.parametrize("workers", [1, 2])
def test_a_large_day_keeps_every_rule_and_says_true_reasons(
    workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_large_day, "LUNCH_DAY_FROM", 100)  # a small day takes the path
    problem = crowded_day(3)
    assert _large_day.suits(problem, list(problem.visits))
    heard: list[Progress] = []
    plan = solve(problem, SolveParams(time_limit_s=2, workers=workers), heard.append)
    assert heard[-1].percent == 100.0
    assert all(a.percent <= b.percent for a, b in itertools.pairwise(heard))
    assert violations(problem, plan) == []
    assert reason_violations(problem, plan) == []
    planned = {s.visit_id for r in plan.routes for s in r.stops}
    left_out = {u.visit_id for u in plan.unplanned}
    assert planned | left_out == {v.id for v in problem.visits}
    assert not planned & left_out
    assert len(planned) > 90


def test_a_large_day_with_two_worker_visits_keeps_every_rule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_large_day, "LUNCH_DAY_FROM", 100)
    problem = generate(8, 120, seed=5, lunch=True, windows_share=0.4)
    teams = {v.id for v in problem.visits[:: len(problem.visits) // 4]}
    visits = tuple(
        dataclasses.replace(v, workers_needed=2) if v.id in teams else v for v in problem.visits
    )
    problem = dataclasses.replace(problem, visits=visits)
    assert _large_day.suits(problem, list(visits))
    searched: list[str] = []
    run = _large_day.run
    monkeypatch.setattr(_large_day, "run", lambda *a, **k: searched.append("large") or run(*a, **k))
    plan = solve(problem, SolveParams(time_limit_s=3, workers=2))
    assert searched == ["large"]
    assert violations(problem, plan) == []  # each team: two workers, one start
    assert reason_violations(problem, plan) == []
    doers = {
        v: [r.worker_id for r in plan.routes for s in r.stops if s.visit_id == v] for v in teams
    }
    assert all(len(workers) == 2 and workers[0] != workers[1] for workers in doers.values())


def test_pinned_visits_keep_the_routing_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_large_day, "LUNCH_DAY_FROM", 100)
    problem = crowded_day(4)
    visits = list(problem.visits)
    assert _large_day.suits(problem, visits)
    pair = [dataclasses.replace(visits[0], workers_needed=2), *visits[1:]]
    pinned = [dataclasses.replace(visits[0], pinned_worker=problem.workers[0].id), *visits[1:]]
    assert _large_day.suits(problem, pair)
    assert not _large_day.suits(problem, pinned)
    assert not _large_day.suits(problem, visits[:99])
    no_lunch = dataclasses.replace(
        problem, workers=tuple(dataclasses.replace(w, lunch=None) for w in problem.workers)
    )
    assert not _large_day.suits(no_lunch, visits)  # a plain day waits for LARGE_DAY_FROM


def test_construction_gives_a_visit_to_its_usual_worker_where_it_fits() -> None:
    problem = generate(8, 150, seed=6, lunch=True, windows_share=0.3, continuity=True)
    visits = list(problem.visits)
    day = _ruin_day._day(problem, visits, SolveParams())  # continuity has its price
    routes = _ruin.construct(day, random.Random(6))
    index = {w.id: k for k, w in enumerate(problem.workers)}
    usual = [i for i, v in enumerate(visits) if v.preferred_worker in index]
    assert len(usual) > 50
    given_away = 0
    for k, route in enumerate(routes):
        for i in route:
            if i in usual and index[visits[i].preferred_worker] != k:
                given_away += 1
                own = index[visits[i].preferred_worker]
                calls = [Call(j) for j in routes[own]]
                # no room left in the usual worker's route, by the exact schedule
                assert not list(positions(problem, problem.workers[own], visits, calls, i))
    served = [i for route in routes for i in route]
    assert given_away < len([i for i in usual if i in served]) // 2
