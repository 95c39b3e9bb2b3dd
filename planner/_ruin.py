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

import itertools
import math
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from planner._precheck import eligible_workers
from planner.problem import Break, Problem, SolveParams, Visit, Worker

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
) -> list[list[int]]:
    """The cheapest routes found from `routes` (visit indexes per worker) within `seconds`;
    `on_better(share of the time spent, cost)` hears of each cheaper plan. The annealing
    temperature falls from `warmth[0]` to `warmth[1]` times the first temperature (a
    search cut into several calls continues one schedule). Working time above
    `fair_target` costs `params.fairness_weight` a second, as in the OR-Tools model."""
    day = _day(problem, visits, params, fair_target)
    if not day.movable:  # e.g. a part of visits already done, pinned where they were
        return [list(r) for r in routes]
    search = _Search(day, routes)
    legs = sum(len(route) + 1 for route in routes if route)
    first_temperature = TEMPERATURE_LEGS * _walking(day, routes) / max(legs, 1)
    hot, cold = (first_temperature * share for share in warmth)
    best: list[list[int]] | None = None  # None while the current routes are the best
    best_cost = search.cost
    began = time.monotonic()
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


def _day(problem: Problem, visits: list[Visit], params: SolveParams, fair_target: int = 0) -> _Day:
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
    nearest = np.argsort(by_mode[workers[0].travel_mode][: len(visits), movable], kind="stable")
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

    def __init__(self, day: _Day, routes: list[list[int]]) -> None:
        self.day = day
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
        removed = self._ruin(changed, rng)
        removed += self.left_out  # left out: tried again
        slack: dict[int, _Check] = {}
        placed = self._recreate(changed, slack, removed, rng)
        left_out = {i for i in removed if i not in placed}
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

    def _ruin(self, changed: dict[int, list[int]], rng: random.Random) -> list[int]:
        """Take strings of visits near a random visit out of different routes (into
        `changed`); the visits taken."""
        day = self.day
        wanted = rng.randint(max(1, MOST_REMOVED // 2), MOST_REMOVED)
        removed: list[int] = []
        for i in day.near[rng.choice(day.movable)]:
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
    ) -> set[int]:
        """Insert the visits one by one where they cost least (into `changed`); the visits
        placed. A visit that fits nowhere stays out."""
        day, visits = self.day, self.day.visits
        order = list(removed)
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
            if best is None:  # few workers, or nothing fits beside the nearest visits
                best = self._cheapest(i, allowed, changed, slack, rng)
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


def _positions(
    day: _Day, k: int, route: list[int], i: int, fits: _Check
) -> Iterator[tuple[int, int]]:
    """(detour, position) of the feasible insertions of visit `i` in worker `k`'s route,
    cheapest first (checked only as far as the caller reads)."""
    travel = day.travel[k]
    from_i = travel[i]
    before = day.start[k]
    detours = []
    for at, after in enumerate([*route, day.end[k]]):
        row = travel[before]
        detours.append((row[i] + from_i[after] - row[after], at))
        before = after
    detours.sort()
    for d, at in detours:
        if fits.can_insert(i, at, d):
            yield d, at


def _fits(day: _Day, k: int, route: list[int], i: int, at: int, fits: _Check) -> bool:
    """Whether visit `i` may go at position `at` of worker `k`'s route."""
    return fits.can_insert(i, at, _detour(day, k, route, i, at))


def _check(day: _Day, k: int, route: list[int]) -> _Check:
    """The insertion check of worker `k`'s route."""
    return _Slack(day, k, route) if day.lunch[k] is None else _LunchSlack(day, k, route)


class _Slack:
    """Earliest and latest service starts along a route of a worker without lunch.

    The same rules as `_construct.schedule`: a visit starts within its window (or at its
    pinned start) after the previous one ends and the walk between; the worker leaves at
    the shift start and is back by its end; working time and load within their limits.
    """

    def __init__(self, day: _Day, k: int, route: list[int]) -> None:
        worker: Worker = day.problem.workers[k]
        visits, travel = day.visits, day.travel[k]
        self.day, self.k, self.route, self.worker = day, k, route, worker
        self.finish: list[int] = []  # earliest end of service at each stop
        free, place, worked = worker.shift_start, day.start[k], 0
        for j in route:
            start = max(day.low[j], free + travel[place][j])
            worked += travel[place][j] + visits[j].duration
            free, place = start + visits[j].duration, j
            self.finish.append(free)
        self.worked = worked + travel[place][day.end[k]]
        self.load = sum(visits[j].demand for j in route)
        # latest[n]: the latest start at stop n that keeps every later stop and the return.
        self.latest = [0] * len(route)
        limit, place = worker.shift_end, day.end[k]
        for n in range(len(route) - 1, -1, -1):
            j = route[n]
            self.latest[n] = min(day.high[j], limit - travel[j][place] - visits[j].duration)
            limit, place = self.latest[n], j

    def can_insert(self, i: int, at: int, detour: int) -> bool:
        worker, visit, travel = self.worker, self.day.visits[i], self.day.travel[self.k]
        if worker.capacity is not None and self.load + visit.demand > worker.capacity:
            return False
        cap = worker.max_working_seconds
        if cap is not None and self.worked + detour + visit.duration > cap:
            return False
        free = self.finish[at - 1] if at else worker.shift_start
        place = self.route[at - 1] if at else self.day.start[self.k]
        start = max(self.day.low[i], free + travel[place][i])
        if start > self.day.high[i]:
            return False
        done = start + visit.duration
        if at == len(self.route):
            return done + travel[i][self.day.end[self.k]] <= worker.shift_end
        return done + travel[i][self.route[at]] <= self.latest[at]


class _LunchSlack:
    """The same for a worker with lunch: each stop in two states, lunch still to come or
    taken in an earlier gap (the two states of `_construct.schedule`).

    Lunch is taken at a place (the start point before leaving, or a visit's place after it
    ends), between its earliest and latest start; the walk on begins when it is over. A
    stop in the "to come" state ends by the break's latest start.
    """

    def __init__(self, day: _Day, k: int, route: list[int]) -> None:
        worker: Worker = day.problem.workers[k]
        lunch = worker.lunch
        assert lunch is not None
        visits, travel = day.visits, day.travel[k]
        self.day, self.k, self.route, self.worker, self.lunch = day, k, route, worker, lunch
        # Earliest end of service at each stop, lunch to come / taken (NEVER: impossible).
        self.to_come: list[int] = []
        self.taken: list[int] = []
        to_come, taken, place, worked = worker.shift_start, NEVER, day.start[k], 0
        for j in route:
            leg = travel[place][j]
            to_come, taken = self._step(j, to_come, taken, leg)
            self.to_come.append(to_come)
            self.taken.append(taken)
            worked += leg + visits[j].duration
            place = j
        self.worked = worked + travel[place][day.end[k]]
        self.load = sum(visits[j].demand for j in route)
        # Latest start at each stop that keeps every later stop and the return feasible,
        # lunch taken before the stop / still to come after it (-NEVER: impossible).
        self.latest_taken = [-NEVER] * len(route)
        self.latest_to_come = [-NEVER] * len(route)
        for n in range(len(route) - 1, -1, -1):
            j = route[n]
            duration, ends_by = visits[j].duration, lunch.latest - visits[j].duration
            if n == len(route) - 1:
                back = travel[j][day.end[k]]
                taken_limit = worker.shift_end - back - duration
                lunch_after = lunch.earliest + lunch.duration + back <= worker.shift_end
                to_come_limit = worker.shift_end - lunch.duration - back - duration
                to_come_limit = min(to_come_limit, ends_by) if lunch_after else -NEVER
            else:
                leg = travel[j][route[n + 1]]
                taken_limit = self.latest_taken[n + 1] - leg - duration
                # Lunch in the gap after this stop, or still later.
                in_gap = -NEVER
                if lunch.earliest + lunch.duration + leg <= self.latest_taken[n + 1]:
                    in_gap = self.latest_taken[n + 1] - lunch.duration - leg - duration
                later = self.latest_to_come[n + 1] - leg - duration
                to_come_limit = min(max(in_gap, later), ends_by)
            self.latest_taken[n] = _latest(day, j, taken_limit)
            self.latest_to_come[n] = _latest(day, j, to_come_limit)

    def _step(self, j: int, to_come: int, taken: int, leg: int) -> tuple[int, int]:
        """Earliest ends at stop `j` in both states from the previous stop's."""
        day, lunch = self.day, self.lunch
        low, high, duration = day.low[j], day.high[j], day.visits[j].duration
        new_to_come = new_taken = NEVER
        if to_come < NEVER:
            start = max(low, to_come + leg)
            if start <= high and start + duration <= lunch.latest:
                new_to_come = start + duration
            lunch_start = max(to_come, lunch.earliest)
            if lunch_start <= lunch.latest:
                start = max(low, lunch_start + lunch.duration + leg)
                if start <= high:
                    new_taken = start + duration
        if taken < NEVER:
            start = max(low, taken + leg)
            if start <= high:
                new_taken = min(new_taken, start + duration)
        return new_to_come, new_taken

    def can_insert(self, i: int, at: int, detour: int) -> bool:
        worker, visit, travel, day = (
            self.worker,
            self.day.visits[i],
            self.day.travel[self.k],
            self.day,
        )
        if worker.capacity is not None and self.load + visit.demand > worker.capacity:
            return False
        cap = worker.max_working_seconds
        if cap is not None and self.worked + detour + visit.duration > cap:
            return False
        if at:
            to_come, taken, place = self.to_come[at - 1], self.taken[at - 1], self.route[at - 1]
        else:
            to_come, taken, place = worker.shift_start, NEVER, day.start[self.k]
        to_come, taken = self._step(i, to_come, taken, travel[place][i])
        lunch = self.lunch
        if at == len(self.route):
            back = travel[i][day.end[self.k]]
            if taken < NEVER and taken + back <= worker.shift_end:
                return True
            return (
                to_come < NEVER
                and max(to_come, lunch.earliest) <= lunch.latest
                and max(to_come, lunch.earliest) + lunch.duration + back <= worker.shift_end
            )
        q = self.route[at]
        leg, low = travel[i][q], day.low[q]
        if taken < NEVER and max(low, taken + leg) <= self.latest_taken[at]:
            return True
        if to_come == NEVER:
            return False
        if max(low, to_come + leg) <= self.latest_to_come[at]:
            return True  # lunch after a later stop
        lunch_start = max(to_come, lunch.earliest)
        if lunch_start > lunch.latest:
            return False
        start = max(low, lunch_start + lunch.duration + leg)
        return start <= self.latest_taken[at]  # lunch in the gap before the next stop


_Check = _Slack | _LunchSlack


def _latest(day: _Day, j: int, limit: int) -> int:
    """The latest start at stop `j` under `limit`, or -NEVER if its window opens later."""
    latest = min(day.high[j], limit)
    return latest if latest >= day.low[j] else -NEVER


def _window(visit: Visit) -> tuple[int, int]:
    if visit.pinned_start is not None:
        return visit.pinned_start, visit.pinned_start
    return visit.window_start, visit.window_end
