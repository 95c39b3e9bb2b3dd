"""After the repair pass: visits moved between neighbouring routes where that saves cost, each
move checked by the exact schedule (`_construct.schedule`: lunch at a place, windows,
shift, working time, load; skills by the workers who may take the visit).

Three moves, first improvement, until none is left or the time is up:
- relocate: a visit out of its route into another route, beside one of its nearest visits;
- exchange: two visits of two routes trade places;
- level (with fairness): a visit out of a route working above the even share into a route
  that would still work less, where it adds least travel.
A move is kept only if the plan's cost falls: travel, a visit given to someone other than
its usual worker (`SolveParams.continuity_cost_s`), and, with `fairness_weight`, working
time above an even share, priced as the model prices them (`planner._model`). Visits under
way or done, and visits for two workers, stay where they are; a route with a two-worker
visit keeps that visit's start.
"""

from __future__ import annotations

import heapq
import itertools
import time
from dataclasses import dataclass

from planner import _construct, _model
from planner._construct import Call
from planner._precheck import eligible_workers
from planner.problem import Problem, SolveParams, Visit

NEAREST = 8  # a visit is tried beside this many of its nearest visits
LEVEL_TRIES = 4  # routes a visit of an overworked route is tried in, least travel first


@dataclass(slots=True)
class _Routes:
    problem: Problem
    visits: list[Visit]
    params: SolveParams
    calls: list[list[Call]]
    cost: list[int]  # per route
    where: dict[int, int]  # visit -> route
    allowed: list[frozenset[int]]
    fair_target: int

    def route_cost(self, k: int, calls: list[Call]) -> int | None:
        """The cost of route `k` made of `calls`, or None if it breaks a rule."""
        if not calls:
            return 0
        worker = self.problem.workers[k]
        starts = _construct.schedule(self.problem, worker, self.visits, calls)
        if starts is None:
            return None
        walking = self.walking(k, calls)
        other = sum(
            self.params.continuity_cost_s
            for c in calls
            if self.visits[c.visit].preferred_worker not in (None, worker.id)
        )
        cost = walking + other + self._off_preferred(calls, starts)
        if self.params.fairness_weight and self.fair_target:
            work = walking + sum(self.visits[c.visit].duration for c in calls)
            cost += self.params.fairness_weight * max(0, work - self.fair_target)
        return cost

    def work(self, k: int) -> int:
        """Route `k`'s working time: travel and time on site, no waiting."""
        calls = self.calls[k]
        if not calls:
            return 0
        return self.walking(k, calls) + sum(self.visits[c.visit].duration for c in calls)

    def walking(self, k: int, calls: list[Call]) -> int:
        """Travel of worker `k` from the start through `calls` to the end."""
        worker = self.problem.workers[k]
        travel = self.problem.travel_time[worker.travel_mode]
        places = [
            worker.start_location,
            *(self.visits[c.visit].location for c in calls),
            worker.end_location,
        ]
        return sum(travel[a][b] for a, b in itertools.pairwise(places))

    def _off_preferred(self, calls: list[Call], starts: list[int]) -> int:
        """Seconds started before or after the client's preferred time, priced."""
        per_s = self.params.preferred_window_cost_per_s
        if not per_s:
            return 0
        off = 0
        for c, start in zip(calls, starts, strict=True):
            visit = self.visits[c.visit]
            if visit.preferred_start is not None:
                off += max(0, visit.preferred_start - start)
            if visit.preferred_end is not None:
                off += max(0, start - visit.preferred_end)
        return per_s * off

    def place(self, k: int, calls: list[Call], n: int) -> int:
        """The location before position `n` of a route (-1: the start point) or after it."""
        worker = self.problem.workers[k]
        if n < 0:
            return worker.start_location
        if n >= len(calls):
            return worker.end_location
        return self.visits[calls[n].visit].location

    def leg(self, k: int, a: int, b: int) -> int:
        return self.problem.travel_time[self.problem.workers[k].travel_mode][a][b]

    def other(self, k: int, i: int) -> int:
        """What giving visit `i` to worker `k` costs in continuity."""
        usual = self.visits[i].preferred_worker
        return (
            self.params.continuity_cost_s if usual not in (None, self.problem.workers[k].id) else 0
        )

    def swapped(self, k: int, calls: list[Call], n: int, new: int) -> int:
        """Travel and continuity added by putting visit `new` in place of position `n`."""
        before, after = self.place(k, calls, n - 1), self.place(k, calls, n + 1)
        old = self.visits[calls[n].visit].location
        here = self.visits[new].location
        travel = self.leg(k, before, here) + self.leg(k, here, after)
        travel -= self.leg(k, before, old) + self.leg(k, old, after)
        return travel + self.other(k, new) - self.other(k, calls[n].visit)


def improve(
    problem: Problem,
    visits: list[Visit],
    stops: list[list[tuple[int, int]]],
    params: SolveParams,
    deadline: float,
) -> list[list[tuple[int, int]]]:
    """`stops` (per worker: visit index, service start) with cheaper routes where relocating
    or exchanging visits between routes finds them; changed routes are timed again."""
    movable = [
        i
        for route in stops
        for i, _ in route
        if visits[i].workers_needed == 1
        and visits[i].pinned_start is None
        and visits[i].pinned_worker is None
    ]
    if len(movable) < 2 or len(problem.workers) < 2 or time.monotonic() >= deadline:
        return stops
    calls = [
        [Call(i, start if visits[i].workers_needed > 1 else None) for i, start in route]
        for route in stops
    ]
    index_of = {w.id: k for k, w in enumerate(problem.workers)}
    state = _Routes(
        problem=problem,
        visits=visits,
        params=params,
        calls=calls,
        cost=[0] * len(calls),
        where={c.visit: k for k, route in enumerate(calls) for c in route},
        allowed=[
            frozenset(index_of[w.id] for w in eligible_workers(v, problem.workers)) for v in visits
        ],
        fair_target=_fair_target(problem, visits, params),
    )
    for k, route in enumerate(calls):
        cost = state.route_cost(k, route)
        if cost is None:  # a route the search made keeps its own times; never touched here
            return stops
        state.cost[k] = cost
    near = _Nearest(problem, visits, movable)
    changed = _even_out(state, set(movable), deadline)
    improved = True
    while improved and time.monotonic() < deadline:
        improved = False
        for i in movable:
            if time.monotonic() >= deadline:
                break
            moved = _relocate(state, i, near[i]) or _exchange(state, i, near[i]) or _level(state, i)
            if moved:
                changed |= moved
                improved = True
    result = [list(route) for route in stops]
    for k in changed:
        starts = _construct.schedule(problem, problem.workers[k], visits, calls[k])
        if starts is None:  # every move was checked by this very schedule
            raise AssertionError(f"route of {problem.workers[k].id} breaks a rule after a move")
        result[k] = [(c.visit, s) for c, s in zip(calls[k], starts, strict=True)]
    return result


def _relocate(state: _Routes, i: int, near: list[int]) -> set[int]:
    """Visit `i` moved beside one of its nearest visits in another route, if cheaper."""
    a = state.where[i]
    here = next(n for n, c in enumerate(state.calls[a]) if c.visit == i)
    source = [c for c in state.calls[a] if c.visit != i]
    location = state.visits[i].location
    before, after = (
        state.place(a, state.calls[a], here - 1),
        state.place(a, state.calls[a], here + 1),
    )
    saved = state.leg(a, before, location) + state.leg(a, location, after)
    saved += state.other(a, i) - state.leg(a, before, after)
    tried: set[tuple[int, int]] = set()
    source_cost: int | None = None
    for j in near:
        b = state.where.get(j)
        if b is None or b == a or b not in state.allowed[i]:
            continue
        at = next(n for n, c in enumerate(state.calls[b]) if c.visit == j)
        for position in (at, at + 1):
            if (b, position) in tried:
                continue
            tried.add((b, position))
            prev = state.place(b, state.calls[b], position - 1)
            nxt = state.place(b, state.calls[b], position)
            added = state.leg(b, prev, location) + state.leg(b, location, nxt)
            added += state.other(b, i) - state.leg(b, prev, nxt)
            if added >= saved:  # travel and continuity alone must fall first
                continue
            target = [*state.calls[b][:position], Call(i), *state.calls[b][position:]]
            if source_cost is None:
                source_cost = state.route_cost(a, source)
                if source_cost is None:
                    return set()
            target_cost = state.route_cost(b, target)
            if target_cost is None:
                continue
            if source_cost + target_cost < state.cost[a] + state.cost[b]:
                _apply(state, {a: (source, source_cost), b: (target, target_cost)})
                return {a, b}
    return set()


def _exchange(state: _Routes, i: int, near: list[int]) -> set[int]:
    """Visit `i` and a near visit `j` of another route trade places, if cheaper."""
    a = state.where[i]
    for j in near:
        b = state.where.get(j)
        if b is None or b == a or b not in state.allowed[i] or a not in state.allowed[j]:
            continue
        if state.visits[j].workers_needed > 1 or state.visits[j].pinned_start is not None:
            continue
        at_i = next(n for n, c in enumerate(state.calls[a]) if c.visit == i)
        at_j = next(n for n, c in enumerate(state.calls[b]) if c.visit == j)
        cheap = state.swapped(a, state.calls[a], at_i, j) + state.swapped(
            b, state.calls[b], at_j, i
        )
        if cheap >= 0:  # travel and continuity alone must fall first
            continue
        first = [Call(j) if c.visit == i else c for c in state.calls[a]]
        second = [Call(i) if c.visit == j else c for c in state.calls[b]]
        first_cost = state.route_cost(a, first)
        if first_cost is None:
            continue
        second_cost = state.route_cost(b, second)
        if second_cost is None:
            continue
        if first_cost + second_cost < state.cost[a] + state.cost[b]:
            _apply(state, {a: (first, first_cost), b: (second, second_cost)})
            return {a, b}
    return set()


def _even_out(state: _Routes, movable: set[int], deadline: float) -> set[int]:
    """The route that works most gives up visits (`_level`) while one moves: the sweep over
    every visit below may run out of time before it reaches that route."""
    changed: set[int] = set()
    while time.monotonic() < deadline:
        most = max(range(len(state.calls)), key=state.work)
        mine = [c.visit for c in state.calls[most] if c.visit in movable]
        moved = next((m for i in mine if (m := _level(state, i))), set())
        if not moved:
            return changed
        changed |= moved
    return changed


def _level(state: _Routes, i: int) -> set[int]:
    """Visit `i` out of a route that works above the even share, into the route where it adds
    least travel among those that would still work less, if the plan's cost falls. The
    nearest visits of a visit are mostly in its own route, so `_relocate` alone, which needs
    travel to fall first, never evens a day whose workers keep to their own streets."""
    if not (state.params.fairness_weight and state.fair_target):
        return set()
    a = state.where[i]
    heavy = state.work(a)
    if heavy <= state.fair_target:
        return set()
    visit = state.visits[i]
    options = []
    for b in state.allowed[i]:
        light = state.work(b)
        if b == a or light + visit.duration >= heavy - visit.duration:
            continue
        calls = state.calls[b]
        added, position = min(
            (
                state.leg(b, state.place(b, calls, n - 1), visit.location)
                + state.leg(b, visit.location, state.place(b, calls, n))
                - state.leg(b, state.place(b, calls, n - 1), state.place(b, calls, n)),
                n,
            )
            for n in range(len(calls) + 1)
        )
        if light + visit.duration + added < heavy:
            options.append((added + state.other(b, i), b, position))
    source = [c for c in state.calls[a] if c.visit != i]
    source_cost = None
    for _, b, position in sorted(options)[:LEVEL_TRIES]:
        if source_cost is None:
            source_cost = state.route_cost(a, source)
            if source_cost is None:
                return set()
        target = [*state.calls[b][:position], Call(i), *state.calls[b][position:]]
        target_cost = state.route_cost(b, target)
        if target_cost is not None and source_cost + target_cost < state.cost[a] + state.cost[b]:
            _apply(state, {a: (source, source_cost), b: (target, target_cost)})
            return {a, b}
    return set()


def _apply(state: _Routes, new: dict[int, tuple[list[Call], int]]) -> None:
    for k, (calls, cost) in new.items():
        state.calls[k], state.cost[k] = calls, cost
        for c in calls:
            state.where[c.visit] = k


class _Nearest:
    """Each movable visit's nearest movable visits (by the first worker's travel mode),
    found when first asked for: a short time budget on a large day reaches few visits."""

    def __init__(self, problem: Problem, visits: list[Visit], movable: list[int]) -> None:
        self.travel = problem.travel_time[problem.workers[0].travel_mode]
        self.visits = visits
        self.movable = sorted(set(movable))
        self.found: dict[int, list[int]] = {}

    def __getitem__(self, i: int) -> list[int]:
        if i not in self.found:
            row = self.travel[self.visits[i].location]
            others = (j for j in self.movable if j != i)
            self.found[i] = heapq.nsmallest(
                NEAREST, others, key=lambda j: (row[self.visits[j].location], j)
            )
        return self.found[i]


def _fair_target(problem: Problem, visits: list[Visit], params: SolveParams) -> int:
    """The model's even share of the day's work (`planner._model.fair_workload`); 0 without
    fairness."""
    if not params.fairness_weight or len(visits) < 2:
        return 0
    service = sum(v.duration for v in visits)
    return _model.fair_workload(problem, [v.location for v in visits], service)
