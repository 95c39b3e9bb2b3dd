"""Improve a whole day by re-solving small parts of it (route-based large neighbourhoods).

OR-Tools' local search is excellent on a few routes and slow on a whole office's day (one
pass over 600 visits takes about a second). So after a quick first plan, this module picks
a seed route and the routes nearest to it (3-6 routes, at most ~50 visits, plus a free
worker and some left-out visits nearby), builds that part as a `Problem` of its own, starts
OR-Tools from the current routes and lets guided local search improve it for a fraction of
a second; a better part replaces the old one. Hard rules stay whole: the part keeps the
workers' shifts, breaks, skills and limits; a two-worker visit whose partner copy lies
outside the part is pinned to its worker and start; pinned visits stay pinned.

The part of an epoch is a process's whole half of the routes, improved by ruin and
recreate (`planner._ruin`) on one cooling schedule for the day: four days per size, three
runs, 10 s, 60x600 15848-15902 min and 30x250 4233-4267 against 16144-16413 and 4242-4346
with parts of 3-6 routes. On a day with two-worker visits each copy stays with its worker
at its start through an epoch, and between epochs each team's visit moves to the two routes
where it walks least (`planner._teams`): the week bench's days of 250-350 visits with
three to five of them walked 10-30 % less than with guided local search on small parts.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import random
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from planner import _model, _ruin, _search, _teams
from planner._first_plan import FIRST, first_plan, read_day
from planner._part import Part, part_of, solve_part
from planner.problem import Problem, Progress, SolveParams, TravelMode, Visit


@dataclass(frozen=True, slots=True)
class Tuning:
    """The part-by-part search's tuning; the measurements behind each value are in
    bench/notes/decompose-tuning.md."""

    point_share: float = 0.5  # parts drawn around one stop of the seed route, not the route
    part_seconds: float = 0.15  # guided local search on one part
    max_part_visits: int = 50  # visits in a part, at most
    min_busy_routes: int = 6  # fewer routes in the first plan: search the whole day instead
    long_routes_gls_lambda: float = 0.3  # guided local search's penalty weight on those
    left_out_per_part: int = 8  # left-out visits a part may place
    left_out_seed_share: float = 0.3  # parts drawn around a left-out visit while one is left
    read_back_seconds: float = 0.15  # kept at the end to read the whole day back
    polish_share: float = 0.3  # of a few-long-routes day's time: guided local search at the end
    group_read_seconds: float = 0.1  # kept to read a group's routes back through its model
    epoch_seconds: float = 2.0  # two processes improve disjoint halves, then redraw them


TUNING = Tuning()
RUIN_WHOLE_DAY = "ruin-recreate"  # the strategy's name in plans


def with_arrays(problem: Problem) -> Problem:
    """The problem with numpy matrices, so each part's model slices them without copying."""
    travel = {mode: np.asarray(m, dtype=np.int64) for mode, m in problem.travel_time.items()}
    return dataclasses.replace(problem, travel_time=travel)  # type: ignore[arg-type]


def run(
    problem: Problem,
    visits: list[Visit],
    params: SolveParams,
    deadline: float,
    on_progress: Callable[[Progress], None] | None = None,
    whole: _search.Strategy = _search.PORTFOLIO[0],
    start_with: _search.Strategy = FIRST,
) -> _search.Solution | None:
    """A first plan by `start_with` (cheapest insertion), then parts re-solved until `deadline`.

    The first plan is the cheaper of two heuristics' when a second process is free, and on
    a day with lunches it is made without them and then fitted (`planner._first_plan`). A first
    plan of few routes is searched whole instead, with the strategy `whole`.

    With `params.workers` >= 2 a second process works at the same time: the routes are cut
    in two groups of neighbouring routes, each process improves its own group for an epoch,
    the results are merged (they share no route and no left-out visit) and cut anew.
    """
    began = time.monotonic()
    problem = with_arrays(problem)
    full = _model.build(problem, visits, params)
    context = multiprocessing.get_context("fork")
    helpers = 1 if params.workers >= 2 and len(problem.workers) >= 6 else 0
    with ProcessPoolExecutor(max_workers=max(helpers, 1), mp_context=context) as pool:
        first, read_seconds = first_plan(
            full, visits, params, start_with, deadline, pool if helpers else None
        )
        if first is None:
            return None
        finish = deadline - TUNING.read_back_seconds - read_seconds
        stops = [list(route) for route in first.stops]
        if sum(1 for route in stops if route) < TUNING.min_busy_routes:
            # A few long routes make one part; the whole-day search suits them better
            # (Solomon's RC208, 3 routes: 18 % above the reference part by part, 12 % whole).
            # Ruin and recreate where it may, over the whole day, then guided local search
            # (TUNING.polish_share): Solomon R2+RC2 (19 instances, 10 s) 1.68 % mean gap with ruin
            # and recreate alone, against 2.52 % with guided local search alone.
            long_routes = dataclasses.replace(whole, gls_lambda=TUNING.long_routes_gls_lambda)
            if _ruin.suits(problem, visits):
                polish_from = finish - TUNING.polish_share * (finish - time.monotonic())
                found = _ruin_whole_day(full, visits, params, first, polish_from, on_progress)
                if found is not None and finish - time.monotonic() > 0.05:
                    seconds = finish - time.monotonic()
                    polished = _search.polish(full, params, found, long_routes, seconds)
                    found = (
                        polished if polished is not None and polished.cost < found.cost else found
                    )
            else:
                found = _search.run(problem, visits, params, long_routes, deadline, on_progress)
            return min([s for s in (found, first) if s is not None], key=lambda s: s.cost)
        rng = random.Random(params.seed)
        distance = _distance_matrix(problem)
        searched_from = time.monotonic()
        while time.monotonic() + 2 * TUNING.part_seconds < finish:
            until = min(time.monotonic() + TUNING.epoch_seconds, finish)
            warmth = (
                1 - (time.monotonic() - searched_from) / (finish - searched_from),
                1 - (until - searched_from) / (finish - searched_from),
            )
            groups = _groups(problem, visits, stops, distance, rng, helpers + 1)
            futures = [
                pool.submit(
                    _improve,
                    problem,
                    visits,
                    params,
                    full.fair_target,
                    stops,
                    group,
                    until,
                    rng.randrange(1 << 30),
                    warmth,
                )
                for group in groups[1:]
            ]
            changes = _improve(
                problem,
                visits,
                params,
                full.fair_target,
                stops,
                groups[0],
                until,
                rng.randrange(1 << 30),
                warmth,
            )
            for future in futures:
                changes.update(future.result())
            for k, route in changes.items():
                stops[k] = route
            stops = _teams.move(problem, visits, stops)
            if on_progress is not None:
                percent = 100 * (time.monotonic() - began) / max(deadline - began, 1e-6)
                cost = _reread(full, stops, first).cost
                on_progress(Progress(min(percent, 100.0), cost))
    return _reread(full, stops, first)


def _ruin_whole_day(
    full: _model.RoutingModel,
    visits: list[Visit],
    params: SolveParams,
    first: _search.Solution,
    finish: float,
    on_progress: Callable[[Progress], None] | None = None,
) -> _search.Solution | None:
    """The first plan improved by ruin and recreate over every route until `finish`."""
    routes = [[i for i, _ in route] for route in first.stops]
    rng = random.Random(params.seed)
    reported = [0.0]

    def better(share: float, cost: int) -> None:
        if on_progress is not None and share - reported[0] >= 0.05:  # every 5 % at most
            reported[0] = share
            on_progress(Progress(100 * share, cost))

    seconds = finish - time.monotonic()
    routes = _ruin.improve(
        full.problem, visits, params, routes, seconds, rng, better, fair_target=full.fair_target
    )
    stops = [[(i, 0) for i in route] for route in routes]
    return read_day(full, stops, RUIN_WHOLE_DAY, first.solutions_seen)


@dataclass(frozen=True, slots=True)
class Group:
    """Routes (worker indexes) and left-out visits one process may change in an epoch."""

    routes: frozenset[int]
    left_out: frozenset[int]


def _groups(
    problem: Problem,
    visits: list[Visit],
    stops: list[list[tuple[int, int]]],
    distance: np.ndarray,
    rng: random.Random,
    count: int,
) -> list[Group]:
    """`count` groups of neighbouring routes: the routes nearest a random route, and the rest."""
    every = list(range(len(stops)))
    planned = {i for route in stops for i, _ in route}
    left_out = [i for i in range(len(visits)) if i not in planned]
    if count == 1:
        return [Group(frozenset(every), frozenset(left_out))]
    places = [_places(problem, visits, stops, k) for k in every]
    anchor = rng.choice(every)
    order = sorted(every, key=lambda k: int(distance[np.ix_(places[anchor], places[k])].min()))
    near = frozenset(order[: len(order) // 2])
    closest = _closest(distance, [visits[i].location for i in left_out], places)
    mine = frozenset(i for i, k in zip(left_out, closest, strict=True) if k in near)
    return [
        Group(near, mine),
        Group(frozenset(every) - near, frozenset(left_out) - mine),
    ]


def _closest(distance: np.ndarray, targets: list[int], places: list[list[int]]) -> list[int]:
    """For each place of `targets`, the route (worker index) with the stop nearest to it."""
    if not targets:
        return []
    flat = np.concatenate([np.asarray(p, dtype=np.int64) for p in places])
    offsets = np.cumsum([0] + [len(p) for p in places[:-1]])
    nearest = np.minimum.reduceat(distance[np.ix_(targets, flat)], offsets, axis=1)
    return [int(k) for k in nearest.argmin(axis=1)]


def _places(
    problem: Problem, visits: list[Visit], stops: list[list[tuple[int, int]]], k: int
) -> list[int]:
    return [visits[i].location for i, _ in stops[k]] or [problem.workers[k].start_location]


def _improve(
    problem: Problem,
    visits: list[Visit],
    params: SolveParams,
    fair_target: int,
    stops: list[list[tuple[int, int]]],
    group: Group,
    until: float,
    seed: int,
    warmth: tuple[float, float] = (1.0, 0.0),
) -> dict[int, list[tuple[int, int]]]:
    """Re-solve parts of the group's routes until `until`; the changed routes.

    Where ruin and recreate suits the day, the whole group is one part for the epoch, with
    the annealing temperature `warmth` of the day's schedule (see `planner._ruin`).
    """
    rng = random.Random(seed)
    if _teams.suits(visits):
        return _ruin_group(problem, visits, params, fair_target, stops, group, until, rng, warmth)
    distance = _distance_matrix(problem)
    stops = [list(route) for route in stops]
    changed: dict[int, list[tuple[int, int]]] = {}
    left_out = set(group.left_out)
    while time.monotonic() + TUNING.part_seconds < until:
        part = _pick(problem, visits, stops, distance, rng, group.routes, left_out)
        if part is None:
            break
        better = solve_part(
            problem, visits, params, fair_target, part, stops, TUNING.part_seconds, rng
        )
        for k, route in (better or {}).items():
            stops[k] = changed[k] = route
            left_out -= {i for i, _ in route}
    return changed


def _ruin_group(
    problem: Problem,
    visits: list[Visit],
    params: SolveParams,
    fair_target: int,
    stops: list[list[tuple[int, int]]],
    group: Group,
    until: float,
    rng: random.Random,
    warmth: tuple[float, float],
) -> dict[int, list[tuple[int, int]]]:
    """The group's routes improved by ruin and recreate as one part for the epoch, each
    team copy kept with its worker at its start (`planner._teams`)."""
    workers = sorted(group.routes)
    flat = _teams.flatten(problem, visits, stops, workers)
    flat_stops = [
        [(n, start) for n, (_, start) in zip(flat.routes[k], stops[k], strict=True)]
        for k in range(len(stops))
    ]
    inside = [n for k in workers for n in flat.routes[k]]
    singles = sorted(i for i in group.left_out if visits[i].workers_needed == 1)
    whole = Part(workers, inside + singles, {})
    seconds = until - time.monotonic() - TUNING.group_read_seconds
    found = solve_part(
        problem, flat.visits, params, fair_target, whole, flat_stops, seconds, rng, warmth
    )
    return dict(zip(found or {}, _teams.unflatten(flat, list((found or {}).values())), strict=True))


def _distance_matrix(problem: Problem) -> np.ndarray:
    """Travel time of the most common travel mode, to tell which routes are near each other."""
    modes = [w.travel_mode for w in problem.workers]
    mode = max(set(modes), key=modes.count) if modes else TravelMode.WALK
    return np.asarray(problem.travel_time[mode])


def _pick(
    problem: Problem,
    visits: list[Visit],
    stops: list[list[tuple[int, int]]],
    distance: np.ndarray,
    rng: random.Random,
    routes: frozenset[int],
    left_out: set[int],
) -> Part | None:
    """A seed route of the group, its nearest routes of the group and nearby left-out visits.

    While visits are left out, some parts are drawn around one of them instead, so that the
    routes passing nearest to it get the chance to make room for it.
    """
    busy = sorted(k for k in routes if stops[k]) or sorted(routes)
    if not busy:
        return None
    seed = rng.choice(busy)
    seed_places = _places(problem, visits, stops, seed)
    if left_out and rng.random() < TUNING.left_out_seed_share:
        seed_places = [visits[rng.choice(sorted(left_out))].location]
    elif rng.random() < TUNING.point_share:
        seed_places = [rng.choice(seed_places)]
    # Nearness of a route to the seed route: the mean distance from a seed stop to the route's
    # nearest stop (every route leaves the same office, so the closest pair says little).
    nearness = []
    for k in routes:
        places = _places(problem, visits, stops, k)
        near = int(distance[np.ix_(seed_places, places)].min(axis=1).mean())
        nearness.append((near, not stops[k], k))
    nearness.sort()
    wanted = rng.randint(3, 6)
    chosen: list[int] = []
    count, empty_taken = 0, False
    for _, empty, k in nearness:
        if empty:
            if empty_taken:
                continue
            empty_taken = True  # one free worker may take over some visits
        elif count + len(stops[k]) > TUNING.max_part_visits and chosen:
            continue
        chosen.append(k)
        count += len(stops[k])
        if len(chosen) - empty_taken >= wanted:
            break
    nearby = sorted(left_out, key=lambda i: int(distance[seed_places, visits[i].location].min()))
    return part_of(problem, stops, chosen, nearby[: TUNING.left_out_per_part])


def _reread(
    full: _model.RoutingModel, stops: list[list[tuple[int, int]]], fallback: _search.Solution
) -> _search.Solution:
    """The improved routes read back through the whole day's model (which checks them)."""
    solution = read_day(full, stops, fallback.strategy, fallback.solutions_seen)
    # None is a model difference: never expected, and never worse than the start.
    return solution if solution is not None and solution.cost <= fallback.cost else fallback
