"""The day a ruin-and-recreate search works on (planner._ruin): workers, visits and travel
times as plain lists, and what routes cost on it."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from planner._precheck import eligible_workers
from planner.problem import Break, Problem, SolveParams, Visit

LEFT_OUT_COST = 10**9  # a mandatory visit left out
NEVER = 10**12  # a time no schedule reaches


@dataclass(slots=True)
class _Day:
    """The workers, visits and travel times searched, as plain lists (fast in Python)."""

    problem: Problem
    visits: list[Visit]
    travel: list[list[list[int]]]  # per worker: place x place, places = visits then depots
    start: list[int]  # per worker: its start place
    end: list[int]
    lunch: list[Break | None]  # per worker
    allowed: list[list[int]]  # per visit: the workers allowed to take it
    allowed_set: list[frozenset[int]]  # the same, as sets
    movable: list[int]  # visits this search may move
    may_move: frozenset[int]  # the same, as a set
    penalty: list[int]  # per visit: the cost of leaving it out
    near: list[list[int]]  # per visit: the movable visits nearest first
    usual_worker: list[int]  # per visit: index of the client's usual worker, -1 if none
    other_worker_cost: list[int]  # per visit: the cost of giving it to someone else
    low: list[int]  # per visit: earliest start (window, or the pinned start)
    high: list[int]  # per visit: latest start
    fair_weight: int  # cost per second of a route's working time above fair_target
    fair_target: int


def _day(
    problem: Problem,
    visits: list[Visit],
    params: SolveParams,
    fair_target: int = 0,
    nearness: bool = True,
) -> _Day:
    """The day's lists; without `nearness` (insertion checks only) no nearest visits."""
    workers = problem.workers
    places = [v.location for v in visits]
    depots = sorted({w.start_location for w in workers} | {w.end_location for w in workers})
    place_of_depot = {loc: len(places) + n for n, loc in enumerate(depots)}
    places += depots
    by_mode = {
        mode: np.asarray(problem.travel_time[mode], dtype=np.int64)[np.ix_(places, places)]
        for mode in {w.travel_mode for w in workers}
    }
    as_lists = {mode: matrix.tolist() for mode, matrix in by_mode.items()}
    movable = [
        i
        for i, v in enumerate(visits)
        if v.pinned_worker is None and v.pinned_start is None and v.workers_needed == 1
    ]
    # Nearness by the first worker's mode: it only orders which visits a round takes out.
    nearest = np.zeros((len(visits), 0), dtype=np.int64)
    if nearness:
        matrix = by_mode[workers[0].travel_mode][: len(visits), movable]
        nearest = np.argsort(matrix, kind="stable")
    index = {w.id: k for k, w in enumerate(workers)}
    allowed = [[index[w.id] for w in eligible_workers(v, workers)] for v in visits]
    return _Day(
        problem=problem,
        visits=visits,
        travel=[as_lists[w.travel_mode] for w in workers],
        start=[place_of_depot[w.start_location] for w in workers],
        end=[place_of_depot[w.end_location] for w in workers],
        lunch=[w.lunch for w in workers],
        allowed=allowed,
        allowed_set=[frozenset(a) for a in allowed],
        movable=movable,
        may_move=frozenset(movable),
        penalty=[
            LEFT_OUT_COST if v.mandatory else params.drop_penalty_s * max(v.priority, 1)
            for v in visits
        ],
        near=np.asarray(movable, dtype=np.int64)[nearest].tolist() if movable else [],
        usual_worker=[index.get(v.preferred_worker or "", -1) for v in visits],
        other_worker_cost=[
            params.continuity_cost_s if v.preferred_worker is not None else 0 for v in visits
        ],
        low=[_window(v)[0] for v in visits],
        high=[_window(v)[1] for v in visits],
        fair_weight=params.fairness_weight if fair_target > 0 else 0,
        fair_target=fair_target,
    )


def _walking(day: _Day, routes: list[list[int]]) -> int:
    total = 0
    for k, route in enumerate(routes):
        if route:
            places = [day.start[k], *route, day.end[k]]
            total += sum(day.travel[k][a][b] for a, b in itertools.pairwise(places))
    return total


def _cost(day: _Day, routes: list[list[int]]) -> int:
    """Walking time, visits given to someone other than the usual worker, visits left out."""
    served = {i for route in routes for i in route}
    left_out = sum(day.penalty[i] for i in day.movable if i not in served)
    return sum(_route_cost(day, k, route) for k, route in enumerate(routes)) + left_out


def _detour(day: _Day, k: int, route: list[int], i: int, at: int) -> int:
    """Walking added by visit `i` at position `at` of worker `k`'s route."""
    travel = day.travel[k]
    before = route[at - 1] if at else day.start[k]
    after = route[at] if at < len(route) else day.end[k]
    return travel[before][i] + travel[i][after] - travel[before][after]


def _route_cost(day: _Day, k: int, route: list[int]) -> int:
    """Walking, visits given to someone other than their usual worker, and working time
    above the fair share, on one route."""
    if not route:
        return 0  # an idle worker walks nowhere (as in the OR-Tools model)
    travel = day.travel[k]
    walking = other = 0
    place = day.start[k]
    for i in route:
        walking += travel[place][i]
        if day.usual_worker[i] >= 0 and day.usual_worker[i] != k:
            other += day.other_worker_cost[i]
        place = i
    walking += travel[place][day.end[k]]
    total = walking + other
    if day.fair_weight:
        work = walking + sum(day.visits[i].duration for i in route)
        total += day.fair_weight * max(0, work - day.fair_target)
    return total


def _unfairness(day: _Day, worked: int, added: int) -> int:
    """What `added` seconds of work cost in fairness on a route of `worked` seconds."""
    if not day.fair_weight:
        return 0
    above = max(0, worked - day.fair_target)
    return day.fair_weight * (max(0, worked + added - day.fair_target) - above)


def _window(visit: Visit) -> tuple[int, int]:
    if visit.pinned_start is not None:
        return visit.pinned_start, visit.pinned_start
    return visit.window_start, visit.window_end
