"""Distances for zoning: a local metric plane, straight-line travel, spanning-tree length."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely

from core.geo import distances_m
from zones.problem import Point, TravelMatrix


def straight_line_travel(detour: float = 1.3, speed_kmh: float = 4.5) -> TravelMatrix:
    """The default travel model: great-circle distance × detour at walking speed, in seconds."""

    def matrix(points: Sequence[Point]) -> np.ndarray:
        coords = np.asarray(points, dtype=float).reshape(-1, 2)
        return distances_m(coords, coords) * detour / (speed_kmh / 3.6)

    return matrix


def nearest_other_m(xy: np.ndarray) -> np.ndarray:
    """Planar metres from each point to the nearest other point (0 if it shares an address)."""
    unique, inverse, counts = np.unique(
        np.round(xy, 1), axis=0, return_inverse=True, return_counts=True
    )
    nearest_unique = np.full(len(unique), np.inf)
    if len(unique) > 1:
        points = shapely.points(unique)
        tree = shapely.STRtree(points)
        (src, _), dist = tree.query_nearest(
            points, exclusive=True, return_distance=True, all_matches=False
        )
        nearest_unique[src] = dist
    nearest_unique[counts > 1] = 0.0  # a neighbour in the same building
    nearest_unique[np.isinf(nearest_unique)] = 0.0  # alone in the office
    return nearest_unique[inverse.ravel()]


def nearest_neighbour_seconds(points: Sequence[Point], travel: TravelMatrix) -> np.ndarray:
    """Seconds from each point to its nearest other point in the group (0 if alone)."""
    if len(points) < 2:
        return np.zeros(len(points))
    seconds = np.array(travel(points), dtype=float)
    np.fill_diagonal(seconds, np.inf)
    return seconds.min(axis=1)


def spanning_tree_m(lonlat: np.ndarray, detour: float = 1.3) -> float:
    """Length of the minimum spanning tree joining the distinct addresses, street metres.

    The shortest network that reaches every client of a zone once: the measure of a zone's
    spread that does not depend on which days visits fall on.
    """
    unique = np.unique(np.round(lonlat, 7), axis=0)
    n = len(unique)
    if n < 2:
        return 0.0
    dist = distances_m(unique, unique)
    in_tree = np.zeros(n, dtype=bool)
    in_tree[0] = True
    best = dist[0].copy()
    total = 0.0
    for _ in range(n - 1):  # Prim's algorithm, O(n²) on a dense matrix
        candidates = np.where(in_tree, np.inf, best)
        nxt = int(np.argmin(candidates))
        total += float(candidates[nxt])
        in_tree[nxt] = True
        best = np.minimum(best, dist[nxt])
    return total * detour
