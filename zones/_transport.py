"""Capacity-aware assignment of clients to zone centres as a min-cost flow (OR-Tools).

Each client sends its weekly workload (in minutes) to zones; each zone accepts up to its
share of the office's workload. The cost of a minute is the client's distance to the zone's
centre, plus a stay bonus for the client's current zone. The flow may split a client across
zones; in an optimal basic flow only a handful are split, and each goes to the zone that took
most of its minutes (the CP-SAT step then settles them exactly).
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

OVERFLOW_COST_M = 100_000  # a minute over a zone's capacity costs like 100 km of distance
SHORTFALL_COST_M = 100_000  # and so does a minute a zone lacks below its lower bound


def distances(xy: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Planar metres from every client (row) to every zone centre (column)."""
    return np.sqrt(((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2))


def assign(
    dist: np.ndarray,
    load: np.ndarray,
    bounds: tuple[np.ndarray, np.ndarray],
    allowed: np.ndarray,
    current: np.ndarray,
    stay_bonus_m: float,
    nearest: int = 8,
) -> np.ndarray:
    """Zone index for every client: the transport solution rounded to its largest part."""
    n, k = dist.shape
    # a client's arcs go to its few nearest allowed zones and its current one: a flow never
    # sends a client far when nearer zones have room, and few arcs keep the solve fast
    cost = np.where(allowed, dist, np.inf)
    has_current = current >= 0
    cost[has_current, current[has_current]] -= stay_bonus_m
    order = np.argsort(cost, axis=1)[:, : min(nearest, k)]
    tails = np.repeat(np.arange(n), order.shape[1])
    heads = order.ravel()
    keep = np.isfinite(cost[tails, heads])
    if has_current.any():
        extra = np.flatnonzero(has_current & allowed[np.arange(n), np.maximum(current, 0)])
        tails = np.concatenate([tails[keep], extra])
        heads = np.concatenate([heads[keep], current[extra]])
        pairs = np.unique(np.column_stack([tails, heads]), axis=0)
        tails, heads = pairs[:, 0], pairs[:, 1]
    else:
        tails, heads = tails[keep], heads[keep]
    arc_cost = cost[tails, heads] + stay_bonus_m  # shift so every cost is non-negative
    zone_of = _solve_flow(tails, heads, arc_cost, load, bounds, n, k)
    if zone_of is None and nearest < k:  # too few arcs to fill some zone: offer them all
        return assign(dist, load, bounds, allowed, current, stay_bonus_m, nearest=k)
    if zone_of is None:
        raise RuntimeError("zone transport flow has no solution")
    return zone_of


def _solve_flow(
    tails: np.ndarray,
    heads: np.ndarray,
    arc_cost: np.ndarray,
    load: np.ndarray,
    bounds: tuple[np.ndarray, np.ndarray],
    n: int,
    k: int,
) -> np.ndarray | None:
    # nodes: clients 0..n-1, zones n..n+k-1, sink n+k. Every unit passes from its zone to the
    # sink over one of three arcs: up to the lower bound (cheapest), up to the upper bound, or
    # beyond it (steep). Bounds are soft on both sides, so skills or locks that crowd clients
    # into a few zones make some zone short or full, never the flow infeasible. Shifting all
    # three costs by the same amount changes nothing: every unit crosses exactly one of them.
    flow = min_cost_flow.SimpleMinCostFlow()
    units = np.maximum(np.rint(load), 1).astype(np.int64)
    sink = n + k
    zone_nodes = np.arange(n, n + k, dtype=np.int64)
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int64),
        (heads + n).astype(np.int64),
        units[tails],
        np.rint(arc_cost).astype(np.int64),
    )
    lower = np.floor(bounds[0]).astype(np.int64)
    upper = np.maximum(np.ceil(bounds[1]).astype(np.int64), lower)
    total = int(units.sum())
    to_sink = np.full(k, sink)
    for capacity, cost in (
        (lower, 0),
        (upper - lower, SHORTFALL_COST_M),
        (np.full(k, total), SHORTFALL_COST_M + OVERFLOW_COST_M),
    ):
        flow.add_arcs_with_capacity_and_unit_cost(
            zone_nodes, to_sink, capacity, np.full(k, cost, dtype=np.int64)
        )
    supplies = np.concatenate([units, np.zeros(k, dtype=np.int64), [-total]])
    flow.set_nodes_supplies(np.arange(n + k + 1), supplies)
    if flow.solve() != flow.OPTIMAL:
        return None
    sent = flow.flows(arcs)
    # for each client, the zone that took the largest part of its minutes
    order = np.lexsort((-sent, tails))
    first = np.ones(len(order), dtype=bool)
    first[1:] = tails[order][1:] != tails[order][:-1]
    zone_of = np.empty(n, dtype=np.int64)
    zone_of[tails[order][first]] = heads[order][first]
    return zone_of
