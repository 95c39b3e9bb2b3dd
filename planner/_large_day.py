"""A large day (or a day with lunches of some size) planned by ruin and recreate alone,
without OR-Tools' routing model.

On a day of many visits the routing model itself is the slow part: building it, its
insertion heuristic's first plan and each reading of routes into it (the lunch intervals'
propagation) took 2-5 s apiece on 1,200 visits, so a 10-s solve came back after 16 s with
its first plan only (717 of 1,200 visits planned). Here the first plan is the recreate
step run from empty routes (`planner._ruin.construct`), and the two processes improve
disjoint halves of the routes by ruin and recreate, epoch after epoch, as the part-by-part
search does on smaller days (`planner._decompose`). Every insertion is checked exactly
(lunch at a place, windows, shift, skills, limits), and the plan is timed by the exact
schedule (`planner._construct.schedule`), the rule of the office's checker.

Ruin and recreate moves a visit for one worker: on a day with two-worker visits each is
first put where its two copies walk least, each copy is then planned around as a visit
pinned to its worker and start, and between epochs each team's visit moves to the two
routes where its detours walk least (`planner._teams`). Days with pinned visits are not
planned here.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import random
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from planner import _model, _ruin, _search, _teams, explain
from planner._construct import Call, schedule
from planner._decompose import Group, _distance_matrix, _groups, with_arrays
from planner._ruin_day import _cost, _Day, _day, _walking
from planner.problem import Problem, Progress, SolveParams, Visit

LARGE_DAY_FROM = 800  # visits: from here on the routing model costs more than it gives
# With lunches sooner: the model's lunch intervals make its first plan and each reading of
# routes slow, where ruin and recreate takes lunch at a place by itself. 10 s, seeds 1-2:
# 60x600 lunch days 600 / 600 visits planned, 4126 / 4349 min of walking here against
# 600 / 594 and 4228 / 5259 through the model; 30x250 lunch days 1211 / 1194 against
# 1217 / 1196 (plain 60x600 days: 3712 / 3900 against 3721 / 3857, so they stay).
LUNCH_DAY_FROM = 200
EVEN_SLACK = 1.03  # over the mean working time, free of fairness's cost
EPOCH_SECONDS = 2.0  # the two processes improve disjoint halves, then redraw them
# An epoch's set-up (each half's lists) takes 0.3-0.5 s on 2,000 visits: none shorter.
LAST_EPOCH_SECONDS = 1.0
# Kept after the search per visit of the day, for timing the routes, the repair and reading
# the plan back (on a 100x1,200 lunch day 1.3 s in all after the search, with the reasons,
# so a 10-s solve took 11.3 s); the reasons' own time is kept by `_end`.
FINISH_SECONDS_PER_VISIT = 0.0008
STRATEGY = "ruin-recreate-large"  # the strategy's name in plans


def suits(problem: Problem, visits: list[Visit]) -> bool:
    """A large day whose visits need one or two workers and none is pinned."""
    lunches = any(w.lunch is not None for w in problem.workers)
    return (
        len(visits) >= (LUNCH_DAY_FROM if lunches else LARGE_DAY_FROM)
        and _teams.suits(visits)
        and all(v.pinned_worker is None and v.pinned_start is None for v in visits)
    )


def run(
    problem: Problem,
    visits: list[Visit],
    params: SolveParams,
    deadline: float,
    on_progress: Callable[[Progress], None] | None = None,
) -> _search.Solution:
    """Routes built from nothing, then improved until the time kept for what follows the
    search (the plan's repair, timing and reasons) before `deadline`."""
    began = time.monotonic()
    deadline -= FINISH_SECONDS_PER_VISIT * len(visits)
    problem = with_arrays(problem)
    fair_target = 0
    if params.fairness_weight > 0:
        service = sum(v.duration for v in visits)
        fair_target = _model.fair_workload(problem, [v.location for v in visits], service)
    rng = random.Random(params.seed)
    every = list(range(len(problem.workers)))
    teams = any(v.workers_needed > 1 for v in visits)
    flat = _teams.flatten(problem, visits, _teams.place(problem, visits), every)
    day = _day(problem, flat.visits, params, fair_target)
    routes = _ruin.construct(day, rng, flat.routes)
    helpers = 1 if params.workers >= 2 else 0
    distance = _distance_matrix(problem)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        searched_from = time.monotonic()
        span = max(deadline - searched_from, 1e-6)
        while time.monotonic() + LAST_EPOCH_SECONDS < (
            end := _end(deadline, day.visits, routes, params)
        ):
            until = time.monotonic() + EPOCH_SECONDS
            if until + LAST_EPOCH_SECONDS > end:  # no epoch too short for its set-up
                until = end
            warmth = (
                1 - (time.monotonic() - searched_from) / span,
                1 - (until - searched_from) / span,
            )
            stops = [[(i, 0) for i in route] for route in routes]
            groups = _groups(problem, day.visits, stops, distance, rng, helpers + 1)
            args = (problem, day.visits, params, fair_target, routes)
            futures = [
                pool.submit(_improve, *args, group, until, rng.randrange(1 << 30), warmth)
                for group in groups[1:]
            ]
            changes = _improve(*args, groups[0], until, rng.randrange(1 << 30), warmth)
            for future in futures:
                changes.update(future.result())
            for k, route in changes.items():
                routes[k] = route
            if teams:
                stops = _teams.move(problem, visits, _teams.unflatten(flat, _timed(day, routes)))
                flat = _teams.flatten(problem, visits, stops, every)
                day = _day(problem, flat.visits, params, fair_target)
                routes = flat.routes
            if fair_target:
                fair_target = day.fair_target = _even_share(day, routes)
            if on_progress is not None:
                percent = min(100 * (time.monotonic() - began) / max(deadline - began, 1e-6), 100)
                on_progress(Progress(percent, _cost(day, routes)))
    solution = _solution(day, routes)
    return dataclasses.replace(solution, stops=_teams.unflatten(flat, solution.stops))


def _even_share(day: _Day, routes: list[list[int]]) -> int:
    """The working time (walk and visits) above which fairness costs, from the routes as
    they are: the mean over every worker on duty, idle ones too, +3 %. The estimate made
    before the search (`_model.fair_workload`, +10 %) left one worker a day idle on the
    week bench's weekdays, every other route being within it."""
    work = _walking(day, routes) + sum(day.visits[i].duration for route in routes for i in route)
    return int(EVEN_SLACK * work / max(len(routes), 1))


def _end(
    deadline: float, visits: list[Visit], routes: list[list[int]], params: SolveParams
) -> float:
    """The search's end: the time for proving why the visits left out now are left out is
    kept before `deadline` as well."""
    left_out = len(visits) - sum(len(route) for route in routes)
    return deadline - explain.proof_seconds(left_out, params.time_limit_s)


def _improve(
    problem: Problem,
    visits: list[Visit],
    params: SolveParams,
    fair_target: int,
    routes: list[list[int]],
    group: Group,
    until: float,
    seed: int,
    warmth: tuple[float, float],
) -> dict[int, list[int]]:
    """The group's routes improved by ruin and recreate until `until` (worker -> route)."""
    workers = sorted(group.routes)
    inside = [i for k in workers for i in routes[k]] + sorted(group.left_out)
    local = {i: n for n, i in enumerate(inside)}
    sub = dataclasses.replace(problem, workers=tuple(problem.workers[k] for k in workers))
    part_visits = [visits[i] for i in inside]
    start = [[local[i] for i in routes[k]] for k in workers]
    seconds = until - time.monotonic()
    rng = random.Random(seed)
    found = _ruin.improve(
        sub, part_visits, params, start, seconds, rng, None, warmth, fair_target, every_route=False
    )
    return {k: [inside[n] for n in route] for k, route in zip(workers, found, strict=True)}


def _timed(day: _Day, routes: list[list[int]]) -> list[list[tuple[int, int]]]:
    """The routes timed by the exact schedule: (visit, start) per stop."""
    problem, visits = day.problem, day.visits
    stops = []
    for worker, route in zip(problem.workers, routes, strict=True):
        calls = [Call(i) for i in route]
        starts = schedule(problem, worker, visits, calls)
        while starts is None:  # never expected: every insertion was checked by the same rules
            calls.pop()
            starts = schedule(problem, worker, visits, calls)
        stops.append([(c.visit, int(s)) for c, s in zip(calls, starts, strict=True)])
    return stops


def _solution(day: _Day, routes: list[list[int]]) -> _search.Solution:
    """The routes timed by the exact schedule, as a solution priced as the search prices it."""
    stops = _timed(day, routes)
    cost = _cost(day, [[i for i, _ in route] for route in stops])
    return _search.Solution(STRATEGY, cost, stops, [None] * len(day.problem.workers))
