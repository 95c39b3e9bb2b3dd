"""Shorten zones' spread by moving whole addresses between neighbouring zones.

A zone's spread is the length of the minimum spanning tree over its distinct addresses (the
within-zone travel measure). Centre-based steps keep zones round but ignore how addresses
cluster; here each address a zone holds is offered to the zones owning its nearest other
addresses, and the move is made when the two zones' spread falls by more than the price of
the clients it moves away from their current zone, with both workloads inside the band.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

NEIGHBOURS = 6  # addresses looked at around each address to find neighbouring zones


@dataclass(frozen=True, slots=True)
class PolishInput:
    xy: np.ndarray  # (clients, 2) planar metres
    load: np.ndarray  # (clients,) weekly minutes
    allowed: np.ndarray  # (clients, zones)
    current: np.ndarray  # (clients,) current zone index or -1
    lower: np.ndarray  # (zones,) least workload a zone may carry
    upper: np.ndarray  # (zones,) most workload a zone may carry
    move_cost_m: float  # metres of spread a move away from the current zone must save
    detour: float


def polish(data: PolishInput, zone_of: np.ndarray, deadline: float) -> np.ndarray:
    """Return an assignment whose total spread is no longer, moving whole address groups."""
    zone_of = zone_of.copy()
    address, sites = _addresses(data.xy)
    near = _nearest_addresses(sites)
    k = data.allowed.shape[1]
    loads = np.bincount(zone_of, weights=data.load, minlength=k)
    spread = np.array([_mst(sites, _zone_sites(address, zone_of, z)) for z in range(k)])
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        for site in range(len(sites)):
            here = np.flatnonzero(address == site)
            for zone in np.unique(zone_of[here]):
                group = here[zone_of[here] == zone]
                if _try_move(data, zone_of, loads, spread, address, sites, near, group, zone):
                    improved = True
            if time.perf_counter() >= deadline:
                break
    return zone_of


def _try_move(
    data: PolishInput,
    zone_of: np.ndarray,
    loads: np.ndarray,
    spread: np.ndarray,
    address: np.ndarray,
    sites: np.ndarray,
    near: np.ndarray,
    group: np.ndarray,
    source: int,
) -> bool:
    site = address[group[0]]
    minutes = float(data.load[group].sum())
    if loads[source] - minutes < data.lower[source]:
        return False
    neighbour_clients = np.flatnonzero(np.isin(address, near[site]))
    targets = set(zone_of[neighbour_clients].tolist()) - {source}
    source_sites = _zone_sites(address, zone_of, source)
    shrunk = _mst(sites, source_sites[source_sites != site])
    for target in sorted(targets):
        if loads[target] + minutes > data.upper[target]:
            continue
        if not data.allowed[group, target].all():
            continue
        target_sites = _zone_sites(address, zone_of, target)
        grown = _mst(sites, np.union1d(target_sites, [site]))
        gain = spread[source] + spread[target] - shrunk - grown
        if gain * data.detour <= _move_price(data, group, source, target) + 1e-6:
            continue
        zone_of[group] = target
        loads[source] -= minutes
        loads[target] += minutes
        spread[source], spread[target] = shrunk, grown
        return True
    return False


def _move_price(data: PolishInput, group: np.ndarray, source: int, target: int) -> float:
    leaving = int(np.sum(data.current[group] == source))
    returning = int(np.sum(data.current[group] == target))
    return data.move_cost_m * (leaving - returning) if leaving > returning else 0.0


def _addresses(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Address index of every client and the planar position of every distinct address."""
    sites, address = np.unique(np.round(xy, 1), axis=0, return_inverse=True)
    return address.ravel(), sites


def _nearest_addresses(sites: np.ndarray) -> np.ndarray:
    """For each address, its nearest other addresses (by rows of planar distances)."""
    count = min(NEIGHBOURS, len(sites) - 1)
    if count <= 0:
        return np.zeros((len(sites), 0), dtype=np.int64)
    result = np.empty((len(sites), count), dtype=np.int64)
    for start in range(0, len(sites), 512):  # in blocks: 5,000 addresses squared is large
        block = sites[start : start + 512]
        dist = np.sqrt(((block[:, None, :] - sites[None, :, :]) ** 2).sum(axis=2))
        dist[np.arange(len(block)), np.arange(start, start + len(block))] = np.inf
        result[start : start + len(block)] = np.argsort(dist, axis=1)[:, :count]
    return result


def _zone_sites(address: np.ndarray, zone_of: np.ndarray, zone: int) -> np.ndarray:
    return np.unique(address[zone_of == zone])


def _mst(sites: np.ndarray, members: np.ndarray) -> float:
    """Planar length of the minimum spanning tree over the given addresses (Prim)."""
    n = len(members)
    if n < 2:
        return 0.0
    points = sites[members]
    dist = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
    in_tree = np.zeros(n, dtype=bool)
    in_tree[0] = True
    best = dist[0].copy()
    total = 0.0
    for _ in range(n - 1):
        candidates = np.where(in_tree, np.inf, best)
        nxt = int(np.argmin(candidates))
        total += float(candidates[nxt])
        in_tree[nxt] = True
        best = np.minimum(best, dist[nxt])
    return total
