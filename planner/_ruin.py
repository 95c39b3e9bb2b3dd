"""Ruin and recreate on a day or a part of it: strings of neighbouring visits taken out of
a few routes and put back where they cost least, many times a second (after the SISR
method of Christiaens and Vanden Berghe, 2020), with simulated annealing.

Why, measured on 60x600 and 30x250 days already improved by guided local search
(bench/README.md): OR-Tools' guided local search, started from a part's routes, rarely
improved them further (its moves are small and every one must stay feasible, while
home-care routes run close to the end of the shift); PyVRP on the very same parts found
three to twenty times the saving, by changing which visits go together. Taking out five to
ten nearby visits at once and inserting them again does change that.

A round costs the same on a part of 50 visits and a day of 600: it copies and re-prices
only the routes it touches, and on a day of many workers a visit goes back right before or
after one of its nearest visits (every route is tried only when none of those fits).

Every insertion is checked exactly, in constant time per position, by earliest and latest
starts along the route (the rules of `_construct.schedule`; for a worker with lunch in two
states per stop, lunch to come or taken). Visits pinned to a worker or a start stay where
they are; a part with two-worker visits is not handed here.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from planner._ruin_day import (
    _Day,
    _day,
    _detour,
    _route_cost,
    _unfairness,
    _walking,
)
from planner._ruin_slack import _Check, _check, _fits, _positions
from planner.problem import Problem, SolveParams, Visit

# Simulated annealing's first temperature, in mean legs of the starting routes: a plan one
# mean leg worse is kept with chance 1/e at first, never at the end. Over four days per size
# (10 s) a fixed 60 / 120 / 240 / 480 / 960 s on 30x250 days (legs of about 4.5 min) gave
# 4301 / 4313-4346 / 4285 / 4242 / 4319 min; on 60x600 16281 / 16256 / 16191 / 16231 / 16413.
TEMPERATURE_LEGS = 1.0
MOST_REMOVED = 10  # visits taken out per round: between half of this and this
LONGEST_STRING = 8  # consecutive visits taken out of one route
BLINK = 0.01  # chance to skip the cheapest feasible position (diversity)
# Once more than NEAR_ROUTES workers may take a visit, it goes back right before or after one
# of its NEAR_VISITS nearest visits if it can (every route and position otherwise). A whole
# 60x600 day (seed 1) in one process, 10 s: every position of the routes near it, 11 k
# rounds, 3800 min; beside the nearest 15 / 20 / 30 / 40 / 60 visits 26 k / 24 k / 19 k /
# 13 k / 11 k rounds, 3814 / 3752 / 3644 / 3677 / 3723 min.
NEAR_VISITS = 30
NEAR_ROUTES = 8
NEAR_REACH = 60  # on a large day, a visit that fits beside none goes on these visits' routes
LEFT_OUT_PER_ROUND = 10  # left-out visits a round tries again, at most (the nearest)


def suits(problem: Problem, visits: list[Visit]) -> bool:
    """Whether a day or part is searched here: every visit needs one worker.

    Days with lunches too, now that the check (`_LunchSlack`) takes lunch at a place as
    the office does: 30x250 lunch days, seeds 1-2, 10 s, two runs each on a shared machine
    (load average 10-13): 2623 / 2560 min against 2760 / 2632 with guided local search on
    parts. Earlier (lunch anywhere in a gap) the tightest 60x600 day planned 595-597 of 600
    against 597 with guided local search; the repair pass (`planner._repair`) now puts in
    any left-out visit that fits before a plan is returned.
    """
    return all(v.workers_needed == 1 for v in visits)


def improve(
    problem: Problem,
    visits: list[Visit],
    params: SolveParams,
    routes: list[list[int]],
    seconds: float,
    rng: random.Random,
    on_better: Callable[[float, int], None] | None = None,
    warmth: tuple[float, float] = (1.0, 0.0),
    fair_target: int = 0,
    every_route: bool = True,
) -> list[list[int]]:
    """The cheapest routes found from `routes` (visit indexes per worker) within `seconds`;
    `on_better(share of the time spent, cost)` hears of each cheaper plan. The annealing
    temperature falls from `warmth[0]` to `warmth[1]` times the first temperature (a
    search cut into several calls continues one schedule). Working time above
    `fair_target` costs `params.fairness_weight` a second, as in the OR-Tools model.
    Unless `every_route`, a visit that fits beside none of its nearest visits is tried only
    on the routes near it (on a large day trying them all made a round take tens of ms).
    The seconds count from the call: building the day's lists takes 0.5 s on 1,000 visits."""
    began = time.monotonic()
    day = _day(problem, visits, params, fair_target)
    if not day.movable:  # e.g. a part of visits already done, pinned where they were
        return [list(r) for r in routes]
    search = _Search(day, routes, every_route)
    legs = sum(len(route) + 1 for route in routes if route)
    first_temperature = TEMPERATURE_LEGS * _walking(day, routes) / max(legs, 1)
    hot, cold = (first_temperature * share for share in warmth)
    best: list[list[int]] | None = None  # None while the current routes are the best
    best_cost = search.cost
    while (elapsed := time.monotonic() - began) < seconds:
        change = search.try_change(rng)
        # Simulated annealing: worse plans pass while the temperature is high.
        temperature = hot + (cold - hot) * elapsed / seconds
        if change.cost < search.cost - temperature * math.log(1 - rng.random()):
            if best is None and change.cost >= best_cost:
                best = search.routes_now()  # leaving the best plan: keep a copy
            search.accept(change)
            if search.cost < best_cost:
                best, best_cost = None, search.cost
                if on_better is not None:
                    on_better(elapsed / seconds, best_cost)
    return search.routes_now() if best is None else best


def construct(
    day: _Day, rng: random.Random, routes: list[list[int]] | None = None
) -> list[list[int]]:
    """Routes (visit indexes per worker) built from nothing by the recreate step: the
    visits with the tightest windows first, each where it costs least (beside one of its
    nearest visits already placed, or opening an idle worker's route); a visit that fits
    nowhere stays out. Each insertion is checked exactly in constant time, so a day of
    2,000 visits is built in about a second where OR-Tools' insertion heuristics need tens
    of seconds (bench/README.md, large days). `routes` are stops already placed (pinned
    ones), kept.

    A visit whose usual worker is on duty (and whose continuity has a price) goes first to
    that worker's route, where it fits: built in one pass, the cheapest insertion beside a
    visit already placed gave 201 of the 276 such visits of a week bench's weekday to
    someone else, and the search did not undo it (16 with this first pass)."""
    start = routes if routes is not None else [[] for _ in day.problem.workers]
    own = [
        i
        for i in day.movable
        if day.other_worker_cost[i] > 0 and day.usual_worker[i] in day.allowed_set[i]
    ]
    if own:
        start = _usual_first(day, start, own, rng)
    search = _Search(day, start, every_route=False)
    changed: dict[int, list[int]] = {}
    order = sorted(search.left_out, key=lambda i: (day.high[i] - day.low[i], rng.random()))
    search._recreate(changed, {}, order, rng, keep_order=True)
    return [changed.get(k, route) for k, route in enumerate(start)]


def _usual_first(
    day: _Day, routes: list[list[int]], own: list[int], rng: random.Random
) -> list[list[int]]:
    """`routes` with each visit of `own` put into its usual worker's route where it fits."""
    only = set(own)
    allowed = [[day.usual_worker[i]] if i in only else [] for i in range(len(day.visits))]
    usual = dataclasses.replace(day, allowed=allowed, allowed_set=[frozenset(a) for a in allowed])
    search = _Search(usual, routes, every_route=False)
    changed: dict[int, list[int]] = {}
    order = sorted(own, key=lambda i: (day.high[i] - day.low[i], rng.random()))
    search._recreate(changed, {}, order, rng, keep_order=True)
    return [changed.get(k, route) for k, route in enumerate(routes)]


@dataclass(slots=True)
class _Change:
    """New routes for a few workers (the others unchanged) and the plan's cost with them."""

    routes: dict[int, list[int]]
    route_cost: dict[int, int]  # of the new routes
    slack: dict[int, _Check]  # checks already built for the new routes
    left_out: set[int]
    cost: int


class _Search:
    """The current routes with what each round needs kept up to date: each route's cost,
    which route holds each visit, the visits left out and the insertion checks of the
    routes (built when first needed, kept while the route stays the same). A round changes
    a few routes only, so it costs the same on a part of 50 visits and a day of 600."""

    def __init__(self, day: _Day, routes: list[list[int]], every_route: bool = True) -> None:
        self.day = day
        # Whether a visit that fits beside none of its nearest visits is tried on every
        # route, or only on the routes of its NEAR_REACH nearest visits.
        self.every_route = every_route
        self.routes = [list(r) for r in routes]
        self.route_cost = [_route_cost(day, k, r) for k, r in enumerate(self.routes)]
        self.route_of = [-1] * len(day.visits)
        for k, route in enumerate(self.routes):
            for i in route:
                self.route_of[i] = k
        self.left_out = {i for i in day.movable if self.route_of[i] < 0}
        self.slack: list[_Check | None] = [None] * len(self.routes)
        self.cost = sum(self.route_cost) + sum(day.penalty[i] for i in self.left_out)

    def routes_now(self) -> list[list[int]]:
        return [list(r) for r in self.routes]

    def try_change(self, rng: random.Random) -> _Change:
        """Ruin a few routes near a random visit, recreate them: the resulting change."""
        changed: dict[int, list[int]] = {}
        seed = rng.choice(self.day.movable)
        removed = self._ruin(changed, seed, rng)
        retried = self._left_out_near(seed)
        slack: dict[int, _Check] = {}
        # Many left out: those retried go only beside their nearest visits (trying every
        # route for each made a round of a 1,200-visit day take 80 ms).
        many = len(retried) < len(self.left_out)
        beside = frozenset(retried) if many else frozenset()
        placed = self._recreate(changed, slack, removed + retried, rng, beside_only=beside)
        left_out = (self.left_out - set(retried)) | {
            i for i in removed + retried if i not in placed
        }
        day = self.day
        route_cost = {k: _route_cost(day, k, route) for k, route in changed.items()}
        cost = self.cost + sum(route_cost[k] - self.route_cost[k] for k in changed)
        cost += sum(day.penalty[i] for i in left_out) - sum(day.penalty[i] for i in self.left_out)
        return _Change(changed, route_cost, slack, left_out, cost)

    def accept(self, change: _Change) -> None:
        for k in change.routes:
            for i in self.routes[k]:
                self.route_of[i] = -1
        for k, route in change.routes.items():
            self.routes[k] = route
            self.route_cost[k] = change.route_cost[k]
            self.slack[k] = change.slack.get(k)
            for i in route:
                self.route_of[i] = k
        self.left_out = change.left_out
        self.cost = change.cost

    def _left_out_near(self, seed: int) -> list[int]:
        """The left-out visits a round tries again: all of them, or on a day that leaves
        many out, those nearest the ruined place (trying 240 left-out visits in every
        round made a round of a 1,200-visit day take a second)."""
        if len(self.left_out) <= LEFT_OUT_PER_ROUND:
            return list(self.left_out)
        near = (i for i in self.day.near[seed] if i in self.left_out)
        return list(itertools.islice(near, LEFT_OUT_PER_ROUND))

    def _ruin(self, changed: dict[int, list[int]], seed: int, rng: random.Random) -> list[int]:
        """Take strings of visits near the visit `seed` out of different routes (into
        `changed`); the visits taken."""
        day = self.day
        wanted = rng.randint(max(1, MOST_REMOVED // 2), MOST_REMOVED)
        removed: list[int] = []
        for i in day.near[seed]:
            if len(removed) >= wanted:
                break
            k = self.route_of[i]
            if k < 0 or k in changed:
                continue
            route = self.routes[k]
            length = rng.randint(1, min(len(route), LONGEST_STRING, wanted - len(removed)))
            at = route.index(i)
            first = max(0, min(at - rng.randint(0, length - 1), len(route) - length))
            taken = [j for j in route[first : first + length] if j in day.may_move]
            changed[k] = [j for j in route if j not in taken]
            removed += taken
        return removed

    def _recreate(
        self,
        changed: dict[int, list[int]],
        slack: dict[int, _Check],
        removed: list[int],
        rng: random.Random,
        keep_order: bool = False,
        beside_only: frozenset[int] = frozenset(),
    ) -> set[int]:
        """Insert the visits one by one where they cost least (into `changed`); the visits
        placed. A visit that fits nowhere stays out. Unless `keep_order`, the order is the
        longest visits first, the tightest windows first or random, by chance. Visits of
        `beside_only` go only beside their nearest visits where many workers may take them
        (every route is not tried for them)."""
        day, visits = self.day, self.day.visits
        order = list(removed)
        if not keep_order:
            how = rng.random()
            if how < 0.4:
                order.sort(key=lambda i: -visits[i].duration)
            elif how < 0.7:
                order.sort(key=lambda i: visits[i].window_end - visits[i].window_start)
            else:
                rng.shuffle(order)
        placed: set[int] = set()
        where = dict.fromkeys(order, -1)  # the route of each visit taken out, once back
        for i in order:
            allowed = day.allowed[i]
            best = None
            if len(allowed) > NEAR_ROUTES:
                best = self._cheapest_beside(i, changed, slack, where, rng)
                if best is None and i in beside_only:
                    continue
            if best is None:  # few workers, or nothing fits beside the nearest visits
                workers = allowed
                if not self.every_route and len(allowed) > NEAR_ROUTES:
                    workers = self._routes_near(i, where)
                best = self._cheapest(i, workers, changed, slack, rng)
            if best is not None:
                k, at = best
                route = changed.get(k)
                if route is None:
                    route = changed[k] = list(self.routes[k])
                route.insert(at, i)
                slack.pop(k, None)
                placed.add(i)
                where[i] = k
        return placed

    def _checker(
        self, k: int, changed: dict[int, list[int]], slack: dict[int, _Check]
    ) -> tuple[list[int], _Check]:
        """Worker `k`'s route this round and its insertion check (built once per route)."""
        day = self.day
        route = changed.get(k)
        if route is None:
            route = self.routes[k]
            fits = self.slack[k]
            if fits is None:
                fits = self.slack[k] = _check(day, k, route)
        else:
            fits = slack.get(k)
            if fits is None:
                fits = slack[k] = _check(day, k, route)
        return route, fits

    def _routes_near(self, i: int, where: dict[int, int]) -> list[int]:
        """The allowed routes holding one of visit `i`'s NEAR_REACH nearest visits."""
        allowed = self.day.allowed_set[i]
        routes = {where.get(j, self.route_of[j]) for j in self.day.near[i][:NEAR_REACH]}
        return sorted(k for k in routes if k in allowed)

    def _cheapest(
        self,
        i: int,
        workers: Iterable[int],
        changed: dict[int, list[int]],
        slack: dict[int, _Check],
        rng: random.Random,
    ) -> tuple[int, int] | None:
        """(worker, position) of the cheapest feasible insertion of visit `i` (but for blinks)."""
        day, duration = self.day, self.day.visits[i].duration
        best: tuple[int, int, int] | None = None
        for k in workers:
            other = day.other_worker_cost[i] if k != day.usual_worker[i] else 0
            route, fits = self._checker(k, changed, slack)
            for detour, at in _positions(day, k, route, i, fits):
                cost = detour + other
                if day.fair_weight:
                    cost += _unfairness(day, fits.worked, detour + duration)
                if best is not None and cost >= best[0]:
                    break  # positions come cheapest first (unfairness grows with the detour)
                if rng.random() >= BLINK:
                    best = (cost, k, at)
                    break
        return None if best is None else (best[1], best[2])

    def _cheapest_beside(
        self,
        i: int,
        changed: dict[int, list[int]],
        slack: dict[int, _Check],
        where: dict[int, int],
        rng: random.Random,
    ) -> tuple[int, int] | None:
        """(worker, position) of the cheapest feasible insertion of visit `i` right before or
        after one of its nearest visits, or into an idle worker's empty route."""
        day = self.day
        options: dict[tuple[int, int], int] = {}  # (worker, position) -> cost
        allowed = day.allowed_set[i]
        for j in day.near[i][:NEAR_VISITS]:
            k = where.get(j, self.route_of[j])
            if k < 0 or k not in allowed:
                continue
            route = changed[k] if k in changed else self.routes[k]
            n = route.index(j)
            for at in (n, n + 1):
                if (k, at) not in options:
                    options[k, at] = self._insertion_cost(i, k, at, changed, slack)
        idle = [k for k in day.allowed[i] if not self.routes[k] and k not in changed]
        if idle:
            k = rng.choice(idle)
            options[k, 0] = self._insertion_cost(i, k, 0, changed, slack)
        for (k, at), _ in sorted(options.items(), key=lambda option: option[1]):
            route, fits = self._checker(k, changed, slack)
            if _fits(day, k, route, i, at, fits) and rng.random() >= BLINK:
                return k, at
        return None

    def _insertion_cost(
        self, i: int, k: int, at: int, changed: dict[int, list[int]], slack: dict[int, _Check]
    ) -> int:
        """Walking added by visit `i` at position `at` of worker `k`'s route this round, its
        continuity cost and the fairness its working time costs."""
        day = self.day
        route = changed[k] if k in changed else self.routes[k]
        detour = _detour(day, k, route, i, at)
        cost = detour + (day.other_worker_cost[i] if k != day.usual_worker[i] else 0)
        if day.fair_weight:
            _, fits = self._checker(k, changed, slack)
            cost += _unfairness(day, fits.worked, detour + day.visits[i].duration)
        return cost
