"""How much each part solver saves on parts of a day the planner has already improved.

Run: .venv/bin/python -m bench.parts [--sizes 30x250,60x600] [--seed 1] [--seconds 0.3]
                                     [--solvers gls,ruin,pyvrp] [--routes 5]

The planner improves a day part by part (planner._decompose): a route and its nearest
routes are re-solved for a fraction of a second. This bench plans a generated day without
lunch for 10 s, then cuts it into one part per busy route (that route and its `--routes`-1
nearest, as the planner draws them) and hands every part, from the same plan, to:
- `gls`: OR-Tools' guided local search from the part's routes (the planner's other path);
- `ruin`: ruin and recreate (planner._ruin), from the part's routes;
- `pyvrp`: PyVRP from scratch (benchmark-only dependency), the same workers and visits.
Prints per solver the parts it improved and the walking it saved, summed over the parts.
Parts overlap, so the sum says how much is left to find, not what a whole run would gain.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import time

import numpy as np

from bench.homecare import DROP_PENALTY
from bench.homecare_gen import generate
from planner import _decompose, _ruin, _search
from planner._model import build
from planner.problem import Problem, SolveParams, TravelMode
from planner.solver import solve

PARAMS = SolveParams(
    time_limit_s=10, fairness_weight=0, continuity_cost_s=0, drop_penalty_s=DROP_PENALTY
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="30x250,60x600", help="workers x visits, ...")
    parser.add_argument("--seed", type=int, default=1, help="generator seed")
    parser.add_argument("--seconds", type=float, default=0.3, help="per part and solver")
    parser.add_argument("--solvers", default="gls,ruin,pyvrp")
    parser.add_argument("--routes", type=int, default=5, help="routes per part")
    args = parser.parse_args()
    print(f"{'day':<8}{'solver':<8}{'parts improved':>16}{'saved, min':>12}{'wall s':>8}")
    for size in args.sizes.split(","):
        workers, visits = (int(x) for x in size.split("x"))
        problem = generate(workers, visits, args.seed, lunch=False)
        routes = _converged(problem)
        parts = _parts(problem, routes, args.routes)
        for name in args.solvers.split(","):
            began = time.monotonic()
            saved = [_saving(name, problem, part, args.seconds) for part in parts]
            improved = sum(1 for s in saved if s > 0)
            print(
                f"{size:<8}{name:<8}{f'{improved} of {len(parts)}':>16}"
                f"{sum(saved) / 60:>12.1f}{time.monotonic() - began:>8.1f}",
                flush=True,
            )


def _converged(problem: Problem) -> list[list[int]]:
    """The planner's routes after 10 s, as visit indexes per worker."""
    plan = solve(problem, PARAMS)
    index = {v.id: i for i, v in enumerate(problem.visits)}
    return [[index[s.visit_id] for s in route.stops] for route in plan.routes]


def _parts(problem: Problem, routes: list[list[int]], size: int) -> list[list[list[int]]]:
    """For every busy route, that route and its nearest ones (the planner's nearness)."""
    stops = [[(i, 0) for i in route] for route in routes]
    distance = _decompose._distance_matrix(problem)
    busy = [k for k, route in enumerate(routes) if route]
    places = {k: _decompose._places(problem, list(problem.visits), stops, k) for k in busy}
    parts = []
    for seed in busy:
        near = sorted(
            busy,
            key=lambda k: int(distance[np.ix_(places[seed], places[k])].min(axis=1).mean()),
        )
        parts.append([routes[k] for k in near[:size]])
    return parts


def _walking(problem: Problem, routes: list[list[int]]) -> int:
    matrix = np.asarray(problem.travel_time[TravelMode.WALK])
    total = 0
    for route in routes:
        path = [0, *(problem.visits[i].location for i in route), 0]
        total += int(matrix[path[:-1], path[1:]].sum())
    return total


def _saving(name: str, problem: Problem, part: list[list[int]], seconds: float) -> int:
    """Walking seconds the solver saves on the part (0 if it finds nothing better)."""
    members = [i for route in part for i in route]
    visits = [problem.visits[i] for i in members]
    local = [[members.index(i) for i in route] for route in part]
    sub = dataclasses.replace(problem, workers=problem.workers[: len(part)])
    before = _walking(problem, part)
    if name == "ruin":
        found = _ruin.improve(sub, visits, PARAMS, local, seconds, random.Random(1))
        after = _walking(problem, [[members[n] for n in route] for route in found])
    elif name == "gls":
        model = build(sub, visits, PARAMS)
        start = model.routing.ReadAssignmentFromRoutes(
            _search.routing_indexes(model, [[(n, 0) for n in route] for route in local]), True
        )
        found = model.routing.SolveFromAssignmentWithParameters(
            start, _search.search_parameters(_search.PART_STRATEGY, seconds)
        )
        after = before - (start.ObjectiveValue() - found.ObjectiveValue())
    else:
        after = _pyvrp(problem, members, len(part), seconds)
    return max(before - after, 0)


def _pyvrp(problem: Problem, members: list[int], routes: int, seconds: float) -> int:
    import pyvrp as pv
    from pyvrp.stop import MaxRuntime

    matrix = np.asarray(problem.travel_time[TravelMode.WALK])
    places = [0, *(problem.visits[i].location for i in members)]
    sub = matrix[np.ix_(places, places)]
    worker = problem.workers[0]
    shift = {"tw_early": worker.shift_start, "tw_late": worker.shift_end}
    clients = [
        pv.Client(
            location=n + 1,
            service_duration=problem.visits[i].duration,
            tw_early=problem.visits[i].window_start,
            tw_late=problem.visits[i].window_end,
        )
        for n, i in enumerate(members)
    ]
    data = pv.ProblemData(
        [pv.Location(x=n, y=0) for n in range(len(places))],
        clients,
        [pv.Depot(location=0)],
        [pv.VehicleType(num_available=routes, **shift)],
        [sub],
        [sub],
    )
    best = pv.solve(data, stop=MaxRuntime(seconds), seed=1, display=False).best
    return best.distance() if best.is_feasible() else 10**12


if __name__ == "__main__":
    main()
