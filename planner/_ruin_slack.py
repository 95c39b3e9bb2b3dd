"""Exact insertion checks for a ruin-and-recreate search (planner._ruin): earliest and latest
starts along a route, so each position is checked in constant time (the rules of
`_construct.schedule`; for a worker with lunch in two states per stop)."""

from __future__ import annotations

from collections.abc import Iterator

from planner._ruin_day import NEVER, _Day, _detour
from planner.problem import Worker


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
