"""Balanced, compact, stable zones: clients + workers -> `Assignment`.

The solve, step by step:
1. check the input (`ZoneInputError` names the client or zone at fault);
2. estimate each client's weekly workload: service minutes + visits × travel to the nearest
   other client (straight line at first, later within the client's own zone);
3. alternate a capacity-aware assignment of clients to zone centres (min-cost flow, each
   zone taking its worker's share of the office's minutes) with moving each centre to the
   workload-weighted middle of its clients, until nothing changes (capacitated k-median);
   clients already in a zone get a stay bonus, so a re-run starts where the office is;
4. settle the border clients exactly with CP-SAT: balance band, distance to centres, and a
   price per moved client; locked clients and skills are hard rules;
5. re-measure travel inside the final zones with the travel model and settle again if any
   zone left the tolerance.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from core.geo import to_plane
from zones._checks import check_office
from zones._geometry import (
    nearest_neighbour_seconds,
    nearest_other_m,
    spanning_tree_m,
    straight_line_travel,
)
from zones._polish import PolishInput, polish
from zones._settle import SettleInput, settle
from zones._transport import assign, distances
from zones.problem import (
    Assignment,
    BalanceParams,
    Client,
    TravelMatrix,
    Zone,
    ZoneFigures,
    ZoneInputError,
)

SETTLE_ROUNDS = 3
SETTLE_SECONDS = 4.0  # per round: the start is already near-balanced
FLOW_SLACK = 0.25  # the flow keeps each zone within 25 % of the tolerance; rounding adds more
BAND_MARGIN = 0.6  # aim inside 60 % of the tolerance: travel is re-measured afterwards


def solve(
    clients: Sequence[Client],
    zones: Sequence[Zone],
    params: BalanceParams | None = None,
    travel: TravelMatrix | None = None,
) -> Assignment:
    """Assign every client to exactly one zone: balanced, compact, stable, skill-aware."""
    started = time.perf_counter()
    params = params or BalanceParams()
    check_office(clients, zones)
    travel = travel or straight_line_travel(params.detour, params.walk_speed_kmh)
    office = _Office(clients, zones)
    deadline = started + params.time_limit_s
    transport_deadline = started + 0.5 * params.time_limit_s

    load = office.service + office.visits * _straight_nn_minutes(office.xy, params)
    centres = _initial_centres(office, load, params.seed)
    zone_of = np.full(len(clients), -1)
    for _ in range(params.max_rounds):
        targets = load.sum() * office.shares
        bounds = (
            targets * (1 - FLOW_SLACK * params.tolerance),
            targets * (1 + FLOW_SLACK * params.tolerance),
        )
        dist = distances(office.xy, centres)
        new_zone_of = assign(dist, load, bounds, office.allowed, office.current, params.move_cost_m)
        centres = _centres(office.xy, load, new_zone_of, centres)
        changed = int((new_zone_of != zone_of).sum())
        zone_of = new_zone_of
        if changed <= len(clients) // 500 or time.perf_counter() > transport_deadline:
            break

    dist = distances(office.xy, centres)
    for round_ in range(SETTLE_ROUNDS):
        remaining = (deadline - time.perf_counter()) / (SETTLE_ROUNDS - round_)
        data = SettleInput(
            dist=dist,
            load=load,
            zone_of=zone_of,
            allowed=office.allowed,
            current=office.current,
            targets=load.sum() * office.shares,
            band=params.tolerance * BAND_MARGIN,
            move_price=params.move_cost_m * float(np.mean(load)),
        )
        zone_of = settle(
            data, min(max(remaining, 0.5), SETTLE_SECONDS), params.workers, params.seed + round_
        )
        zone_of = polish(
            _polish_input(office, load, data.targets, data.band, params), zone_of, deadline
        )
        load = office.service + office.visits * _zone_nn_minutes(office, zone_of, travel)
        if _within(load, zone_of, office.shares, params.tolerance):
            break
    return _assignment(office, zone_of, load, params, time.perf_counter() - started)


def rebalance(
    previous: Mapping[str, str] | Assignment,
    clients: Sequence[Client],
    zones: Sequence[Zone],
    params: BalanceParams | None = None,
    travel: TravelMatrix | None = None,
) -> Assignment:
    """Re-zone after clients or workers came or went, moving as few clients as possible.

    `previous` maps client id to zone id (an `Assignment` will do). Clients of a zone that
    no longer exists are free to go anywhere; new clients have no previous zone.
    """
    zone_of = previous.zone_of if isinstance(previous, Assignment) else previous
    known = {z.id for z in zones}
    updated = [
        replace(c, current_zone=zone_of[c.id] if zone_of.get(c.id) in known else None)
        for c in clients
    ]
    return solve(updated, zones, params, travel)


def what_if(
    assignment: Assignment,
    moves: Mapping[str, str],
    clients: Sequence[Client],
    zones: Sequence[Zone],
    params: BalanceParams | None = None,
    travel: TravelMatrix | None = None,
) -> tuple[ZoneFigures, ...]:
    """Figures per zone if the given clients moved (client id -> zone id); nothing is saved."""
    params = params or BalanceParams()
    check_office(clients, zones)
    by_client = {c.id: c for c in clients}
    by_zone = {z.id: z for z in zones}
    for client_id, zone_id in moves.items():
        _check_move(by_client.get(client_id), client_id, by_zone.get(zone_id), zone_id)
    zone_of = {**assignment.zone_of, **moves}
    return figures(clients, zones, zone_of, params, travel)


def figures(
    clients: Sequence[Client],
    zones: Sequence[Zone],
    zone_of: Mapping[str, str],
    params: BalanceParams | None = None,
    travel: TravelMatrix | None = None,
) -> tuple[ZoneFigures, ...]:
    """Clients, weekly minutes, share of hours and travel of each zone for an assignment."""
    params = params or BalanceParams()
    travel = travel or straight_line_travel(params.detour, params.walk_speed_kmh)
    office = _Office(clients, zones)
    index = {z.id: j for j, z in enumerate(zones)}
    missing = [c.id for c in clients if zone_of.get(c.id) not in index]
    if missing:
        raise ZoneInputError(f"client {missing[0]!r} has no zone in the assignment")
    zone_idx = np.array([index[zone_of[c.id]] for c in clients])
    load = office.service + office.visits * _zone_nn_minutes(office, zone_idx, travel)
    return _figures(office, zone_idx, load, params)


class _Office:
    """The clients and zones as arrays, in input order."""

    def __init__(self, clients: Sequence[Client], zones: Sequence[Zone]) -> None:
        self.clients = list(clients)
        self.zones = list(zones)
        index = {z.id: j for j, z in enumerate(zones)}
        self.lonlat = np.array([(c.lon, c.lat) for c in clients], dtype=float)
        self.xy = to_plane(self.lonlat[:, 0], self.lonlat[:, 1])
        self.service = np.array([c.weekly_minutes for c in clients], dtype=float)
        self.visits = np.array([c.weekly_visits for c in clients], dtype=float)
        hours = np.array([z.weekly_hours for z in zones], dtype=float)
        self.shares = hours / hours.sum()
        self.allowed = np.array([[c.skills <= z.skills for z in zones] for c in clients])
        self.locked = np.array([index.get(c.locked_zone or "", -1) for c in clients])
        for i in np.flatnonzero(self.locked >= 0):
            self.allowed[i] = False
            self.allowed[i, self.locked[i]] = True
        self.current = np.array([index.get(c.current_zone or "", -1) for c in clients])


def _polish_input(
    office: _Office, load: np.ndarray, targets: np.ndarray, band: float, params: BalanceParams
) -> PolishInput:
    return PolishInput(
        xy=office.xy,
        load=load,
        allowed=office.allowed,
        current=office.current,
        lower=targets * (1 - band),
        upper=targets * (1 + band),
        move_cost_m=params.move_cost_m,
        detour=params.detour,
    )


def _straight_nn_minutes(xy: np.ndarray, params: BalanceParams) -> np.ndarray:
    metres = nearest_other_m(xy) * params.detour
    return metres / (params.walk_speed_kmh / 3.6) / 60.0


def _zone_nn_minutes(office: _Office, zone_of: np.ndarray, travel: TravelMatrix) -> np.ndarray:
    """Minutes from each client to its nearest neighbour in the same zone, by the travel model."""
    minutes = np.zeros(len(zone_of))
    for z in np.unique(zone_of):
        members = np.flatnonzero(zone_of == z)
        points = [(float(lon), float(lat)) for lon, lat in office.lonlat[members]]
        minutes[members] = nearest_neighbour_seconds(points, travel) / 60.0
    return minutes


def _initial_centres(office: _Office, load: np.ndarray, seed: int) -> np.ndarray:
    """Zones with current or locked clients start at their middle; the rest by k-means++."""
    k = len(office.zones)
    centres = np.full((k, 2), np.nan)
    anchor = np.where(office.locked >= 0, office.locked, office.current)
    for z in range(k):
        members = anchor == z
        if members.any():
            centres[z] = np.average(office.xy[members], axis=0, weights=load[members] + 1e-9)
    rng = np.random.default_rng(seed)
    for empty in np.flatnonzero(np.isnan(centres[:, 0])):
        placed = centres[~np.isnan(centres[:, 0])]
        if len(placed) == 0:
            weights = load + 1e-9
        else:
            weights = (distances(office.xy, placed).min(axis=1) ** 2) * (load + 1e-9)
            if not weights.sum() > 0:  # every client sits on a placed centre: any will do
                weights = load + 1e-9
        centres[empty] = office.xy[rng.choice(len(load), p=weights / weights.sum())]
    return centres


def _centres(xy: np.ndarray, load: np.ndarray, zone_of: np.ndarray, old: np.ndarray) -> np.ndarray:
    """Workload-weighted middle of each zone's clients; an empty zone keeps its centre."""
    k = len(old)
    weight = np.bincount(zone_of, weights=load + 1e-9, minlength=k)
    sx = np.bincount(zone_of, weights=xy[:, 0] * (load + 1e-9), minlength=k)
    sy = np.bincount(zone_of, weights=xy[:, 1] * (load + 1e-9), minlength=k)
    centres = old.copy()
    filled = weight > 0
    centres[filled] = np.column_stack([sx[filled], sy[filled]]) / weight[filled, None]
    return centres


def _within(load: np.ndarray, zone_of: np.ndarray, shares: np.ndarray, tolerance: float) -> bool:
    per_zone = np.bincount(zone_of, weights=load, minlength=len(shares))
    targets = load.sum() * shares
    return bool(np.all(np.abs(per_zone - targets) <= tolerance * targets + 1e-6))


def _figures(
    office: _Office, zone_of: np.ndarray, load: np.ndarray, params: BalanceParams
) -> tuple[ZoneFigures, ...]:
    total = float(load.sum())
    result = []
    for z, zone in enumerate(office.zones):
        members = zone_of == z
        service = float(office.service[members].sum())
        workload = float(load[members].sum())
        result.append(
            ZoneFigures(
                zone_id=zone.id,
                clients=int(members.sum()),
                service_minutes=round(service, 1),
                travel_minutes=round(workload - service, 1),
                workload_minutes=round(workload, 1),
                target_minutes=round(total * float(office.shares[z]), 1),
                hours_share=float(office.shares[z]),
                spread_km=round(spanning_tree_m(office.lonlat[members], params.detour) / 1000, 3),
            )
        )
    return tuple(result)


def _assignment(
    office: _Office, zone_of: np.ndarray, load: np.ndarray, params: BalanceParams, seconds: float
) -> Assignment:
    ids = [z.id for z in office.zones]
    moved = tuple(
        c.id
        for c, z, cur in zip(office.clients, zone_of, office.current, strict=True)
        if cur >= 0 and z != cur
    )
    new = tuple(c.id for c, cur in zip(office.clients, office.current, strict=True) if cur < 0)
    return Assignment(
        zone_of={c.id: ids[z] for c, z in zip(office.clients, zone_of, strict=True)},
        figures=_figures(office, zone_of, load, params),
        moved=moved,
        new=new,
        within_tolerance=_within(load, zone_of, office.shares, params.tolerance),
        solve_seconds=round(seconds, 3),
    )


def _check_move(client: Client | None, client_id: str, zone: Zone | None, zone_id: str) -> None:
    if client is None:
        raise ZoneInputError(f"cannot move unknown client {client_id!r}")
    if zone is None:
        raise ZoneInputError(f"cannot move client {client_id!r} to unknown zone {zone_id!r}")
    if client.locked_zone is not None and client.locked_zone != zone_id:
        raise ZoneInputError(f"client {client_id!r} is locked to zone {client.locked_zone!r}")
    if not client.skills <= zone.skills:
        raise ZoneInputError(
            f"client {client_id!r} needs skill {sorted(client.skills - zone.skills)[0]!r} "
            f"that zone {zone_id!r} lacks"
        )
