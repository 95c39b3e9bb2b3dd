"""Two-worker visits on days searched by ruin and recreate, which moves a visit for one
worker only. Each copy of a team's visit becomes a visit of its own, pinned to its worker
and start (`flatten`), so the search plans the other visits around it; between epochs each
team's visit is taken out of its two routes and put back, by the exact schedule check,
where its two detours walk least (`move`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from planner import _construct
from planner._construct import NEVER, Call
from planner._precheck import eligible_workers
from planner.problem import Problem, Visit

Stops = list[list[tuple[int, int]]]  # per worker: (visit index, service start)


def suits(visits: list[Visit]) -> bool:
    """Whether ruin and recreate plans the day: its visits need one or two workers."""
    return all(v.workers_needed <= 2 for v in visits)


@dataclass(frozen=True, slots=True)
class Flat:
    visits: list[Visit]  # the day's visits, each team copy pinned, then the second copies
    origin: list[int]  # flat index -> the day's visit index
    routes: list[list[int]]  # flat indexes per worker


def flatten(problem: Problem, visits: list[Visit], stops: Stops, workers: list[int]) -> Flat:
    """The day with each copy, on the routes of `workers`, of a team's visit as a visit of
    its own pinned to its worker and start (a team's visit left out stays out: the
    search places visits for one worker)."""
    flat = list(visits)
    origin = list(range(len(visits)))
    routes = [[i for i, _ in route] for route in stops]
    seen: set[int] = set()
    for k in workers:
        for n, (i, start) in enumerate(stops[k]):
            if visits[i].workers_needed == 1:
                continue
            at = i
            if i in seen:
                at = len(flat)
                flat.append(visits[i])
                origin.append(i)
                routes[k][n] = at
            seen.add(i)
            flat[at] = dataclasses.replace(
                visits[i], workers_needed=1, pinned_worker=problem.workers[k].id, pinned_start=start
            )
    return Flat(flat, origin, routes)


def unflatten(flat: Flat, stops: Stops) -> Stops:
    return [[(flat.origin[n], start) for n, start in route] for route in stops]


def place(problem: Problem, visits: list[Visit]) -> Stops:
    """Routes holding the team visits alone, each put where its two copies walk least."""
    routes: list[list[Call]] = [[] for _ in problem.workers]
    index_of = {w.id: k for k, w in enumerate(problem.workers)}
    teams = [i for i, v in enumerate(visits) if v.workers_needed > 1]
    for i in sorted(teams, key=lambda i: visits[i].window_end - visits[i].window_start):
        allowed = [index_of[w.id] for w in eligible_workers(visits[i], problem.workers)]
        _construct.insert_pair(problem, visits, routes, i, allowed)
    return _timed(problem, visits, routes, set(range(len(routes))), [[] for _ in routes])


def move(problem: Problem, visits: list[Visit], stops: Stops) -> Stops:
    """Each team's visit taken out of its two routes and put back where its two detours
    walk least, when that is less than where it was; a team's visit left out is put in
    where it fits (the search places visits for one worker only)."""
    teams = [i for i, v in enumerate(visits) if v.workers_needed > 1]
    if not teams:
        return stops
    routes = _construct.calls_of(visits, stops)
    index_of = {w.id: k for k, w in enumerate(problem.workers)}
    changed: set[int] = set()
    for i in teams:
        held = [k for k, route in enumerate(routes) if any(c.visit == i for c in route)]
        before = {k: list(routes[k]) for k in held}
        saved = 0 if held else NEVER
        for k in held:
            at = next(n for n, c in enumerate(routes[k]) if c.visit == i)
            saved += _construct.detour(problem, problem.workers[k], visits, routes[k], at)
            del routes[k][at]
        allowed = [index_of[w.id] for w in eligible_workers(visits[i], problem.workers)]
        placed = _construct.insert_pair(problem, visits, routes, i, allowed)
        if (
            placed is not None
            and placed[0] < saved
            and all(
                _construct.schedule(problem, problem.workers[k], visits, routes[k]) is not None
                for k in held
            )
        ):
            changed |= {*held, placed[1], placed[2]}
            continue
        if placed is not None:  # no better: back where it was
            for k in placed[1:]:
                routes[k] = [c for c in routes[k] if c.visit != i]
        for k, route in before.items():
            routes[k] = route
    return _timed(problem, visits, routes, changed, stops)


def _timed(
    problem: Problem, visits: list[Visit], routes: list[list[Call]], changed: set[int], stops: Stops
) -> Stops:
    result = [list(route) for route in stops]
    for k in changed:
        starts = _construct.schedule(problem, problem.workers[k], visits, routes[k])
        if starts is None:  # every change was checked by this very schedule
            raise AssertionError(f"route of {problem.workers[k].id} breaks a rule")
        result[k] = [(c.visit, int(s)) for c, s in zip(routes[k], starts, strict=True)]
    return result
