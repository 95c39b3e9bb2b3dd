"""Build the OR-Tools routing model for a `Problem`.

Nodes: first the distinct start/end locations of the workers (depots), then one node per
visit copy (a visit needing two workers gets two copies that must start together on two
different workers). Every matrix is handed to OR-Tools as a whole (RegisterTransitMatrix),
so the search never calls back into Python for a travel time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from ortools.constraint_solver import pywrapcp

from planner.problem import Problem, SolveParams, TravelMode, Visit, Worker

TIME = "Time"
WORK = "Work"
LOAD = "Load"
CONTINUITY = "Continuity"
PINNED_PENALTY_FACTOR = 1000


@dataclass(slots=True)
class RoutingModel:
    """The OR-Tools objects plus the maps between nodes and the problem's visits."""

    problem: Problem
    visits: list[Visit]  # the visits in the model (pre-check survivors)
    node_location: list[int]  # node -> location index
    node_visit: list[int]  # node -> index into `visits`, -1 for depots
    visit_nodes: list[list[int]]  # visit index -> its node(s)
    depot_of_start: list[int]  # worker -> start node
    depot_of_end: list[int]
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    time: pywrapcp.RoutingDimension
    work: pywrapcp.RoutingDimension
    breaks: dict[int, pywrapcp.IntervalVar] = field(default_factory=dict)  # worker -> lunch
    travel_by_mode: dict[TravelMode, np.ndarray] = field(default_factory=dict)  # node x node
    fair_target: int = 0  # working time above which fairness costs


def build(
    problem: Problem, visits: list[Visit], params: SolveParams, fair_target: int | None = None
) -> RoutingModel:
    """The model of `visits` for `problem.workers`; `fair_target` overrides the working time
    above which fairness costs (a part of a day must price it as the whole day does)."""
    workers = problem.workers
    depots = sorted({w.start_location for w in workers} | {w.end_location for w in workers})
    node_location = list(depots)
    node_visit = [-1] * len(depots)
    visit_nodes: list[list[int]] = []
    for v_index, visit in enumerate(visits):
        nodes = []
        for _ in range(visit.workers_needed):
            nodes.append(len(node_location))
            node_location.append(visit.location)
            node_visit.append(v_index)
        visit_nodes.append(nodes)
    depot_node = {loc: i for i, loc in enumerate(depots)}
    starts = [depot_node[w.start_location] for w in workers]
    ends = [depot_node[w.end_location] for w in workers]
    manager = pywrapcp.RoutingIndexManager(len(node_location), len(workers), starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    model = RoutingModel(
        problem=problem,
        visits=visits,
        node_location=node_location,
        node_visit=node_visit,
        visit_nodes=visit_nodes,
        depot_of_start=starts,
        depot_of_end=ends,
        manager=manager,
        routing=routing,
        time=None,  # set just below
        work=None,
    )
    service = np.array([0 if nv < 0 else visits[nv].duration for nv in node_visit], dtype=np.int64)
    _add_time(model, service, params, fair_target)
    _add_capacity(model)
    _add_continuity(model, params)
    _add_visit_rules(model, params)
    return model


def _index_matrix(model: RoutingModel, node_matrix: np.ndarray) -> list[list[int]]:
    """Node-by-node matrix -> routing-index-by-routing-index lists (end nodes get copies)."""
    manager = model.manager
    order = [manager.IndexToNode(i) for i in range(manager.GetNumberOfIndices())]
    return node_matrix[np.ix_(order, order)].tolist()


def _add_time(
    model: RoutingModel, service: np.ndarray, params: SolveParams, fair_target: int | None
) -> None:
    problem, routing = model.problem, model.routing
    loc = np.array(model.node_location)
    travel_cb: dict[TravelMode, int] = {}
    time_cb: dict[TravelMode, int] = {}
    for mode in sorted({w.travel_mode for w in problem.workers}):
        if mode not in problem.travel_time:
            raise ValueError(f"no travel-time matrix for travel mode {mode!r}")
        full = np.asarray(problem.travel_time[mode], dtype=np.int64)
        travel = full[np.ix_(loc, loc)]
        model.travel_by_mode[mode] = travel
        travel_cb[mode] = routing.RegisterTransitMatrix(_index_matrix(model, travel))
        time_cb[mode] = routing.RegisterTransitMatrix(
            _index_matrix(model, travel + service[:, None])
        )
    per_worker_time = [time_cb[w.travel_mode] for w in problem.workers]
    for v, worker in enumerate(problem.workers):
        routing.SetArcCostEvaluatorOfVehicle(travel_cb[worker.travel_mode], v)
    horizon = max(w.shift_end for w in problem.workers) + 1
    routing.AddDimensionWithVehicleTransits(per_worker_time, horizon, horizon, False, TIME)
    model.time = routing.GetDimensionOrDie(TIME)
    # Working time (travel + on site, no waiting): max working time and fairness.
    max_work = [w.max_working_seconds or horizon for w in problem.workers]
    routing.AddDimensionWithVehicleTransitAndCapacity(per_worker_time, 0, max_work, True, WORK)
    model.work = routing.GetDimensionOrDie(WORK)
    target = fair_target
    if target is None:
        target = _fair_workload(model, service) if params.fairness_weight > 0 else 0
    model.fair_target = target
    for v, worker in enumerate(problem.workers):
        start, end = routing.Start(v), routing.End(v)
        model.time.CumulVar(start).SetRange(worker.shift_start, worker.shift_end)
        model.time.CumulVar(end).SetRange(worker.shift_start, worker.shift_end)
        routing.AddVariableMinimizedByFinalizer(model.time.CumulVar(end))
        routing.AddVariableMaximizedByFinalizer(model.time.CumulVar(start))
        if params.fairness_weight > 0:
            model.work.SetCumulVarSoftUpperBound(end, target, params.fairness_weight)
    _add_breaks(model, service)


def _fair_workload(model: RoutingModel, service: np.ndarray) -> int:
    visit_nodes = [n for n, nv in enumerate(model.node_visit) if nv >= 0]
    places = [model.node_location[n] for n in visit_nodes]
    return fair_workload(model.problem, places, int(service.sum()))


def fair_workload(problem: Problem, places: list[int], service: int) -> int:
    """A working time close to an even share, +10 %: `service` (seconds on site, every
    worker's), nearest-neighbour travel between the visits' `places`, and each worker's way
    from their start to the visits and back. Which visits a worker takes is what the search
    chooses, so that way is the mean over the visits. Without it, on a day whose workers walk
    far to their visits, every route lies above the share and fairness no longer evens them."""
    if not places:
        return 0
    mode = min(w.travel_mode for w in problem.workers)  # the model's first mode
    full = np.asarray(problem.travel_time[mode], dtype=np.int64)
    travel = full[np.ix_(places, places)]
    travel = travel + np.diag(np.full(len(places), np.iinfo(np.int32).max))
    starts = [w.start_location for w in problem.workers]
    ends = [w.end_location for w in problem.workers]
    ways = full[np.ix_(starts, places)].mean(axis=1) + full[np.ix_(places, ends)].mean(axis=0)
    estimate = int(service + travel.min(axis=1).sum() + ways.sum())
    return int(1.1 * estimate / len(problem.workers))


def _add_breaks(model: RoutingModel, service: np.ndarray) -> None:
    solver = model.routing.solver()
    node_service = [
        int(service[model.manager.IndexToNode(i)])
        for i in range(model.manager.GetNumberOfIndices())
    ]
    for v, worker in enumerate(model.problem.workers):
        lunch = worker.lunch
        if lunch is None:
            continue
        interval = solver.FixedDurationIntervalVar(
            lunch.earliest, lunch.latest, lunch.duration, False, f"lunch {worker.id}"
        )
        model.time.SetBreakIntervalsOfVehicle([interval], v, node_service)
        model.breaks[v] = interval


def _add_capacity(model: RoutingModel) -> None:
    problem = model.problem
    if not any(w.capacity is not None for w in problem.workers):
        return
    demand = [0 if nv < 0 else model.visits[nv].demand for nv in model.node_visit]
    if not any(demand):
        return
    manager = model.manager
    cb = model.routing.RegisterUnaryTransitVector(
        [demand[manager.IndexToNode(i)] for i in range(manager.GetNumberOfIndices())]
    )
    capacities = [w.capacity if w.capacity is not None else sum(demand) for w in problem.workers]
    model.routing.AddDimensionWithVehicleCapacity(cb, 0, capacities, True, LOAD)


def _add_continuity(model: RoutingModel, params: SolveParams) -> None:
    """Each visit given to someone other than the client's usual worker costs a fixed amount.

    A counting dimension per worker (1 for every visit whose usual worker is someone else),
    priced by its span: cheap for the search, no per-worker arc matrices.
    """
    # A usual worker who is not on duty favours nobody; counting such a visit for every
    # worker would also make leaving it out infeasible (its counting transit is then 1 on
    # every vehicle, and OR-Tools refuses the plan where it is unperformed).
    on_duty = {w.id for w in model.problem.workers}
    preferred = [
        None
        if nv < 0 or model.visits[nv].preferred_worker not in on_duty
        else model.visits[nv].preferred_worker
        for nv in model.node_visit
    ]
    if params.continuity_cost_s <= 0 or not any(preferred):
        return
    manager, routing = model.manager, model.routing
    callbacks = []
    for worker in model.problem.workers:
        other = [
            int(preferred[manager.IndexToNode(i)] not in (None, worker.id))
            for i in range(manager.GetNumberOfIndices())
        ]
        callbacks.append(routing.RegisterUnaryTransitVector(other))
    n = len(model.node_visit)
    routing.AddDimensionWithVehicleTransits(callbacks, 0, n, True, CONTINUITY)
    routing.GetDimensionOrDie(CONTINUITY).SetSpanCostCoefficientForAllVehicles(
        params.continuity_cost_s
    )


def _allowed_workers(visit: Visit, workers: tuple[Worker, ...]) -> list[int]:
    if visit.pinned_worker is not None:
        return [v for v, w in enumerate(workers) if w.id == visit.pinned_worker]
    return [v for v, w in enumerate(workers) if visit.required_skills <= w.skills]


def _add_visit_rules(model: RoutingModel, params: SolveParams) -> None:
    routing, manager, solver = model.routing, model.manager, model.routing.solver()
    workers = model.problem.workers
    for visit, nodes in zip(model.visits, model.visit_nodes, strict=True):
        indexes = [manager.NodeToIndex(n) for n in nodes]
        allowed = _allowed_workers(visit, workers)
        window = (visit.window_start, visit.window_end)
        if visit.pinned_start is not None:
            window = (visit.pinned_start, visit.pinned_start)
        for index in indexes:
            if len(allowed) < len(workers):
                # -1 keeps "left out" possible; the disjunction decides whether it may be.
                routing.VehicleVar(index).SetValues([-1, *allowed])
            model.time.CumulVar(index).SetRange(*window)
            if visit.preferred_start is not None and params.preferred_window_cost_per_s > 0:
                model.time.SetCumulVarSoftLowerBound(
                    index, visit.preferred_start, params.preferred_window_cost_per_s
                )
            if visit.preferred_end is not None and params.preferred_window_cost_per_s > 0:
                model.time.SetCumulVarSoftUpperBound(
                    index, visit.preferred_end, params.preferred_window_cost_per_s
                )
            if not visit.mandatory:
                penalty = params.drop_penalty_s * max(visit.priority, 1) // len(indexes)
                if visit.pinned_worker is not None:
                    # Left out only if it cannot be kept at all (two pinned at one time):
                    # a hard rule here would leave the search without any first plan.
                    penalty *= PINNED_PENALTY_FACTOR
                routing.AddDisjunction([index], penalty)
        if len(indexes) == 2:
            first, second = indexes
            time = model.time
            solver.Add(time.CumulVar(first) == time.CumulVar(second))
            solver.Add(routing.ActiveVar(first) == routing.ActiveVar(second))
            # Two different workers; when both are left out both vehicle vars are -1.
            solver.Add(
                solver.AllDifferentExcept(
                    [routing.VehicleVar(first), routing.VehicleVar(second)], -1
                )
            )
