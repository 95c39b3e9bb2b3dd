"""After the repair pass, visits move between neighbouring routes where that is cheaper:
relocate and exchange, each checked by the exact schedule and the plan replayed by the
independent checker."""

from __future__ import annotations

import dataclasses
import itertools

from bench.homecare_gen import generate
from planner import _construct, _extract, _neighbours, _precheck, _search, solver
from planner.problem import Break, Problem, SolveParams, TravelMode, Visit, Worker
from tests.planner.checker import violations

H, M = 3600, 60
TRAVEL_ONLY = SolveParams(fairness_weight=0, continuity_cost_s=0)


def line_day(shift_end: int) -> Problem:
    """An office at 0 between two streets: places 1-2 lie 10 min west, 3-4 10 min east (5 min
    apart within a street, 20 min across). Two workers with a 45-min lunch, 1-h visits."""
    x = [0, -10, -15, 10, 15]
    walk = [[abs(a - b) * M for b in x] for a in x]
    lunch = Break(12 * H, 13 * H, 45 * M)
    workers = tuple(Worker(w, 8 * H, shift_end, 0, 0, lunch=lunch) for w in ("w1", "w2"))
    visits = tuple(Visit(f"v{n}", f"c{n}", n, 60 * M) for n in range(1, 5))
    return Problem(workers, visits, {TravelMode.WALK: walk})


def _travel(problem: Problem, plan_routes: list) -> int:  # type: ignore[type-arg]
    return sum(r.travel for r in plan_routes)


def _walking(problem: Problem, visits: list[Visit], stops: list[list[tuple[int, int]]]) -> int:
    total = 0
    for worker, route in zip(problem.workers, stops, strict=True):
        if route:
            travel = problem.travel_time[worker.travel_mode]
            places = [worker.start_location, *(visits[i].location for i, _ in route)]
            places.append(worker.end_location)
            total += sum(travel[a][b] for a, b in itertools.pairwise(places))
    return total


def test_a_visit_on_the_wrong_side_moves_to_the_worker_on_that_side() -> None:
    problem = line_day(17 * H)
    visits, blocked = _precheck.split(problem)
    # w1 does both west visits and one east visit; w2 the other east visit.
    w1 = [(0, 8 * H + 10 * M), (1, 9 * H + 15 * M), (2, 10 * H + 40 * M)]
    found = _search.Solution("search", 0, [w1, [(3, 9 * H)]], [None, None])
    before = _extract.routes(problem, visits, dataclasses.replace(found, lunch_start=[13 * H] * 2))
    plan = solver._plan(problem, visits, found, blocked, 0.0, params=TRAVEL_ONLY)
    routes = {r.worker_id: [s.visit_id for s in r.stops] for r in plan.routes}
    assert set(routes["w1"]) == {"v1", "v2"} and set(routes["w2"]) == {"v3", "v4"}
    assert _travel(problem, plan.routes) < _travel(problem, before)
    assert plan.unplanned == [] and violations(problem, plan) == []


def test_full_routes_trade_visits_when_neither_can_take_one_more() -> None:
    # Shifts of 08:00-11:30 without lunch: each worker has room for two visits only.
    problem = line_day(11 * H + 30 * M)
    workers = tuple(dataclasses.replace(w, lunch=None) for w in problem.workers)
    problem = dataclasses.replace(problem, workers=workers)
    visits, blocked = _precheck.split(problem)
    # w1: west 1 and east 3; w2: west 2 and east 4. Relocating fails (three visits do not
    # fit a shift); exchanging v3 and v2 gives each worker one side.
    stops = [[(0, 8 * H + 10 * M), (2, 9 * H + 30 * M)], [(1, 8 * H + 15 * M), (3, 9 * H + 40 * M)]]
    calls = [[_construct.Call(i) for i, _ in route] for route in stops]
    assert all(
        _construct.schedule(problem, w, visits, c) is not None
        for w, c in zip(problem.workers, calls, strict=True)
    )
    three = [_construct.Call(0), _construct.Call(1), _construct.Call(2)]
    assert _construct.schedule(problem, problem.workers[0], visits, three) is None
    found = _search.Solution("search", 0, stops, [None, None])
    plan = solver._plan(problem, visits, found, blocked, 0.0, params=TRAVEL_ONLY)
    routes = {r.worker_id: {s.visit_id for s in r.stops} for r in plan.routes}
    assert sorted(routes.values(), key=min) == [{"v1", "v2"}, {"v3", "v4"}]  # a side each
    assert violations(problem, plan) == []


def test_a_usual_worker_keeps_the_visit_when_continuity_is_priced() -> None:
    problem = line_day(17 * H)
    visits_ = list(problem.visits)
    visits_[2] = dataclasses.replace(visits_[2], preferred_worker="w1")  # v3, east, is w1's
    problem = dataclasses.replace(problem, visits=tuple(visits_))
    visits, blocked = _precheck.split(problem)
    w1 = [(0, 8 * H + 10 * M), (1, 9 * H + 15 * M), (2, 10 * H + 40 * M)]
    found = _search.Solution("search", 0, [w1, [(3, 9 * H)]], [None, None])
    priced = SolveParams(fairness_weight=0, continuity_cost_s=3 * H)
    plan = solver._plan(problem, visits, found, blocked, 0.0, params=priced)
    routes = {r.worker_id: {s.visit_id for s in r.stops} for r in plan.routes}
    assert "v3" in routes["w1"]
    assert violations(problem, plan) == []


def test_on_generated_lunch_days_moves_never_break_a_rule_nor_drop_a_visit() -> None:
    saved = 0
    for seed, (workers, count) in itertools.product((1, 2), ((6, 50), (8, 70))):
        problem = generate(workers, count, seed=seed, skills=True, continuity=True)
        visits, blocked = _precheck.split(problem)
        built = _construct.build(problem, visits)
        stops = [
            list(zip((c.visit for c in route), starts, strict=True))
            for worker, route in zip(problem.workers, built, strict=True)
            if (starts := _construct.schedule(problem, worker, visits, route)) is not None
        ]
        assert len(stops) == len(problem.workers)
        better = _neighbours.improve(problem, visits, stops, TRAVEL_ONLY, float("inf"))
        assert sorted(i for r in better for i, _ in r) == sorted(i for r in stops for i, _ in r)
        found = _search.Solution("search", 0, better, [None] * len(better))
        plan = solver._plan(problem, visits, found, blocked, 0.0, params=TRAVEL_ONLY)
        assert violations(problem, plan) == [], (seed, workers)
        assert _walking(problem, visits, better) <= _walking(problem, visits, stops)
        saved += _walking(problem, visits, stops) - _walking(problem, visits, better)
        for route in plan.routes:
            worker = next(w for w in problem.workers if w.id == route.worker_id)
            needs = {v.id: v.required_skills for v in problem.visits}
            assert all(needs[s.visit_id] <= worker.skills for s in route.stops)
    assert saved > 0  # the moves found something on the construction's routes


def test_with_the_products_weights_moves_keep_every_rule_and_visit() -> None:
    """Fairness, continuity and preferred times priced: the moves still keep every rule."""
    problem = generate(8, 70, seed=3, skills=True, continuity=True)
    visits_ = [
        dataclasses.replace(v, preferred_start=10 * H, preferred_end=12 * H) if n % 5 == 0 else v
        for n, v in enumerate(problem.visits)
    ]
    problem = dataclasses.replace(problem, visits=tuple(visits_))
    visits, blocked = _precheck.split(problem)
    built = _construct.build(problem, visits)
    stops = [
        list(zip((c.visit for c in route), starts, strict=True))
        for worker, route in zip(problem.workers, built, strict=True)
        if (starts := _construct.schedule(problem, worker, visits, route)) is not None
    ]
    better = _neighbours.improve(problem, visits, stops, SolveParams(), float("inf"))
    assert sorted(i for r in better for i, _ in r) == sorted(i for r in stops for i, _ in r)
    found = _search.Solution("search", 0, better, [None] * len(better))
    plan = solver._plan(problem, visits, found, blocked, 0.0, params=SolveParams())
    assert violations(problem, plan) == []


def one_street_day() -> Problem:
    """Six 50-min visits in one street 10 min from the office, 2 min apart; two workers."""
    x = [0, 10, 12, 14, 16, 18, 20]
    walk = [[abs(a - b) * M for b in x] for a in x]
    lunch = Break(12 * H, 14 * H, 45 * M)
    workers = tuple(Worker(w, 8 * H, 17 * H, 0, 0, lunch=lunch) for w in ("w1", "w2"))
    visits = tuple(Visit(f"v{n}", f"c{n}", n, 50 * M) for n in range(1, 7))
    return Problem(workers, visits, {TravelMode.WALK: walk})


def test_fairness_moves_visits_out_of_an_overworked_route_into_an_idle_one() -> None:
    # Every visit's nearest visits are in w1's route, so only the move that evens the
    # working time can give w2 any: w2's walk to the street costs travel.
    problem = one_street_day()
    visits, blocked = _precheck.split(problem)
    calls = [_construct.Call(i) for i in range(6)]
    starts = _construct.schedule(problem, problem.workers[0], visits, calls)
    assert starts is not None
    found = _search.Solution("search", 0, [list(enumerate(starts)), []], [None, None])
    fair = SolveParams(fairness_weight=1, continuity_cost_s=0)
    packed = solver._plan(problem, visits, found, blocked, 0.0, params=TRAVEL_ONLY)
    evened = solver._plan(problem, visits, found, blocked, 0.0, params=fair)

    def working(plan_routes: list) -> list[int]:  # type: ignore[type-arg]
        return sorted(r.service + r.travel for r in plan_routes if r.stops)

    assert [len(r.stops) for r in packed.routes if r.stops] == [6]
    assert len(working(evened.routes)) == 2
    assert working(evened.routes)[-1] < working(packed.routes)[-1] - 2 * 50 * M
    assert evened.unplanned == [] and violations(problem, evened) == []
