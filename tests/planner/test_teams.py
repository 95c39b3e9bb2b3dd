"""Two-worker visits on days searched by ruin and recreate (planner._teams): each copy kept
as a visit pinned to its worker and start, and each team's visit moved to the two routes
where it walks least."""

from __future__ import annotations

import dataclasses
from itertools import pairwise

from bench.homecare_gen import generate
from planner import _construct, _teams
from planner._construct import Call
from planner.problem import Problem, Visit


def team_day() -> tuple[Problem, list[Visit], list[int]]:
    problem = generate(6, 60, seed=3, lunch=True, windows_share=0.0)
    teams = [0, 20, 40]
    visits = [
        dataclasses.replace(v, workers_needed=2) if n in teams else v
        for n, v in enumerate(problem.visits)
    ]
    return dataclasses.replace(problem, visits=tuple(visits)), visits, teams


def walk(problem: Problem, visits: list[Visit], stops: _teams.Stops) -> int:
    total = 0
    for worker, route in zip(problem.workers, stops, strict=True):
        legs = problem.travel_time[worker.travel_mode]
        places = [worker.start_location, *(visits[i].location for i, _ in route)]
        total += sum(legs[a][b] for a, b in pairwise([*places, worker.end_location]))
    return total


def test_flat_copies_are_pinned_and_read_back_as_the_team_visit() -> None:
    problem, visits, teams = team_day()
    stops = _teams.place(problem, visits)
    flat = _teams.flatten(problem, visits, stops, list(range(len(stops))))
    assert len(flat.visits) == len(visits) + len(teams)  # one more visit per second copy
    for k, route in enumerate(flat.routes):
        for n, (i, start) in zip(route, stops[k], strict=True):
            assert flat.origin[n] == i
            assert flat.visits[n].workers_needed == 1
            assert flat.visits[n].pinned_worker == problem.workers[k].id
            assert flat.visits[n].pinned_start == start
    timed = [
        [(n, s) for n, (_, s) in zip(r, stops[k], strict=True)] for k, r in enumerate(flat.routes)
    ]
    assert _teams.unflatten(flat, timed) == stops


def test_a_team_visit_moves_only_where_it_walks_less_and_keeps_every_rule() -> None:
    problem, visits, teams = team_day()
    built = _construct.build(problem, visits, float("inf"))
    stops = []
    for worker, calls in zip(problem.workers, built, strict=True):
        starts = _construct.schedule(problem, worker, visits, calls)
        assert starts is not None
        stops.append([(c.visit, s) for c, s in zip(calls, starts, strict=True)])
    moved = _teams.move(problem, visits, stops)
    assert walk(problem, visits, moved) <= walk(problem, visits, stops)
    for worker, route in zip(problem.workers, moved, strict=True):
        calls = [Call(i, s if visits[i].workers_needed > 1 else None) for i, s in route]
        assert _construct.schedule(problem, worker, visits, calls) is not None
    for i in teams:
        copies = [(k, s) for k, route in enumerate(moved) for j, s in route if j == i]
        assert len(copies) == 2 and copies[0][0] != copies[1][0] and copies[0][1] == copies[1][1]
    served = sorted(i for route in moved for i, _ in route)
    assert served == sorted(i for route in stops for i, _ in route)


def test_a_team_visit_left_out_is_put_in_where_it_fits() -> None:
    problem, visits, teams = team_day()
    stops = _teams.place(problem, visits)
    without = [[(i, s) for i, s in route if i != teams[0]] for route in stops]
    after = _teams.move(problem, visits, without)
    copies = [(k, s) for k, route in enumerate(after) for i, s in route if i == teams[0]]
    assert len(copies) == 2 and copies[0][0] != copies[1][0] and copies[0][1] == copies[1][1]
