"""Distances on the Earth, written once: every package measures with these.

Points are WGS84 degrees. `distance_m` is the great-circle (haversine) distance between two
points, `distances_m` the same for every pair of two arrays of points, and `to_plane` /
`offset` work on a local plane, which within a city (tens of km) errs far below a percent.
Pure: no I/O.
"""

from __future__ import annotations

import math

import numpy as np

EARTH_RADIUS_M = 6_371_008.8  # the mean radius (IUGG)
METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180  # along a meridian: about 111,195 m


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle metres between two points given as (lon, lat) degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def distances_m(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Great-circle metres between every row of `a` and every row of `b`, each row (lon, lat)."""
    lon1, lat1 = np.radians(a[:, 0])[:, None], np.radians(a[:, 1])[:, None]
    lon2, lat2 = np.radians(b[:, 0])[None, :], np.radians(b[:, 1])[None, :]
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def to_plane(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Metres on a plane tangent at the points' middle (equirectangular), as (x, y) rows."""
    lat0 = np.radians(float(np.mean(lat)))
    x = np.radians(lon - np.mean(lon)) * EARTH_RADIUS_M * np.cos(lat0)
    y = np.radians(lat - np.mean(lat)) * EARTH_RADIUS_M
    return np.column_stack([x, y])


def offset(lon: float, lat: float, east_m: float, north_m: float) -> tuple[float, float]:
    """The point `east_m` east and `north_m` north of (lon, lat), on the local plane."""
    dlat = north_m / METRES_PER_DEGREE
    dlon = east_m / (METRES_PER_DEGREE * math.cos(math.radians(lat)))
    return lon + dlon, lat + dlat
