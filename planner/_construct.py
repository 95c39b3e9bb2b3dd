"""A first plan built in Python, for when OR-Tools' own first-solution heuristics fail.

OR-Tools' insertion heuristics check their moves with filters that know neither the
two-worker rule (two copies starting together on two different workers) nor, on a full
day, every detail of the lunch-break constraint; when the assignment they build is then
refused by the constraint solver, the whole search ends with nothing. This module builds
routes that obey every hard rule by its own exact schedule check (the rules of
`tests/planner/checker.py`), so the search can start from them instead: a sequential
cheapest insertion, two-worker visits first, each one into two routes at one start time.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from planner._precheck import eligible_workers
from planner.problem import Problem, Visit, Worker

NEVER = 10**12


@dataclass(slots=True)
class Call:
    """A stop in a route under construction; a two-worker copy has its start fixed."""

    visit: int  # index into the visit list
    fixed_start: int | None = None


def calls_of(visits: list[Visit], stops: list[list[tuple[int, int]]]) -> list[list[Call]]:
    """Routes of calls from stops (visit, start): a two-worker copy keeps its start."""
    return [
        [Call(i, start if visits[i].workers_needed > 1 else None) for i, start in route]
        for route in stops
    ]


def schedule(
    problem: Problem, worker: Worker, visits: list[Visit], calls: list[Call]
) -> list[int] | None:
    """Earliest service starts of the calls in order, or None if a hard rule breaks.

    Two states per stop: lunch still to take, or taken in an earlier gap. Lunch is taken at
    a place, as the office does: at the start point before leaving, or at the place of a
    visit once it ends (as soon as the lunch window opens); the walk on begins when the
    break is over. It may use time the worker would otherwise wait at the next door.
    """
    travel = problem.travel_time[worker.travel_mode]
    lunch = worker.lunch
    worked = sum(visits[c.visit].duration for c in calls)
    load = sum(visits[c.visit].demand for c in calls)
    if worker.capacity is not None and load > worker.capacity:
        return None
    # (free at, start of each stop so far) for each state
    before: tuple[int, list[int]] | None = (worker.shift_start, []) if lunch else None
    after: tuple[int, list[int]] | None = None if lunch else (worker.shift_start, [])
    place = worker.start_location
    for call in calls:
        visit = visits[call.visit]
        leg = travel[place][visit.location]
        worked += leg
        low, high = visit.window_start, visit.window_end
        if visit.pinned_start is not None:
            low = high = visit.pinned_start
        if call.fixed_start is not None:
            low, high = max(low, call.fixed_start), min(high, call.fixed_start)
        options: list[tuple[int, list[int]]] = []
        if after is not None:
            start = max(low, after[0] + leg)
            if start <= high:
                options.append((start, after[1]))
        taken: tuple[int, list[int]] | None = None
        if before is not None and lunch is not None:
            b0 = max(before[0], lunch.earliest)  # here, before walking on
            if b0 <= lunch.latest:
                start = max(low, b0 + lunch.duration + leg)
                if start <= high:
                    options.append((start, before[1]))
            start = max(low, before[0] + leg)
            # Staying before lunch only while lunch can still come after this stop.
            if start <= high and start + visit.duration <= lunch.latest:
                taken = (start + visit.duration, [*before[1], start])
        best = min(options, default=None, key=lambda o: o[0])
        after = None if best is None else (best[0] + visit.duration, [*best[1], best[0]])
        before = taken
        if after is None and before is None:
            return None
        place = visit.location
    back = travel[place][worker.end_location]
    worked += back
    if worker.max_working_seconds is not None and worked > worker.max_working_seconds:
        return None
    ends: list[tuple[int, list[int]]] = []
    if after is not None:
        ends.append((after[0] + back, after[1]))
    if before is not None and lunch is not None:
        b0 = max(before[0], lunch.earliest)  # at the last place, then back
        if b0 <= lunch.latest:
            ends.append((b0 + lunch.duration + back, before[1]))
    feasible = [starts for end, starts in ends if end <= worker.shift_end]
    return feasible[0] if feasible else None


def build(
    problem: Problem, visits: list[Visit], deadline: float = float("inf")
) -> list[list[Call]]:
    """Routes per worker: every visit that fits somewhere, inserted where it costs least;
    past `deadline` (time.monotonic()) the visits not yet tried stay out (a later repair
    pass may still place them), so a large day keeps its time limit."""
    workers = problem.workers
    routes: list[list[Call]] = [[] for _ in workers]
    index_of = {w.id: k for k, w in enumerate(workers)}
    # Pinned visits first (no choice), then two-worker visits, then by window width.
    order = sorted(
        range(len(visits)),
        key=lambda i: (
            visits[i].pinned_worker is None,
            -visits[i].workers_needed,
            visits[i].window_end - visits[i].window_start,
        ),
    )
    bounds = Bounds(problem, visits, routes)
    for i in order:
        if time.monotonic() >= deadline:
            break
        visit = visits[i]
        allowed = [index_of[w.id] for w in eligible_workers(visit, workers)]
        if visit.workers_needed == 1:
            insert_one(problem, visits, routes, i, allowed, bounds)
        elif visit.workers_needed == 2:
            insert_pair(problem, visits, routes, i, allowed, bounds=bounds)
    return routes


def detour(
    problem: Problem, worker: Worker, visits: list[Visit], calls: list[Call], at: int
) -> int:
    """The walk the stop at `at` adds to its route."""
    rest = [*calls[:at], *calls[at + 1 :]]
    return _detour(problem, worker, visits, rest, at, visits[calls[at].visit])


def _detour(
    problem: Problem, worker: Worker, visits: list[Visit], calls: list[Call], at: int, visit: Visit
) -> int:
    travel = problem.travel_time[worker.travel_mode]
    prev = worker.start_location if at == 0 else visits[calls[at - 1].visit].location
    nxt = worker.end_location if at == len(calls) else visits[calls[at].visit].location
    return travel[prev][visit.location] + travel[visit.location][nxt] - travel[prev][nxt]


class Bounds:
    """Each route's lunch-free bounds (`route_bounds`), kept until the route changes: a
    construction asks them of every route for every visit, and most routes stay as they are."""

    def __init__(self, problem: Problem, visits: list[Visit], routes: list[list[Call]]) -> None:
        self.problem, self.visits, self.routes = problem, visits, routes
        self._kept: dict[int, tuple[list[int], list[int]]] = {}

    def of(self, k: int) -> tuple[list[int], list[int]]:
        if k not in self._kept:
            worker = self.problem.workers[k]
            self._kept[k] = route_bounds(self.problem, worker, self.visits, self.routes[k])
        return self._kept[k]

    def changed(self, k: int) -> None:
        self._kept.pop(k, None)


def _candidates(
    problem: Problem,
    visits: list[Visit],
    routes: list[list[Call]],
    i: int,
    allowed: list[int],
    want: int | None = None,
    bounds: Bounds | None = None,
) -> list[tuple[int, int, int]]:
    """(detour, worker, position) of the cheapest feasible single insertions, cheapest
    first: `want` of them (every one with None). The positions that pass the quick test
    are tried by the exact schedule in order of their detour, until `want` fit."""
    quick = []
    for k in allowed:
        worker, calls = problem.workers[k], routes[k]
        known = bounds.of(k) if bounds is not None else None
        for at in _possible(problem, worker, visits, calls, i, known):
            quick.append((_detour(problem, worker, visits, calls, at, visits[i]), k, at))
    quick.sort()
    found = []
    for detour, k, at in quick:
        trial = [*routes[k][:at], Call(i), *routes[k][at:]]
        if schedule(problem, problem.workers[k], visits, trial) is not None:
            found.append((detour, k, at))
            if want is not None and len(found) >= want:
                break
    return found


def positions(
    problem: Problem, worker: Worker, visits: list[Visit], calls: list[Call], i: int
) -> Iterator[int]:
    """Every position of `worker`'s route where visit `i` fits, by the exact schedule."""
    for at in _possible(problem, worker, visits, calls, i):
        if schedule(problem, worker, visits, [*calls[:at], Call(i), *calls[at:]]) is not None:
            yield at


def _possible(
    problem: Problem,
    worker: Worker,
    visits: list[Visit],
    calls: list[Call],
    i: int,
    known: tuple[list[int], list[int]] | None = None,
) -> Iterator[int]:
    """Positions that pass a quick necessary test (bounds that ignore lunch, which only
    delays): the worker can be there before the visit's window closes, and from there still
    reach the next stop by the latest start that keeps every later stop and the return."""
    travel = problem.travel_time[worker.travel_mode]
    visit = visits[i]
    low, high = _window(visit, Call(i))
    frees, latest = known if known is not None else route_bounds(problem, worker, visits, calls)
    places = [worker.start_location, *(visits[c.visit].location for c in calls)]
    places.append(worker.end_location)
    for at in range(len(calls) + 1):
        start = max(low, frees[at] + travel[places[at]][visit.location])
        if start > high:
            continue
        if start + visit.duration + travel[visit.location][places[at + 1]] > latest[at]:
            continue
        yield at


def route_bounds(
    problem: Problem, worker: Worker, visits: list[Visit], calls: list[Call]
) -> tuple[list[int], list[int]]:
    """Ignoring lunch: the earliest the worker is free after each stop (index 0: before the
    first), and the latest start of each stop that keeps the later ones and the return
    (the last entry: the shift end). No schedule of the route does better than either."""
    travel = problem.travel_time[worker.travel_mode]
    free, place = worker.shift_start, worker.start_location
    frees = [free]
    for call in calls:
        visit = visits[call.visit]
        free = max(_window(visit, call)[0], free + travel[place][visit.location]) + visit.duration
        place = visit.location
        frees.append(free)
    latest = [worker.shift_end] * (len(calls) + 1)
    place = worker.end_location
    for n in range(len(calls) - 1, -1, -1):
        visit = visits[calls[n].visit]
        leave_by = latest[n + 1] - travel[visit.location][place]
        latest[n] = min(_window(visit, calls[n])[1], leave_by - visit.duration)
        place = visit.location
    return frees, latest


def _window(visit: Visit, call: Call) -> tuple[int, int]:
    """The earliest and latest service start of a call (window, pinned or fixed start)."""
    low, high = visit.window_start, visit.window_end
    if visit.pinned_start is not None:
        low = high = visit.pinned_start
    if call.fixed_start is not None:
        low, high = max(low, call.fixed_start), min(high, call.fixed_start)
    return low, high


def insert_one(
    problem: Problem,
    visits: list[Visit],
    routes: list[list[Call]],
    i: int,
    allowed: list[int],
    bounds: Bounds | None = None,
) -> None:
    found = _candidates(problem, visits, routes, i, allowed, want=1, bounds=bounds)
    if found:
        _, k, at = found[0]
        routes[k].insert(at, Call(i))
        if bounds is not None:
            bounds.changed(k)


def insert_pair(
    problem: Problem,
    visits: list[Visit],
    routes: list[list[Call]],
    i: int,
    allowed: list[int],
    widest: int | None = 12,
    bounds: Bounds | None = None,
) -> tuple[int, int, int] | None:
    """Two copies on two workers, both starting at the later of their earliest starts;
    among the `widest` cheapest single places (every one with None). The two detours'
    walk and the two workers, or None when no pair fits."""
    found = _candidates(problem, visits, routes, i, allowed, want=widest, bounds=bounds)
    best: tuple[int, int, int, int, int, int] | None = None
    for a, (cost_a, ka, at_a) in enumerate(found):
        for cost_b, kb, at_b in found[a + 1 :]:
            if ka == kb or (best is not None and cost_a + cost_b >= best[0]):
                continue
            start = _common_start(problem, visits, routes, i, (ka, at_a), (kb, at_b))
            if start is not None:
                best = (cost_a + cost_b, ka, at_a, kb, at_b, start)
    if best is None:
        return None
    cost, ka, at_a, kb, at_b, start = best
    routes[ka].insert(at_a, Call(i, start))
    routes[kb].insert(at_b, Call(i, start))
    if bounds is not None:
        bounds.changed(ka)
        bounds.changed(kb)
    return cost, ka, kb


def _common_start(
    problem: Problem,
    visits: list[Visit],
    routes: list[list[Call]],
    i: int,
    *places: tuple[int, int],
) -> int | None:
    """A start time both workers can keep, if the later earliest start suits both."""
    earliest = []
    for k, at in places:
        starts = schedule(
            problem, problem.workers[k], visits, [*routes[k][:at], Call(i), *routes[k][at:]]
        )
        if starts is None:
            return None
        earliest.append(starts[at])
    start = max(earliest)
    for k, at in places:
        trial = [*routes[k][:at], Call(i, start), *routes[k][at:]]
        if schedule(problem, problem.workers[k], visits, trial) is None:
            return None
    return start
