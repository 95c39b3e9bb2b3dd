"""Reasons for left-out visits are proven by the exact schedule check, the lunch included."""

from __future__ import annotations

import dataclasses

from bench.homecare_gen import generate
from planner import explain
from planner.problem import Break, Problem, Route, SolveParams, TravelMode, Visit, Worker
from planner.solver import solve
from tests.planner.checker import reason_violations, violations

H, M = 3600, 60
LEG = 5 * M


def day(visits: tuple[Visit, ...], lunch: Break | None) -> Problem:
    """Two walking workers at an office (place 0); clients 5 min away from it and apart."""
    walk = [[0 if i == j else LEG for j in range(4)] for i in range(4)]
    workers = tuple(Worker(f"w{k}", 8 * H, 17 * H, 0, 0, lunch=lunch) for k in (1, 2))
    return Problem(workers, visits, {TravelMode.WALK: walk})


# Lunch (30 min) must start 11:30-12:00; the visit (90 min) must start 11:00-11:30: it would
# end after 12:30, too late to eat after it, and eating first ends after its window closes.
EARLY_LUNCH = Break(11 * H + 30 * M, 12 * H, 30 * M)
MORNING = Visit("late-morning", "c1", 1, 90 * M, window_start=11 * H, window_end=11 * H + 30 * M)


def test_a_morning_visit_blocked_by_lunch_gets_the_lunch_reason() -> None:
    problem = day((MORNING,), EARLY_LUNCH)
    plan = solve(problem, SolveParams(time_limit_s=1.0, workers=1))
    assert violations(problem, plan) == []
    assert reason_violations(problem, plan) == []  # replayed and found true
    [left] = plan.unplanned
    assert left.code == "lunch"
    assert "window 11:00-11:30" in left.reason
    assert "30-min lunch starting 11:30-12:00" in left.reason
    # True: without the lunch the very same day takes it.
    assert solve(day((MORNING,), None), SolveParams(time_limit_s=1.0, workers=1)).unplanned == []


def test_no_free_slot_is_claimed_where_lunch_blocks() -> None:
    # A worker's day already holds an 11:30-12:00 lunch; nothing else is said of a slot
    # unless the exact check takes the visit there.
    problem = day((MORNING,), EARLY_LUNCH)
    idle = [Route(w.id, w.shift_start, w.shift_start, ()) for w in problem.workers]
    [reason] = explain.why_left_out(problem, idle, [MORNING])
    assert reason.code == "lunch"


def test_a_visit_that_fits_nowhere_for_other_rules_is_not_blamed_on_lunch() -> None:
    # Its window closes before anyone can get there from the office at 08:00 + 5 min: no
    # lunch relief helps, so the reason is "no room in its window", not lunch.
    early = Visit("early", "c2", 2, 30 * M, window_start=7 * H, window_end=8 * H)
    problem = day((early,), EARLY_LUNCH)
    idle = [Route(w.id, w.shift_start, w.shift_start, ()) for w in problem.workers]
    [reason] = explain.why_left_out(problem, idle, [early])
    assert reason.code == "no_time"


def test_reasons_on_an_overloaded_lunch_day_are_replayed_true() -> None:
    # 4 workers, 60 visits: more than their day holds; every reason is replayed.
    problem = generate(4, 60, seed=2, lunch=True, windows_share=0.5)
    plan = solve(problem, SolveParams(time_limit_s=2.0, workers=1))
    assert plan.unplanned
    assert violations(problem, plan) == []
    assert reason_violations(problem, plan) == []
    assert all(u.code != "not_found" for u in plan.unplanned)  # the repair pass took those


def test_reasons_on_mixed_routes_are_replayed_true() -> None:
    """Walkers and a driver, a working-time limit, a short shift and a two-worker visit
    (whose fixed start the quick checks do not know): every reason is replayed true."""
    problem = generate(6, 110, seed=4, lunch=True, windows_share=0.5)
    walk = problem.travel_time[TravelMode.WALK]
    travel = {**problem.travel_time, TravelMode.CAR: [[t // 3 for t in row] for row in walk]}
    workers = list(problem.workers)
    workers[0] = dataclasses.replace(workers[0], max_working_seconds=4 * 3600)
    workers[1] = dataclasses.replace(workers[1], shift_end=15 * 3600)
    workers[2] = dataclasses.replace(workers[2], travel_mode=TravelMode.CAR)
    pair = dataclasses.replace(
        problem.visits[0],
        workers_needed=2,
        mandatory=True,
        window_start=9 * 3600,
        window_end=16 * 3600,
        duration=1800,
    )
    visits = [pair, *problem.visits[1:]]
    problem = dataclasses.replace(
        problem, workers=tuple(workers), visits=tuple(visits), travel_time=travel
    )
    plan = solve(problem, SolveParams(time_limit_s=1.5, workers=1))
    assert violations(problem, plan) == []
    assert sum(1 for r in plan.routes for s in r.stops if s.visit_id == pair.id) == 2
    assert len(plan.unplanned) > 20
    assert reason_violations(problem, plan) == []


def test_reasons_kept_after_routes_gain_stops_are_those_proven_afresh() -> None:
    """After a visit is put into a route, the reasons kept from before (and those proven
    again on the changed route) are exactly the reasons a fresh proof gives."""
    problem = generate(5, 80, seed=6, lunch=True, windows_share=0.5)
    plan = solve(problem, SolveParams(time_limit_s=1.0, workers=1))
    routes = list(plan.routes)
    planned = {s.visit_id for r in routes for s in r.stops}
    left_out = [v for v in problem.visits if v.id not in planned]
    before = explain.why_left_out(problem, routes, left_out)
    assert {"shift_over", "no_time"} <= {u.code for u in before}
    # One worker's route gains a stop that must start at 10:00, after the rest of the day:
    # lifting that worker's shift end no longer makes room for anything (only the proofs
    # read these routes).
    moved = dataclasses.replace(left_out[0], window_start=10 * 3600, window_end=10 * 3600)
    visits = [moved if v.id == moved.id else v for v in problem.visits]
    problem = dataclasses.replace(problem, visits=tuple(visits))
    k = max(range(len(routes)), key=lambda n: len(routes[n].stops))
    last = routes[k].stops[-1]
    extra = dataclasses.replace(last, visit_id=moved.id, start=10 * 3600, end=11 * 3600)
    routes[k] = dataclasses.replace(routes[k], stops=(*routes[k].stops, extra))
    rest = left_out[1:]
    fresh = explain.why_left_out(problem, routes, rest)
    earlier = {u.visit_id: u for u in before}
    changed = frozenset({routes[k].worker_id})
    kept = explain.why_left_out(problem, routes, rest, earlier=earlier, changed=changed)
    assert [(u.visit_id, u.code) for u in kept] == [(u.visit_id, u.code) for u in fresh]
    flipped = {u.visit_id for u in fresh} - {u.visit_id for u in fresh if u in before}
    assert flipped  # some reason no longer held and was proven again
