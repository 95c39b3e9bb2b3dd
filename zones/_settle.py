"""Settle the clients on zone borders exactly with CP-SAT: balance, compactness, few moves.

The transport step gives a near-balanced, compact assignment but rounds split clients and
knows workloads only per minute. Here each border client (one whose next-nearest allowed
zone is not much farther than its own) chooses among its few candidate zones; everyone else
stays put. The objective, in metres × minutes:
  - every client's workload times its distance to the zone centre (compactness),
  - a fixed price per client moved away from its current zone (stability),
  - a steep price per minute of a zone's workload outside the balance band.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

BALANCE_COST_M = 100_000  # a minute outside the band costs like 100 km of distance
MAX_CANDIDATES = 3


@dataclass(frozen=True, slots=True)
class SettleInput:
    dist: np.ndarray  # (clients, zones) metres to zone centres
    load: np.ndarray  # (clients,) weekly minutes, service + travel
    zone_of: np.ndarray  # (clients,) zone index to start from
    allowed: np.ndarray  # (clients, zones) skills and locks
    current: np.ndarray  # (clients,) current zone index or -1
    targets: np.ndarray  # (zones,) weekly minutes each zone should carry
    band: float  # relative half-width of the balance band
    move_price: float  # metres × minutes charged per moved client


def settle(data: SettleInput, time_limit_s: float, workers: int, seed: int) -> np.ndarray:
    """Return a new zone index per client; the start assignment if CP-SAT finds nothing."""
    candidates = _candidates(data)
    free = [i for i, zs in enumerate(candidates) if len(zs) > 1]
    if not free or time_limit_s <= 0:
        return data.zone_of
    model = cp_model.CpModel()
    k = data.dist.shape[1]
    units = np.maximum(np.rint(data.load), 0).astype(np.int64)
    zone_terms: list[list[tuple[cp_model.IntVar, int]]] = [[] for _ in range(k)]
    objective: list[tuple[cp_model.IntVar, int]] = []
    choice: dict[tuple[int, int], cp_model.IntVar] = {}
    for i in free:
        options = []
        for z in candidates[i]:
            x = model.new_bool_var(f"c{i}z{z}")
            choice[i, z] = x
            options.append(x)
            zone_terms[z].append((x, int(units[i])))
            objective.append((x, _price(data, i, z, units)))
            model.add_hint(x, z == data.zone_of[i])
        model.add_exactly_one(options)
    fixed = np.zeros(k, dtype=np.int64)
    free_mask = np.zeros(len(units), dtype=bool)
    free_mask[free] = True
    np.add.at(fixed, data.zone_of[~free_mask], units[~free_mask])
    penalties = _balance_band(model, data, zone_terms, fixed, int(units.sum()))
    model.minimize(sum(cost * x for x, cost in objective) + BALANCE_COST_M * sum(penalties))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return data.zone_of
    zone_of = data.zone_of.copy()
    for (i, z), x in choice.items():
        if solver.boolean_value(x):
            zone_of[i] = z
    return zone_of


def _price(data: SettleInput, i: int, z: int, units: np.ndarray) -> int:
    price = units[i] * data.dist[i, z]
    if data.current[i] >= 0 and z != data.current[i]:
        price += data.move_price
    return round(price)


def _balance_band(
    model: cp_model.CpModel,
    data: SettleInput,
    zone_terms: list[list[tuple[cp_model.IntVar, int]]],
    fixed: np.ndarray,
    total: int,
) -> list[cp_model.IntVar]:
    """Soft band around each zone's target: returns the minutes-outside variables."""
    penalties = []
    for z, terms in enumerate(zone_terms):
        load = int(fixed[z]) + sum(w * x for x, w in terms)
        over = model.new_int_var(0, total, f"over{z}")
        under = model.new_int_var(0, total, f"under{z}")
        model.add(load - over <= int(np.floor(data.targets[z] * (1 + data.band))))
        model.add(load + under >= int(np.ceil(data.targets[z] * (1 - data.band))))
        penalties += [over, under]
    return penalties


def _candidates(data: SettleInput) -> list[list[int]]:
    """Each client's zones to choose from: its own, its current, and near allowed ones."""
    n = len(data.zone_of)
    own = data.dist[np.arange(n), data.zone_of]
    reach = 0.5 * float(np.median(own))  # half a zone's radius
    cost = np.where(data.allowed, data.dist, np.inf)
    nearest = np.argsort(cost, axis=1)[:, :MAX_CANDIDATES]
    result = []
    for i in range(n):
        zones = {int(data.zone_of[i])}
        if data.current[i] >= 0 and data.allowed[i, data.current[i]]:
            zones.add(int(data.current[i]))
        for z in nearest[i]:
            if len(zones) >= MAX_CANDIDATES:
                break
            if cost[i, z] <= own[i] + reach:
                zones.add(int(z))
        result.append(sorted(zones))
    return result
