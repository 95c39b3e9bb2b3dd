"""Ruin and recreate on a part (planner._ruin): exact insertions, every rule kept."""

from __future__ import annotations

import dataclasses
import random
import statistics

import pytest

from bench.homecare_gen import generate
from planner import _construct, _model, _ruin, _ruin_day, _ruin_slack
from planner._construct import Call, schedule
from planner.problem import Problem, SolveParams

HOUR = 3600


def tight_day(seed: int, lunch: bool = False) -> Problem:
    """A small day with many windows, a working-time limit and a short shift: many
    insertions fail, so both answers of the insertion check get exercised."""
    problem = generate(5, 45, seed=seed, lunch=lunch, windows_share=0.6)
    workers = list(problem.workers)
    workers[0] = dataclasses.replace(workers[0], max_working_seconds=4 * HOUR)
    workers[1] = dataclasses.replace(workers[1], shift_end=14 * HOUR)
    visits = list(problem.visits)
    visits[3] = dataclasses.replace(visits[3], pinned_worker=workers[2].id, pinned_start=10 * HOUR)
    return dataclasses.replace(problem, workers=tuple(workers), visits=tuple(visits))


def routes_of(problem: Problem) -> list[list[int]]:
    built = _construct.build(problem, list(problem.visits))
    return [[call.visit for call in route] for route in built]


@pytest.mark.parametrize("lunch", [False, True])
def test_constant_time_check_agrees_with_the_exact_schedule(lunch: bool) -> None:
    checked = refused = 0
    days = [tight_day(seed, lunch) for seed in (1, 2, 3)]
    days += [generate(5, 35, seed=seed, lunch=lunch) for seed in (1, 2)]  # roomier routes
    for seed, problem in enumerate(days):
        visits = list(problem.visits)
        day = _ruin_day._day(problem, visits, SolveParams())
        routes = routes_of(problem)
        for k, route in enumerate(routes):
            slack = _ruin_slack._check(day, k, route)
            assert isinstance(slack, _ruin_slack._LunchSlack if lunch else _ruin_slack._Slack)
            for i in range(len(visits)):
                if i in route:
                    continue
                for at in range(len(route) + 1):
                    trial = [Call(j) for j in [*route[:at], i, *route[at:]]]
                    exact = schedule(problem, problem.workers[k], visits, trial) is not None
                    places = [day.start[k], *route, day.end[k]]
                    travel = day.travel[k]
                    detour = (
                        travel[places[at]][i]
                        + travel[i][places[at + 1]]
                        - travel[places[at]][places[at + 1]]
                    )
                    assert slack.can_insert(i, at, detour) == exact, (seed, k, i, at)
                    checked += 1
                    refused += not exact
    assert refused > 100 and checked - refused > 100  # both answers were tested


def test_improve_keeps_every_rule_and_never_costs_more() -> None:
    for seed, lunch in ((4, False), (5, True)):
        problem = tight_day(seed, lunch)
        visits = list(problem.visits)
        params = SolveParams()
        start = routes_of(problem)
        day = _ruin_day._day(problem, visits, params)
        routes = _ruin.improve(problem, visits, params, start, 0.3, random.Random(seed))
        served = [i for route in routes for i in route]
        assert len(served) == len(set(served))  # no visit twice
        for k, route in enumerate(routes):
            calls = [Call(i) for i in route]
            assert schedule(problem, problem.workers[k], visits, calls) is not None
        for i, visit in enumerate(visits):
            if visit.pinned_worker is not None and any(i in r for r in start):
                owner = next(k for k, r in enumerate(routes) if i in r)
                assert problem.workers[owner].id == visit.pinned_worker
        assert _ruin_day._cost(day, routes) <= _ruin_day._cost(day, start)
        assert _ruin_day._cost(day, routes) < _ruin_day._cost(day, start)  # 0.3 s finds something


def test_a_part_of_pinned_visits_only_comes_back_as_it_was() -> None:
    problem = tight_day(6)
    visits = [
        dataclasses.replace(v, pinned_worker=problem.workers[0].id, pinned_start=v.window_start)
        for v in problem.visits[:2]
    ]
    routes = [[0, 1], [], [], [], []]
    assert _ruin.improve(problem, visits, SolveParams(), routes, 0.1, random.Random(1)) == routes


def many_workers_day(seed: int) -> Problem:
    """Enough workers that visits go back beside their nearest visits; skills narrow who may
    take some visits, one worker has a short shift and a working-time limit."""
    problem = generate(12, 110, seed=seed, lunch=False, windows_share=0.5, skills=True)
    workers = list(problem.workers)
    workers[1] = dataclasses.replace(workers[1], shift_end=13 * HOUR, max_working_seconds=4 * HOUR)
    return dataclasses.replace(problem, workers=tuple(workers))


@pytest.mark.parametrize("fair_target", [0, 5 * HOUR])
def test_kept_route_costs_and_places_match_a_full_recount_after_many_rounds(
    fair_target: int,
) -> None:
    problem = many_workers_day(7)
    visits = list(problem.visits)
    day = _ruin_day._day(problem, visits, SolveParams(fairness_weight=1), fair_target)
    search = _ruin._Search(day, routes_of(problem))
    rng = random.Random(7)
    accepted = 0
    for _ in range(300):
        change = search.try_change(rng)
        if change.cost <= search.cost + 600:  # some worse changes too
            search.accept(change)
            accepted += 1
        routes = search.routes_now()
        assert search.cost == _ruin_day._cost(day, routes)
        assert search.route_cost == [_ruin_day._route_cost(day, k, r) for k, r in enumerate(routes)]
        for k, route in enumerate(routes):
            assert all(search.route_of[i] == k for i in route)
        served = {i for route in routes for i in route}
        assert search.left_out == {i for i in day.movable if i not in served}
    assert accepted > 50


def test_improve_on_a_day_of_many_workers_keeps_skills_shifts_and_windows() -> None:
    for seed in (8, 9):
        problem = many_workers_day(seed)
        visits = list(problem.visits)
        start = routes_of(problem)
        day = _ruin_day._day(problem, visits, SolveParams())
        assert len(day.allowed[0]) > _ruin.NEAR_ROUTES  # the search beside nearest visits
        routes = _ruin.improve(problem, visits, SolveParams(), start, 0.5, random.Random(seed))
        served = [i for route in routes for i in route]
        assert len(served) == len(set(served))
        for k, route in enumerate(routes):
            worker = problem.workers[k]
            assert all(visits[i].required_skills <= worker.skills for i in route)
            assert schedule(problem, worker, visits, [Call(i) for i in route]) is not None
        assert _ruin_day._cost(day, routes) < _ruin_day._cost(day, start)


def test_fairness_spreads_the_working_time_as_the_model_prices_it() -> None:
    """With the model's fair share set, working time above it costs: the routes even out."""
    problem = generate(10, 90, seed=10, lunch=False)
    visits = list(problem.visits)
    start = routes_of(problem)
    params = SolveParams(fairness_weight=1)
    target = _model.build(problem, visits, params).fair_target
    spread = {}
    for fair_target in (0, target):
        routes = _ruin.improve(
            problem, visits, params, start, 0.5, random.Random(10), None, (1.0, 0.0), fair_target
        )
        day = _ruin_day._day(problem, visits, params, target)
        work = [_ruin_slack._check(day, k, r).worked for k, r in enumerate(routes)]
        spread[fair_target] = statistics.pstdev(work)
        if fair_target:
            assert _ruin_day._cost(day, routes) < _ruin_day._cost(day, start)
    assert spread[target] < spread[0]
