"""One search on the routing model, and the portfolio of search strategies.

A search returns a `Solution`: plain lists (visit index and service start per stop, lunch
placement per worker), small and picklable, so a search in another process can hand it back.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.util.optional_boolean_pb2 import BOOL_FALSE

from planner import _construct, _model
from planner.problem import Problem, Progress, SolveParams, Visit

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


# The calling thread runs the first; the others run in extra processes (params.workers).
# Measured (bench/README.md): local cheapest insertion gives the best start on home-care
# days, parallel cheapest insertion on Solomon's tight windows; guided local search beats
# OR-Tools' ruin-and-recreate ILS and tabu search on both within 10 s.
PORTFOLIO: tuple[Strategy, ...] = (
    Strategy("lci-gls", FirstSolution.LOCAL_CHEAPEST_INSERTION, Metaheuristic.GUIDED_LOCAL_SEARCH),
    Strategy(
        "pci-gls", FirstSolution.PARALLEL_CHEAPEST_INSERTION, Metaheuristic.GUIDED_LOCAL_SEARCH
    ),
    Strategy("savings-gls", FirstSolution.SAVINGS, Metaheuristic.GUIDED_LOCAL_SEARCH),
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
    seen = [0, None]  # solutions, best cost

    def at_solution() -> None:
        seen[0] += 1
        cost = routing.CostVar().Value()
        if seen[1] is None or cost < seen[1]:
            seen[1] = cost
            if on_progress is not None:
                spent = time.monotonic() - began
                total = max(deadline - began, 1e-6)
                on_progress(Progress(percent=min(100.0, 100 * spent / total), best_cost=cost))

    routing.AddAtSolutionCallback(at_solution)
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
        built = _constructed_start(model)
        if first is None or (built is not None and built.ObjectiveValue() < first.ObjectiveValue()):
            first = built
    assignment = first
    seconds = deadline - time.monotonic() - 0.2 - 0.001 * len(visits)
    if first is not None and not strategy.first_only and seconds > 0:
        assignment = routing.SolveFromAssignmentWithParameters(
            first, search_parameters(strategy, seconds, breaks)
        )
        assignment = assignment or first
    if assignment is None:
        return None
    return read(model, assignment, strategy.name, seen[0])


def _nothing_planned(model: _model.RoutingModel, assignment: object) -> bool:
    routing = model.routing
    return bool(model.visits) and all(
        routing.IsEnd(assignment.Value(routing.NextVar(routing.Start(v))))
        for v in range(len(model.problem.workers))
    )


def _constructed_start(model: _model.RoutingModel) -> object | None:
    """`_construct`'s routes as an assignment; routes the model refuses are left empty."""
    built = _construct.build(model.problem, model.visits)
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


def read(model: _model.RoutingModel, assignment: object, name: str, seen: int) -> Solution:
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
