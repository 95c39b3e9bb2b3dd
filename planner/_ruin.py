"""Ruin and recreate on a part of a day: strings of neighbouring visits taken out of a few
routes and put back where they cost least, many times a second (after the SISR method of
Christiaens and Vanden Berghe, 2020).

Why, measured on 60x600 and 30x250 days already improved by guided local search
(bench/README.md): OR-Tools' guided local search, started from a part's routes, rarely
improved them further (its moves are small and every one must stay feasible, while
home-care routes run close to the end of the shift); PyVRP on the very same parts found
three to twenty times the saving, by changing which visits go together. Taking out five to
ten nearby visits at once and inserting them again does change that: at several hundred
rounds a second in Python it saved 1.6 (60x600) to 6 (30x250) times as much as guided
local search on those parts in the same time.

Every insertion is checked exactly: by earliest and latest starts along the route for a
worker without lunch (the rules of `_construct.schedule`, in constant time per position),
by `_construct.schedule` itself for a worker with lunch. Visits pinned to a worker or a
start stay where they are; a part with two-worker visits is not handed here.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from planner._construct import Call, schedule
from planner._precheck import eligible_workers
from planner.problem import Problem, SolveParams, Visit, Worker

# Simulated annealing's first temperature, in mean legs of the starting routes: a plan one
# mean leg worse is kept with chance 1/e at first, never at the end. Over four days per size
# (10 s) a fixed 60 / 120 / 240 / 480 / 960 s on 30x250 days (legs of about 4.5 min) gave
# 4301 / 4313-4346 / 4285 / 4242 / 4319 min; on 60x600 16281 / 16256 / 16191 / 16231 / 16413.
TEMPERATURE_LEGS = 1.0
MOST_REMOVED = 10  # visits taken out per round: between half of this and this
LONGEST_STRING = 8  # consecutive visits taken out of one route
BLINK = 0.01  # chance to skip the cheapest feasible position (diversity)
LEFT_OUT_COST = 10**9  # a mandatory visit left out


@dataclass(slots=True)
class _Day:
    """The part's workers, visits and travel times as plain lists (fast in Python)."""

    problem: Problem
    visits: list[Visit]
    travel: list[list[list[int]]]  # per worker: place x place, places = visits then depots
    start: list[int]  # per worker: its start place
    end: list[int]
    allowed: list[list[int]]  # per visit: the workers allowed to take it
    movable: list[int]  # visits this search may move
    may_move: frozenset[int]  # the same, as a set
    penalty: list[int]  # per visit: the cost of leaving it out
    near: list[list[int]]  # per visit: the movable visits nearest first
    usual_worker: list[int]  # per visit: index of the client's usual worker, -1 if none
    other_worker_cost: list[int]  # per visit: the cost of giving it to someone else
    low: list[int]  # per visit: earliest start (window, or the pinned start)
    high: list[int]  # per visit: latest start


def suits(problem: Problem, visits: list[Visit]) -> bool:
    """Whether a part is searched here: every visit needs one worker, nobody has lunch.

    Days with lunches, four per size, 10 s: ruin and recreate on their parts gave 1-1.5 %
    less walking on 30x250 days but 1-2 % more, and more visits left out, on 60x600 days
    than guided local search, so those parts stay with OR-Tools for now.
    """
    return all(v.workers_needed == 1 for v in visits) and not any(w.lunch for w in problem.workers)


def improve(
    problem: Problem,
    visits: list[Visit],
    params: SolveParams,
    routes: list[list[int]],
    seconds: float,
    rng: random.Random,
    on_better: Callable[[float, int], None] | None = None,
) -> list[list[int]]:
    """The cheapest routes found from `routes` (visit indexes per worker) within `seconds`;
    `on_better(share of the time spent, cost)` hears of each cheaper plan."""
    day = _day(problem, visits, params)
    if not day.movable:  # e.g. a part of visits already done, pinned where they were
        return [list(r) for r in routes]
    current = [list(r) for r in routes]
    current_cost = _cost(day, current)
    legs = sum(len(route) + 1 for route in current if route)
    first_temperature = TEMPERATURE_LEGS * _walking(day, current) / max(legs, 1)
    best, best_cost = current, current_cost
    began = time.monotonic()
    while (elapsed := time.monotonic() - began) < seconds:
        candidate = [list(r) for r in current]
        removed = _ruin(day, candidate, rng)
        placed = {i for route in candidate for i in route}.union(removed)
        removed += [i for i in day.movable if i not in placed]  # left out: tried again
        _recreate(day, candidate, removed, rng)
        cost = _cost(day, candidate)
        # Simulated annealing: worse plans pass while the temperature is high.
        temperature = first_temperature * (1 - elapsed / seconds)
        if cost < current_cost - temperature * math.log(1 - rng.random()):
            current, current_cost = candidate, cost
            if cost < best_cost:
                best, best_cost = candidate, cost
                if on_better is not None:
                    on_better(elapsed / seconds, cost)
    return best


def _day(problem: Problem, visits: list[Visit], params: SolveParams) -> _Day:
    workers = problem.workers
    places = [v.location for v in visits]
    depots = sorted({w.start_location for w in workers} | {w.end_location for w in workers})
    place_of_depot = {loc: len(places) + n for n, loc in enumerate(depots)}
    places += depots
    by_mode = {}
    for mode in {w.travel_mode for w in workers}:
        matrix = problem.travel_time[mode]
        by_mode[mode] = [[int(matrix[a][b]) for b in places] for a in places]
    movable = [
        i
        for i, v in enumerate(visits)
        if v.pinned_worker is None and v.pinned_start is None and v.workers_needed == 1
    ]
    any_travel = by_mode[workers[0].travel_mode]
    index = {w.id: k for k, w in enumerate(workers)}
    return _Day(
        problem=problem,
        visits=visits,
        travel=[by_mode[w.travel_mode] for w in workers],
        start=[place_of_depot[w.start_location] for w in workers],
        end=[place_of_depot[w.end_location] for w in workers],
        allowed=[
            [k for k, w in enumerate(workers) if w in eligible_workers(v, workers)] for v in visits
        ],
        movable=movable,
        may_move=frozenset(movable),
        penalty=[
            LEFT_OUT_COST if v.mandatory else params.drop_penalty_s * max(v.priority, 1)
            for v in visits
        ],
        near=[sorted(movable, key=lambda j, i=i: any_travel[i][j]) for i in range(len(visits))],
        usual_worker=[index.get(v.preferred_worker or "", -1) for v in visits],
        other_worker_cost=[
            params.continuity_cost_s if v.preferred_worker is not None else 0 for v in visits
        ],
        low=[_window(v)[0] for v in visits],
        high=[_window(v)[1] for v in visits],
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
    total = 0
    served = set()
    for k, route in enumerate(routes):
        if not route:
            continue  # an idle worker walks nowhere (as in the OR-Tools model)
        travel = day.travel[k]
        place = day.start[k]
        for i in route:
            total += travel[place][i]
            if day.usual_worker[i] >= 0 and day.usual_worker[i] != k:
                total += day.other_worker_cost[i]
            place = i
        total += travel[place][day.end[k]]
        served.update(route)
    return total + sum(day.penalty[i] for i in day.movable if i not in served)


def _ruin(day: _Day, routes: list[list[int]], rng: random.Random) -> list[int]:
    """Take strings of visits near a random visit out of different routes; the visits taken."""
    wanted = rng.randint(max(1, MOST_REMOVED // 2), MOST_REMOVED)
    route_of = {i: k for k, route in enumerate(routes) for i in route}
    removed: list[int] = []
    touched: set[int] = set()
    for i in day.near[rng.choice(day.movable)]:
        if len(removed) >= wanted:
            break
        k = route_of.get(i)
        if k is None or k in touched:
            continue
        touched.add(k)
        route = routes[k]
        length = rng.randint(1, min(len(route), LONGEST_STRING, wanted - len(removed)))
        at = route.index(i)
        first = max(0, min(at - rng.randint(0, length - 1), len(route) - length))
        taken = [j for j in route[first : first + length] if j in day.may_move]
        routes[k] = [j for j in route if j not in taken]
        removed += taken
    return removed


def _recreate(day: _Day, routes: list[list[int]], removed: list[int], rng: random.Random) -> None:
    """Insert the visits one by one where they cost least; a visit that fits nowhere stays out."""
    visits = day.visits
    order = list(removed)
    how = rng.random()
    if how < 0.4:
        order.sort(key=lambda i: -visits[i].duration)
    elif how < 0.7:
        order.sort(key=lambda i: visits[i].window_end - visits[i].window_start)
    else:
        rng.shuffle(order)
    slack: dict[int, _Slack] = {}  # per worker without lunch, until its route changes
    for i in order:
        best: tuple[int, int, int] | None = None
        for k in day.allowed[i]:
            other = day.other_worker_cost[i] if k != day.usual_worker[i] else 0
            for detour, at in _positions(day, k, routes[k], i, slack):
                if best is not None and detour + other >= best[0]:
                    break  # positions come cheapest first
                if rng.random() >= BLINK:
                    best = (detour + other, k, at)
                    break
        if best is not None:
            _, k, at = best
            routes[k].insert(at, i)
            slack.pop(k, None)


def _positions(
    day: _Day, k: int, route: list[int], i: int, slack: dict[int, _Slack]
) -> Iterator[tuple[int, int]]:
    """(detour, position) of the feasible insertions of visit `i` in worker `k`'s route,
    cheapest first (checked only as far as the caller reads)."""
    travel = day.travel[k]
    places = [day.start[k], *route, day.end[k]]
    detours = sorted(
        (travel[places[at]][i] + travel[i][places[at + 1]] - travel[places[at]][places[at + 1]], at)
        for at in range(len(route) + 1)
    )
    worker = day.problem.workers[k]
    if worker.lunch is not None:  # the exact check, slower (parts with lunch stay elsewhere)
        for d, at in detours:
            calls = [Call(j) for j in [*route[:at], i, *route[at:]]]
            if schedule(day.problem, worker, day.visits, calls) is not None:
                yield d, at
        return
    fits = slack.get(k) or slack.setdefault(k, _Slack(day, k, route))
    for d, at in detours:
        if fits.can_insert(i, at, d):
            yield d, at


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


def _window(visit: Visit) -> tuple[int, int]:
    if visit.pinned_start is not None:
        return visit.pinned_start, visit.pinned_start
    return visit.window_start, visit.window_end
