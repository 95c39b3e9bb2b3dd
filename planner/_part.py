"""One part of a day: a few neighbouring routes and the visits they may exchange (a two-worker
visit whose partner copy lies outside keeps its worker and start), re-solved on its own."""

from __future__ import annotations

import dataclasses
import random
import time
from dataclasses import dataclass

from planner import _model, _ruin, _search
from planner.problem import Problem, SolveParams, Visit


@dataclass(slots=True)
class Part:
    """A few workers (indexes into problem.workers) and the visits the part may move."""

    workers: list[int]
    visits: list[int]  # indexes into the full visit list
    pinned: dict[int, tuple[str, int]]  # visit -> (worker id, start): partner copy outside


def part_of(
    problem: Problem, stops: list[list[tuple[int, int]]], chosen: list[int], left_out: list[int]
) -> Part:
    """The part of the `chosen` routes (worker indexes), with the `left_out` visits it may place."""
    inside: dict[int, list[tuple[int, int]]] = {}  # visit -> (worker, start) of its copies
    for k in chosen:
        for i, start in stops[k]:
            inside.setdefault(i, []).append((k, start))
    everywhere: dict[int, int] = {}
    for route in stops:
        for i, _ in route:
            everywhere[i] = everywhere.get(i, 0) + 1
    # A two-worker visit whose partner copy is outside the part keeps its worker and start.
    pinned = {
        i: (problem.workers[copies[0][0]].id, copies[0][1])
        for i, copies in inside.items()
        if len(copies) < everywhere[i]
    }
    return Part(chosen, [*inside, *left_out], pinned)


def solve_part(
    problem: Problem,
    visits: list[Visit],
    params: SolveParams,
    fair_target: int,
    part: Part,
    stops: list[list[tuple[int, int]]],
    seconds: float,
    rng: random.Random,
    warmth: tuple[float, float] = (1.0, 0.0),
) -> dict[int, list[tuple[int, int]]] | None:
    """New routes for the part's workers, or None if the part found nothing better.

    A part whose visits each need one worker and whose workers take no lunch is improved
    by ruin and recreate (`planner._ruin`), the others by OR-Tools' guided local search;
    either way the new routes count only once the part's OR-Tools model accepts them and
    prices them lower. `seconds` counts from the call, building the model included.
    """
    began = time.monotonic()
    part_visits = []
    for i in part.visits:
        visit = visits[i]
        if i in part.pinned:
            worker_id, start = part.pinned[i]
            visit = dataclasses.replace(
                visit, workers_needed=1, pinned_worker=worker_id, pinned_start=start
            )
        part_visits.append(visit)
    sub = dataclasses.replace(problem, workers=tuple(problem.workers[k] for k in part.workers))
    model = _model.build(sub, part_visits, params, fair_target)
    local = {i: n for n, i in enumerate(part.visits)}
    routes = _search.routing_indexes(model, [stops[k] for k in part.workers], local)
    start = model.routing.ReadAssignmentFromRoutes(routes, True)
    if start is None:
        return None
    strategy = _search.PART_STRATEGY
    if _ruin.suits(sub, part_visits):
        local_routes = [[local[i] for i, _ in stops[k]] for k in part.workers]
        seconds -= time.monotonic() - began
        routes = _ruin.improve(
            sub, part_visits, params, local_routes, seconds, rng, None, warmth, fair_target
        )
        indexes = _search.routing_indexes(model, [[(n, 0) for n in r] for r in routes])
        found = model.routing.ReadAssignmentFromRoutes(indexes, True)
    else:
        found = model.routing.SolveFromAssignmentWithParameters(
            start, _search.search_parameters(strategy, seconds, bool(model.breaks))
        )
    if found is None or found.ObjectiveValue() >= start.ObjectiveValue():
        return None
    result = _search.read(model, found, strategy.name, 0)
    return {
        k: [(part.visits[n], s) for n, s in route]
        for k, route in zip(part.workers, result.stops, strict=True)
    }
