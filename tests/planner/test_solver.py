"""The solver's plans obey every hard rule (replayed by an independent checker) and explain
what they leave out."""

from __future__ import annotations

import dataclasses

from planner import _search
from planner.problem import Break, Plan, Problem, Progress, SolveParams, TravelMode, Visit, Worker
from planner.solver import solve
from tests.planner.checker import violations

QUICK = SolveParams(time_limit_s=2.0, workers=1)
HOUR = 3600


def tiny_day(visits: list[Visit], workers: int = 2, **worker_fields: object) -> Problem:
    """An office at location 0 and clients on a line, 5 min apart on foot."""
    size = max([v.location for v in visits] + [0]) + 1
    walk = [[abs(i - j) * 300 for j in range(size)] for i in range(size)]
    staff = tuple(
        Worker(
            id=f"w{k}",
            shift_start=8 * HOUR,
            shift_end=17 * HOUR,
            start_location=0,
            end_location=0,
            **worker_fields,  # type: ignore[arg-type]
        )
        for k in range(workers)
    )
    return Problem(workers=staff, visits=tuple(visits), travel_time={TravelMode.WALK: walk})


def visit(n: int, **fields: object) -> Visit:
    return Visit(id=f"v{n}", client_id=f"c{n}", location=n, duration=1800, **fields)  # type: ignore[arg-type]


def planned_worker(plan: Plan) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for route in plan.routes:
        for stop in route.stops:
            result.setdefault(stop.visit_id, []).append(route.worker_id)
    return result


def test_home_care_day_obeys_every_rule(walk_day: Problem) -> None:
    plan = solve(walk_day, QUICK)
    assert violations(walk_day, plan) == []
    assert len(plan.unplanned) == 0
    assert all(r.break_start is not None for r in plan.routes if r.stops)


def test_portfolio_across_two_processes_obeys_every_rule(walk_day: Problem) -> None:
    plan = solve(walk_day, SolveParams(time_limit_s=2.0, workers=2))
    assert violations(walk_day, plan) == []
    assert plan.solve_seconds < 2.0 + 1.0


def test_solomon_capacity_and_windows(c101_25: Problem) -> None:
    plan = solve(c101_25, SolveParams(time_limit_s=2.0, workers=1, fairness_weight=0))
    assert violations(c101_25, plan) == []
    assert plan.unplanned == []
    demand = sum(v.demand for v in c101_25.visits)
    capacity = c101_25.workers[0].capacity or 1
    assert sum(1 for r in plan.routes if r.stops) >= -(-demand // capacity)


def test_skill_nobody_has_is_reported_not_crashed() -> None:
    problem = tiny_day([visit(1, required_skills=frozenset({"medical"})), visit(2)])
    plan = solve(problem, QUICK)
    assert [(u.visit_id, u.code) for u in plan.unplanned] == [("v1", "no_skill")]
    assert "'medical'" in plan.unplanned[0].reason
    assert violations(problem, plan) == []


def test_window_before_shift_and_too_long_visit_are_reported() -> None:
    early = visit(1, window_start=6 * HOUR, window_end=7 * HOUR)
    endless = dataclasses.replace(visit(2), duration=10 * HOUR)
    problem = tiny_day([early, endless, visit(3)])
    plan = solve(problem, QUICK)
    codes = {u.visit_id: u.code for u in plan.unplanned}
    assert codes == {"v1": "window_unreachable", "v2": "too_long"}
    assert violations(problem, plan) == []


def test_overloaded_day_says_why_visits_are_left_out() -> None:
    visits = [dataclasses.replace(visit(n), duration=HOUR) for n in range(1, 16)]
    problem = tiny_day(visits, workers=1)
    plan = solve(problem, QUICK)
    assert violations(problem, plan) == []
    assert len(plan.unplanned) >= 15 - 9
    assert {u.code for u in plan.unplanned} <= {"no_time", "shift_over"}


def test_mandatory_visits_that_cannot_all_fit_give_reasons() -> None:
    # One worker, two mandatory hour-long visits that must both start at 09:00.
    clash = [
        dataclasses.replace(
            visit(n), duration=HOUR, window_start=9 * HOUR, window_end=9 * HOUR, mandatory=True
        )
        for n in (1, 2)
    ]
    problem = tiny_day(clash, workers=1)
    plan = solve(problem, QUICK)
    assert violations(problem, plan) == []
    assert len(plan.unplanned) == 1 and plan.unplanned[0].reason


def test_pinned_visits_stay_with_their_worker_and_time() -> None:
    pinned = visit(3, pinned_worker="w1", pinned_start=9 * HOUR)
    problem = tiny_day([visit(1), visit(2), pinned, visit(4)])
    plan = solve(problem, QUICK)
    assert violations(problem, plan) == []
    assert planned_worker(plan)["v3"] == ["w1"]
    stop = next(s for r in plan.routes for s in r.stops if s.visit_id == "v3")
    assert stop.start == 9 * HOUR and stop.why.startswith("pinned")


def test_two_worker_visit_starts_together_on_two_workers() -> None:
    bath = visit(2, workers_needed=2, window_start=10 * HOUR, window_end=11 * HOUR)
    problem = tiny_day([visit(1), bath, visit(3), visit(4)], workers=3)
    plan = solve(problem, QUICK)
    assert violations(problem, plan) == []
    assert len(set(planned_worker(plan)["v2"])) == 2


def test_lunch_break_sits_between_visits() -> None:
    visits = [visit(n) for n in range(1, 12)]
    problem = tiny_day(visits, workers=1, lunch=Break(12 * HOUR, 13 * HOUR, 45 * 60))
    plan = solve(problem, QUICK)
    assert violations(problem, plan) == []
    route = plan.routes[0]
    assert route.break_start is not None
    assert route.stops[0].start < route.break_start < route.stops[-1].start


def test_max_working_time_is_respected() -> None:
    visits = [visit(n) for n in range(1, 10)]
    problem = tiny_day(visits, workers=2, max_working_seconds=3 * HOUR)
    plan = solve(problem, QUICK)
    assert violations(problem, plan) == []
    assert all(r.travel + r.service <= 3 * HOUR for r in plan.routes)
    assert plan.unplanned  # 9 half-hour visits plus walking do not fit 2 x 3 h


def test_continuity_respected_when_cheap() -> None:
    # Clients in one block (1 min apart), their usual workers alternate.
    usual = [visit(n, preferred_worker=f"w{n % 2}") for n in range(1, 11)]
    problem = tiny_day(usual, workers=2)
    problem = dataclasses.replace(
        problem,
        travel_time={TravelMode.WALK: [[abs(i - j) * 60 for j in range(11)] for i in range(11)]},
    )
    with_continuity = solve(problem, QUICK)
    without = solve(problem, dataclasses.replace(QUICK, continuity_cost_s=0))
    assert violations(problem, with_continuity) == []

    def kept(plan: Plan) -> int:
        who = planned_worker(plan)
        return sum(who[v.id] == [v.preferred_worker] for v in usual)

    assert kept(with_continuity) == 10
    assert kept(without) < 10
    why = next(s.why for r in with_continuity.routes for s in r.stops)
    assert why == "the client's usual worker"


def test_fairness_spreads_the_work() -> None:
    visits = [visit(n) for n in range(1, 9)]
    problem = tiny_day(visits, workers=4)
    fair = solve(problem, QUICK)
    unfair = solve(problem, dataclasses.replace(QUICK, fairness_weight=0))

    def longest(plan: Plan) -> int:
        return max(r.travel + r.service for r in plan.routes)

    assert violations(problem, fair) == []
    assert longest(fair) < longest(unfair)

    def used(plan: Plan) -> int:
        return sum(1 for r in plan.routes if r.stops)

    assert used(fair) > used(unfair)


def test_progress_reports_percent_and_best_cost(walk_day: Problem) -> None:
    seen: list[Progress] = []
    solve(walk_day, dataclasses.replace(QUICK, time_limit_s=1.0), seen.append)
    assert seen and seen[-1].percent == 100.0
    costs = [p.best_cost for p in seen if p.best_cost is not None]
    assert costs == sorted(costs, reverse=True)
    assert all(0 <= p.percent <= 100 for p in seen)


def test_full_propagation_only_when_the_model_has_lunch_breaks() -> None:
    # Break intervals make OR-Tools' filters pass moves its propagation then refuses;
    # full propagation keeps lunch days searchable (bench/README.md, lunch days).
    strategy = _search.PORTFOLIO[0]
    assert _search.search_parameters(strategy, 1.0, breaks=True).use_full_propagation
    assert not _search.search_parameters(strategy, 1.0).use_full_propagation
