"""One search on the routing model, and the portfolio of search strategies.

A search returns a `Solution`: plain lists (visit index and service start per stop, lunch
placement per worker), small and picklable, so a search in another process can hand it back.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.util.optional_boolean_pb2 import BOOL_FALSE

from planner import _construct, _model
from planner.problem import Problem, Progress, SolveParams, Visit, Worker

FirstSolution = routing_enums_pb2.FirstSolutionStrategy
Metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic


@dataclass(frozen=True, slots=True)
class Strategy:
    name: str
    first_solution: int
    metaheuristic: int  # GUIDED_LOCAL_SEARCH, or GREEDY_DESCENT with ruin-and-recreate (ILS)
    iterated: bool = False
    gls_lambda: float = 0.1
    neighbors_ratio: float = 1.0  # local search looks at this share of nearest visits
    bandit: bool = False  # multi-armed bandit choice among operators
    light: bool = False  # skip the slow insertion-based LNS operators
    temperature: float = 0.0  # ILS annealing start temperature; 0 = OR-Tools chooses
    first_only: bool = False  # stop at the first solution (the heuristic's plan)
    # Idle workers alike in every rule (shift, start and end, skills, lunch, limits) kept in
    # the search after the first plan, per kind; None keeps everyone. See `_narrowed`.
    spare_workers: int | None = None


# The calling thread runs the first; the others run in extra processes (params.workers).
# Measured (bench/README.md): local cheapest insertion gives the best start on home-care
# days, parallel cheapest insertion on Solomon's tight windows; guided local search beats
# OR-Tools' ruin-and-recreate ILS and tabu search on both within 10 s.
PORTFOLIO: tuple[Strategy, ...] = (
    Strategy(
        "lci-gls",
        FirstSolution.LOCAL_CHEAPEST_INSERTION,
        Metaheuristic.GUIDED_LOCAL_SEARCH,
        spare_workers=2,
    ),
    Strategy(
        "pci-gls",
        FirstSolution.PARALLEL_CHEAPEST_INSERTION,
        Metaheuristic.GUIDED_LOCAL_SEARCH,
        spare_workers=2,
    ),
    Strategy(
        "savings-gls", FirstSolution.SAVINGS, Metaheuristic.GUIDED_LOCAL_SEARCH, spare_workers=2
    ),
)


# Re-solving a small part of a day from its current routes (planner._decompose).
PART_STRATEGY = Strategy(
    "part-gls", FirstSolution.LOCAL_CHEAPEST_INSERTION, Metaheuristic.GUIDED_LOCAL_SEARCH
)


FIRST_SHARE = 0.3  # of the time limit at most for the heuristic's first plan


@dataclass(slots=True)
class Solution:
    strategy: str
    cost: int
    # per worker: (visit index in the model's visit list, service start) in route order
    stops: list[list[tuple[int, int]]]
    lunch_start: list[int | None]  # per worker
    solutions_seen: int = 0


def search_parameters(strategy: Strategy, seconds: float, breaks: bool = False) -> object:
    """OR-Tools' parameters; `breaks`: the model has lunch breaks (see below)."""
    search = pywrapcp.DefaultRoutingSearchParameters()
    # With break intervals OR-Tools' filters let through moves that its propagation then
    # refuses: full propagation evaluated 4x more neighbours per second on a 250-visit day
    # with lunches (1.0 M against 0.24 M in 3.4 s); whole-day search 4 s: 6.5 % cheaper.
    search.use_full_propagation = breaks
    search.first_solution_strategy = strategy.first_solution
    search.local_search_metaheuristic = strategy.metaheuristic
    search.time_limit.FromMilliseconds(max(int(seconds * 1000), 10))
    search.guided_local_search_lambda_coefficient = strategy.gls_lambda
    search.ls_operator_neighbors_ratio = strategy.neighbors_ratio
    search.ls_operator_min_neighbors = 10
    search.use_multi_armed_bandit_concatenate_operators = strategy.bandit
    if strategy.first_only:
        search.solution_limit = 1
    operators = search.local_search_operators
    # Expensive, rarely useful here (no pickup-and-delivery, no visit types).
    false = BOOL_FALSE
    operators.use_relocate_pair = false
    operators.use_light_relocate_pair = false
    operators.use_exchange_pair = false
    operators.use_global_cheapest_insertion_visit_types_lns = false
    operators.use_local_cheapest_insertion_visit_types_lns = false
    if strategy.light:
        operators.use_global_cheapest_insertion_path_lns = false
        operators.use_local_cheapest_insertion_path_lns = false
        operators.use_relocate_path_global_cheapest_insertion_insert_unperformed = false
        operators.use_shortest_path_swap_active = false
        operators.use_shortest_path_two_opt = false
        operators.use_swap_active_chain = false
        operators.use_make_chain_inactive = false
    if strategy.iterated:
        search.use_iterated_local_search = True
        ils = search.iterated_local_search_parameters
        ruin = ils.ruin_recreate_parameters.ruin_strategies.add()
        ruin.sisr.max_removed_sequence_size = 10
        ruin.sisr.avg_num_removed_visits = 10
        ruin.sisr.bypass_factor = 0.01
        ils.ruin_recreate_parameters.recreate_strategy.heuristic = (
            FirstSolution.LOCAL_CHEAPEST_INSERTION
        )
        ils.improve_perturbed_solution = True
        annealing = ils.reference_solution_acceptance_strategy.simulated_annealing
        if strategy.temperature > 0:
            annealing.initial_temperature = strategy.temperature
            annealing.final_temperature = strategy.temperature / 1000
        else:
            annealing.automatic_temperatures = True
    return search


def run(
    problem: Problem,
    visits: list[Visit],
    params: SolveParams,
    strategy: Strategy,
    deadline: float,
    on_progress: Callable[[Progress], None] | None = None,
) -> Solution | None:
    """Build the model and search until `deadline` (time.monotonic()); None if nothing found."""
    began = time.monotonic()
    model = _model.build(problem, visits, params)
    routing = model.routing
    seen = [0]  # solutions found, over both models
    watch = _watcher(began, deadline, seen, on_progress)
    routing.AddAtSolutionCallback(lambda: watch(routing.CostVar().Value()))
    # Keep a little time to read the solution back and hand it over.
    seconds = deadline - time.monotonic() - 0.2 - 0.001 * len(visits)
    # The heuristic's first plan alone, with a share of the time: on days it cannot build
    # (rules its filters do not see: two-worker visits, pinned visits, lunch breaks on a
    # full day) it may search until the limit and then fall back on leaving every visit
    # out. Then the search starts from a plan built by exact checks (planner._construct).
    first_only = dataclasses.replace(strategy, first_only=True)
    breaks = bool(model.breaks)
    first = routing.SolveWithParameters(
        search_parameters(first_only, FIRST_SHARE * seconds, breaks)
    )
    if first is None or _nothing_planned(model, first):
        built = _constructed_start(model, deadline)
        if first is None or (built is not None and built.ObjectiveValue() < first.ObjectiveValue()):
            first = built
    if first is None:
        return None
    start = read(model, first, strategy.name, seen[0])
    seconds = deadline - time.monotonic() - 0.2 - 0.001 * len(visits)
    if strategy.first_only or seconds <= 0:
        return start
    kept = _kept_workers(problem, visits, start, strategy.spare_workers)
    if len(kept) < len(problem.workers):
        narrowed = _narrowed(model, params, start, kept, strategy, seconds, watch)
        if narrowed is None:
            return start
        narrowed.solutions_seen = seen[0]
        return narrowed
    assignment = routing.SolveFromAssignmentWithParameters(
        first, search_parameters(strategy, seconds, breaks)
    )
    return read(model, assignment or first, strategy.name, seen[0])


def _kept_workers(
    problem: Problem, visits: list[Visit], start: Solution, spare: int | None
) -> list[int]:
    """Workers the search keeps: the busy ones and up to `spare` idle ones of each kind.

    Idle workers alike in every rule are interchangeable, and each one in the model costs
    the search time (every move is also tried towards each empty route): on Solomon's
    instances (25 vehicles, 3-18 used) keeping two idle ones per kind took the mean gap on
    eight hard instances from 6.4 % to 2.8 % (bench/README.md). A worker someone asked for
    by name (usual or pinned worker) is never left out. Nobody is left out while the first
    plan leaves a visit out: placing those may take every idle worker.
    """
    planned = {i for route in start.stops for i, _ in route}
    if spare is None or len(planned) < len(visits):
        return list(range(len(problem.workers)))
    named = {v.preferred_worker for v in visits} | {v.pinned_worker for v in visits}
    kept: list[int] = []
    idle_of_kind: dict[Worker, int] = {}
    for k, worker in enumerate(problem.workers):
        if start.stops[k] or worker.id in named:
            kept.append(k)
            continue
        kind = dataclasses.replace(worker, id="", name="")
        if idle_of_kind.get(kind, 0) < spare:
            idle_of_kind[kind] = idle_of_kind.get(kind, 0) + 1
            kept.append(k)
    return kept


def polish(
    model: _model.RoutingModel,
    params: SolveParams,
    start: Solution,
    strategy: Strategy,
    seconds: float,
) -> Solution | None:
    """`strategy`'s local search from `start` for `seconds`, with idle workers narrowed as
    in `run`; None if it finds nothing as cheap."""
    kept = _kept_workers(model.problem, model.visits, start, strategy.spare_workers)
    return _narrowed(model, params, start, kept, strategy, seconds, lambda cost: None)


def _narrowed(
    model: _model.RoutingModel,
    params: SolveParams,
    start: Solution,
    kept: list[int],
    strategy: Strategy,
    seconds: float,
    watch: Callable[[int], None],
) -> Solution | None:
    """Search a model of the `kept` workers only, from `start`; the result for everyone."""
    began = time.monotonic()
    problem = model.problem
    sub = dataclasses.replace(problem, workers=tuple(problem.workers[k] for k in kept))
    small = _model.build(sub, model.visits, params, model.fair_target)
    small.routing.AddAtSolutionCallback(lambda: watch(small.routing.CostVar().Value()))
    routes = routing_indexes(small, [start.stops[k] for k in kept])
    first = small.routing.ReadAssignmentFromRoutes(routes, True)
    if first is None:
        return None
    seconds -= time.monotonic() - began
    found = small.routing.SolveFromAssignmentWithParameters(
        first, search_parameters(strategy, seconds, bool(small.breaks))
    )
    result = read(small, found or first, strategy.name, start.solutions_seen)
    if result.cost > start.cost:
        return None
    stops: list[list[tuple[int, int]]] = [[] for _ in problem.workers]
    lunch: list[int | None] = [None] * len(problem.workers)
    for n, k in enumerate(kept):
        stops[k], lunch[k] = result.stops[n], result.lunch_start[n]
    return Solution(strategy.name, result.cost, stops, lunch)


def routing_indexes(
    model: _model.RoutingModel,
    stops: list[list[tuple[int, int]]],
    local: dict[int, int] | None = None,
) -> list[list[int]]:
    """Routes of (visit, start) pairs as the model's routing indexes, one list per vehicle.

    `local` maps the visits' indexes to the model's own when the model holds a subset of
    them; the copies of a two-worker visit are handed out in the order the routes meet them.
    """
    used = [0] * len(model.visits)
    routes = []
    for route in stops:
        indexes = []
        for i, _ in route:
            n = i if local is None else local[i]
            indexes.append(model.manager.NodeToIndex(model.visit_nodes[n][used[n]]))
            used[n] += 1
        routes.append(indexes)
    return routes


def _watcher(
    began: float,
    deadline: float,
    seen: list[int],
    on_progress: Callable[[Progress], None] | None,
) -> Callable[[int], None]:
    """Counts solutions and reports each new best cost with the share of time spent."""
    best: list[int] = []

    def watch(cost: int) -> None:
        seen[0] += 1
        if best and cost >= best[0]:
            return
        best[:] = [cost]
        if on_progress is not None:
            spent = time.monotonic() - began
            total = max(deadline - began, 1e-6)
            on_progress(Progress(percent=min(100.0, 100 * spent / total), best_cost=cost))

    return watch


def _nothing_planned(model: _model.RoutingModel, assignment: Any) -> bool:
    routing = model.routing
    return bool(model.visits) and all(
        routing.IsEnd(assignment.Value(routing.NextVar(routing.Start(v))))
        for v in range(len(model.problem.workers))
    )


def _constructed_start(model: _model.RoutingModel, deadline: float = float("inf")) -> Any:
    """`_construct`'s routes as an assignment; routes the model refuses are left empty."""
    built = _construct.build(model.problem, model.visits, deadline)
    manager, routing = model.manager, model.routing
    used = [0] * len(model.visits)
    routes: list[list[int]] = []
    for calls in built:
        route = []
        for call in calls:
            node = model.visit_nodes[call.visit][used[call.visit]]
            used[call.visit] += 1
            route.append(manager.NodeToIndex(node))
        routes.append(route)
    start = routing.ReadAssignmentFromRoutes(routes, True)
    if start is not None:
        return start
    # Keep the routes the model accepts one by one (a refused route is a model difference).
    kept: list[list[int]] = [[] for _ in routes]
    for k, route in enumerate(routes):
        trial = [*kept[:k], route, *kept[k + 1 :]]
        if routing.ReadAssignmentFromRoutes(trial, True) is not None:
            kept = trial
    return routing.ReadAssignmentFromRoutes(kept, True)


def read(model: _model.RoutingModel, assignment: Any, name: str, seen: int) -> Solution:
    routing, manager = model.routing, model.manager
    stops: list[list[tuple[int, int]]] = []
    lunch: list[int | None] = []
    for v in range(len(model.problem.workers)):
        route = []
        index = routing.NextVar(routing.Start(v))
        index = assignment.Value(index)
        while not routing.IsEnd(index):
            visit = model.node_visit[manager.IndexToNode(index)]
            route.append((visit, assignment.Value(model.time.CumulVar(index))))
            index = assignment.Value(routing.NextVar(index))
        stops.append(route)
        interval = model.breaks.get(v)
        lunch.append(None if interval is None else assignment.StartValue(interval))
    return Solution(name, assignment.ObjectiveValue(), stops, lunch, seen)
