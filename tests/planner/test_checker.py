"""The independent checker takes lunch at a place, as the office does: never inside a walk."""

from __future__ import annotations

import dataclasses

from planner.problem import Break, Plan, Problem, Route, Stop, TravelMode, Visit, Worker
from tests.planner.checker import violations

H, M = 3600, 60
LEG = 30 * M  # every walk between two places of this day


def day() -> Problem:
    """One worker, two clients half an hour apart; lunch 45 min starting 12:30-13:15."""
    walk = [[0 if i == j else LEG for j in range(3)] for i in range(3)]
    worker = Worker(
        "w1", 8 * H, 17 * H, 0, 0, lunch=Break(12 * H + 30 * M, 13 * H + 15 * M, 45 * M)
    )
    visits = (
        Visit("a", "ca", 1, 60 * M, window_start=11 * H, window_end=11 * H + 10 * M),
        Visit("b", "cb", 2, 60 * M),
    )
    return Problem((worker,), visits, {TravelMode.WALK: walk})


def plan(b_start: int, lunch_after: str | None, break_start: int = 12 * H + 30 * M) -> Plan:
    """a 11:10-12:10, lunch at `break_start` for 45 min, b from `b_start`."""
    a = Stop("a", 10 * H + 40 * M, 11 * H + 10 * M, 12 * H + 10 * M, LEG, 30 * M)
    arrival = min(b_start, break_start + 45 * M + LEG)
    b = Stop("b", arrival, b_start, b_start + H, LEG, b_start - arrival)
    route = Route(
        "w1",
        10 * H + 10 * M,
        b_start + H + LEG,
        (a, b),
        break_start=break_start,
        break_end=break_start + 45 * M,
        lunch_after=lunch_after,
    )
    return Plan([route], [])


def test_lunch_at_the_place_of_a_visit_then_the_walk_is_accepted() -> None:
    # a ends 12:10, lunch at a's place 12:30-13:15, walk 30 min, b at 13:45.
    assert violations(day(), plan(13 * H + 45 * M, "a")) == []


def test_lunch_inside_a_walk_is_refused() -> None:
    # The split leg: leave a at 12:10, walk 20 min, eat 12:30-13:15 in the street, walk on
    # 10 min: b at 13:25 = a's end + leg + 45 min. No place admits that lunch.
    split = plan(13 * H + 25 * M, "a")
    assert any("starts before it can be reached" in v for v in violations(day(), split))
    # Nor does calling it lunch before leaving, or after the later visit.
    before = plan(13 * H + 25 * M, None)
    assert any("during lunch" in v for v in violations(day(), before))
    after_b = plan(13 * H + 25 * M, "b")
    assert any("before the visit ends" in v for v in violations(day(), after_b))


def test_lunch_at_the_start_point_ends_before_leaving() -> None:
    problem = day()
    worker = dataclasses.replace(problem.workers[0], lunch=Break(8 * H, 9 * H, 30 * M))
    problem = dataclasses.replace(problem, workers=(worker,))
    a = Stop("a", 10 * H + 40 * M, 11 * H + 10 * M, 12 * H + 10 * M, LEG, 30 * M)
    b = Stop("b", 13 * H, 13 * H, 14 * H, LEG, 0)
    good = Route("w1", 10 * H + 10 * M, 14 * H + 30 * M, (a, b), 8 * H, 8 * H + 30 * M)
    assert violations(problem, Plan([good], [])) == []
    late = dataclasses.replace(good, start=8 * H + 15 * M)
    assert any("during lunch" in v for v in violations(problem, Plan([late], [])))


def test_a_route_without_its_lunch_is_refused() -> None:
    bare = dataclasses.replace(plan(13 * H, "a").routes[0], break_start=None, break_end=None)
    assert violations(day(), Plan([bare], [])) == ["w1: no lunch break"]
