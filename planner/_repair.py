"""Before a plan is returned: every left-out visit tried in every position of every route
that may take it, with the exact schedule check (`_construct.schedule`: lunch at a place,
windows, shift, working time, load, skills; a two-worker visit on two routes at one start),
and inserted where it fits at the least extra walking, the most important visits first.

The search may end with a visit left out that has room somewhere (its moves are small, or
its time ran out); a supervisor must never read "has a free slot" of a slot that exists.
"""

from __future__ import annotations

import time

from planner import _construct
from planner._precheck import eligible_workers
from planner.problem import Problem, Visit


def repair(
    problem: Problem,
    visits: list[Visit],
    stops: list[list[tuple[int, int]]],
    deadline: float,
    only: set[int] | None = None,
) -> list[list[tuple[int, int]]]:
    """`stops` (per worker: visit index, service start) with every left-out visit that fits
    inserted (those in `only`, when given); the routes that change are timed again by the
    exact schedule."""
    planned = {i for route in stops for i, _ in route}
    left_out = [i for i in range(len(visits)) if i not in planned and (only is None or i in only)]
    if not left_out:
        return stops
    routes = _construct.calls_of(visits, stops)
    index_of = {w.id: k for k, w in enumerate(problem.workers)}
    left_out.sort(key=lambda i: (-visits[i].priority, -visits[i].workers_needed, i))
    changed: set[int] = set()
    bounds = _construct.Bounds(problem, visits, routes)  # most routes stay as they are
    for i in left_out:
        if time.monotonic() >= deadline:
            break
        allowed = [index_of[w.id] for w in eligible_workers(visits[i], problem.workers)]
        sizes = [len(routes[k]) for k in allowed]
        if visits[i].workers_needed == 1:
            _construct.insert_one(problem, visits, routes, i, allowed, bounds)
        else:
            _construct.insert_pair(problem, visits, routes, i, allowed, None, bounds)
        changed |= {k for k, n in zip(allowed, sizes, strict=True) if len(routes[k]) != n}
    result = [list(route) for route in stops]
    for k in changed:
        starts = _construct.schedule(problem, problem.workers[k], visits, routes[k])
        if starts is None:  # every insertion was checked by this very schedule
            raise AssertionError(f"route of {problem.workers[k].id} breaks a rule after repair")
        result[k] = [(c.visit, s) for c, s in zip(routes[k], starts, strict=True)]
    return result
