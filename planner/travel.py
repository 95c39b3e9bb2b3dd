"""Travel-time providers: points + travel mode -> (seconds, metres) matrices for the solver.

Three implementations of one `TravelTimeProvider` protocol:

- `StraightLineProvider` (default, needs nothing): great-circle distance x a detour factor at a
  per-mode speed, plus fixed boarding/parking time. Walk 4.5 km/h x1.3; car 25 km/h x1.4 + 3 min
  parking on every leg; public transport 12 km/h x1.4 + 5 min boarding on legs longer than
  800 m (straight line), while shorter legs are walked, since nobody boards a bus for a few
  hundred metres.
- `OsrmLocalProvider`: real street distances from an OpenStreetMap extract through OSRM running
  in-process (`osrm-bindings`), `foot` data for walking and `car` data for driving.
- `OsrmHttpProvider`: the table service of a running OSRM server, in chunks.

OSRM has no public-transport profile, so for both OSRM providers transit is derived from the
walking table (`TransitFromFoot`): a leg longer than 800 m on foot takes
min(walk, walk / 2.4 + 5 min boarding), i.e. ~12 km/h against OSRM's 5 km/h walking speed; shorter
legs are walked. Points that OSRM snaps more than `max_snap_m` from a street, and pairs it finds
no route between, fall back to the straight-line estimate; the walk from a point to its snapped
street position is added to every leg.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx
import numpy as np

from core import geo
from planner.osrm import build_osrm, open_osrm
from planner.problem import Location, TravelMode

log = logging.getLogger(__name__)

Matrices = tuple[list[list[int]], list[list[int]]]  # (seconds, metres)


class TravelTimeProvider(Protocol):
    def matrix(self, points: Sequence[Location], mode: TravelMode) -> Matrices:
        """Seconds and metres from every point to every point (row = from, column = to)."""
        ...


# --- straight line ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ModeSpeed:
    speed_kmh: float
    detour: float  # street distance / straight-line distance
    fixed_s: int = 0  # boarding or parking, added to legs longer than fixed_from_m
    fixed_from_m: float = 0.0


@dataclass(frozen=True, slots=True)
class StraightLineParams:
    walk: ModeSpeed = ModeSpeed(speed_kmh=4.5, detour=1.3)
    transit: ModeSpeed = ModeSpeed(speed_kmh=12.0, detour=1.4, fixed_s=300, fixed_from_m=800.0)
    car: ModeSpeed = ModeSpeed(speed_kmh=25.0, detour=1.4, fixed_s=180)
    transit_walk_up_to_m: float = 800.0  # shorter transit legs are walked

    def for_mode(self, mode: TravelMode) -> ModeSpeed:
        return {TravelMode.WALK: self.walk, TravelMode.TRANSIT: self.transit}.get(mode, self.car)


def haversine_m(points: Sequence[Location]) -> np.ndarray:
    """Great-circle distances in metres, n x n, vectorised."""
    lonlat = np.array([(p.lon, p.lat) for p in points], dtype=float).reshape(-1, 2)
    return geo.distances_m(lonlat, lonlat)


@dataclass(frozen=True, slots=True)
class StraightLineProvider:
    params: StraightLineParams = field(default_factory=StraightLineParams)

    def matrix(self, points: Sequence[Location], mode: TravelMode) -> Matrices:
        seconds, metres = self.arrays(haversine_m(points), mode)
        return _to_lists(seconds), _to_lists(metres)

    def arrays(self, crow_m: np.ndarray, mode: TravelMode) -> tuple[np.ndarray, np.ndarray]:
        """Seconds and metres as float arrays from straight-line metres."""
        seconds, metres = _leg(crow_m, self.params.for_mode(mode))
        if mode is TravelMode.TRANSIT:
            walk_s, walk_m = _leg(crow_m, self.params.walk)
            walked = crow_m <= self.params.transit_walk_up_to_m
            walked |= walk_s <= seconds  # long legs too, when walking is quicker
            seconds = np.where(walked, walk_s, seconds)
            metres = np.where(walked, walk_m, metres)
        return seconds, metres


def _leg(crow_m: np.ndarray, speed: ModeSpeed) -> tuple[np.ndarray, np.ndarray]:
    metres = crow_m * speed.detour
    seconds = metres / (speed.speed_kmh / 3.6)
    fixed = (crow_m > speed.fixed_from_m) & (crow_m > 0)
    return seconds + np.where(fixed, speed.fixed_s, 0), metres


def _to_lists(values: np.ndarray) -> list[list[int]]:
    return np.rint(values).astype(np.int64).tolist()


# --- OSRM (shared) -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TransitFromFoot:
    """Public transport estimated from the walking table (OSRM has no transit profile)."""

    speedup: float = 2.4  # ~12 km/h door to door against OSRM foot's 5 km/h
    boarding_s: int = 300
    walk_up_to_m: float = 800.0  # street metres; shorter legs are walked


@dataclass(frozen=True, slots=True)
class OsrmTable:
    """One OSRM table answer as arrays: NaN where OSRM found no route."""

    seconds: np.ndarray
    metres: np.ndarray
    snap_m: np.ndarray  # how far each point lies from the street OSRM snapped it to


def table_from_json(table: Mapping[str, Any], n_sources: int, n_destinations: int) -> OsrmTable:
    """Parse an OSRM table response (the HTTP JSON or the bindings' object alike)."""
    if "durations" not in table or "distances" not in table:
        raise ValueError("OSRM table response lacks durations or distances")
    seconds = _nan_array(table["durations"], n_sources, n_destinations)
    metres = _nan_array(table["distances"], n_sources, n_destinations)
    snaps = [float(w["distance"]) for w in table["sources"]]
    snaps += [float(w["distance"]) for w in table["destinations"]]
    return OsrmTable(seconds, metres, np.array(snaps, dtype=float))


def _nan_array(rows: Any, n: int, m: int) -> np.ndarray:
    values = np.array(
        [[np.nan if x is None else float(x) for x in row] for row in rows], dtype=float
    )
    if values.shape != (n, m):
        raise ValueError(f"OSRM table is {values.shape}, expected ({n}, {m})")
    return values


@dataclass(slots=True)
class _OsrmMatrices:
    """Turns raw OSRM walking/driving tables into the solver's matrices for a mode."""

    transit: TransitFromFoot
    fallback: StraightLineProvider
    max_snap_m: float

    def finish(
        self, points: Sequence[Location], mode: TravelMode, table: OsrmTable, snap: np.ndarray
    ) -> Matrices:
        walk_mps = self.fallback.params.walk.speed_kmh / 3.6
        access_m = snap[:, None] + snap[None, :]
        seconds = table.seconds + access_m / walk_mps
        metres = table.metres + access_m
        if mode is TravelMode.TRANSIT:
            ride = seconds / self.transit.speedup + self.transit.boarding_s
            long_leg = metres > self.transit.walk_up_to_m
            seconds = np.where(long_leg, np.minimum(seconds, ride), seconds)
        off_map = snap > self.max_snap_m
        missing = np.isnan(seconds) | np.isnan(metres) | off_map[:, None] | off_map[None, :]
        if missing.any():
            log.warning(
                "OSRM: %d of %d legs estimated by straight line (%d points off the map)",
                int(missing.sum()),
                missing.size,
                int(off_map.sum()),
            )
            line_s, line_m = self.fallback.arrays(haversine_m(points), mode)
            seconds = np.where(missing, line_s, seconds)
            metres = np.where(missing, line_m, metres)
        np.fill_diagonal(seconds, 0)
        np.fill_diagonal(metres, 0)
        return _to_lists(seconds), _to_lists(metres)


def _profile_for(mode: TravelMode) -> str:
    return "car" if mode is TravelMode.CAR else "foot"


# --- OSRM in-process -----------------------------------------------------------------------


class OsrmLocalProvider:
    """Street travel times from an OSM extract, OSRM running in this process."""

    def __init__(
        self,
        pbf_path: str | Path,
        cache_dir: str | Path | None = None,
        transit: TransitFromFoot = TransitFromFoot(),
        fallback: StraightLineProvider = StraightLineProvider(),
        max_snap_m: float = 500.0,
    ) -> None:
        self.pbf_path = Path(pbf_path)
        self.cache_dir = cache_dir
        self._finish = _OsrmMatrices(transit, fallback, max_snap_m)
        self._engines: dict[str, Any] = {}

    def engine(self, profile: str) -> Any:
        """The OSRM engine for a profile, building the data on first use."""
        if profile not in self._engines:
            base = build_osrm(self.pbf_path, profile, self.cache_dir)
            self._engines[profile] = open_osrm(base)
        return self._engines[profile]

    def matrix(self, points: Sequence[Location], mode: TravelMode) -> Matrices:
        import osrm

        n = len(points)
        if n == 0:
            return [], []
        params = osrm.TableParameters(
            coordinates=[(p.lon, p.lat) for p in points],
            annotations=["duration", "distance"],
        )
        answer = self.engine(_profile_for(mode)).Table(params)
        # With no sources/destinations given, OSRM lists every point as both.
        table = table_from_json(answer, n, n)
        return self._finish.finish(points, mode, table, table.snap_m[:n])


# --- OSRM over HTTP -------------------------------------------------------------------------


class OsrmHttpProvider:
    """A running OSRM server's table service, asked in blocks of `chunk` x `chunk` points.

    `url` is one server for every mode, or a server per mode (osrm-routed serves one profile per
    process and ignores the profile in the path). Transit uses the walking server.
    """

    def __init__(
        self,
        url: str | Mapping[TravelMode, str],
        chunk: int = 50,
        timeout_s: float = 60.0,
        client: httpx.Client | None = None,
        transit: TransitFromFoot = TransitFromFoot(),
        fallback: StraightLineProvider = StraightLineProvider(),
        max_snap_m: float = 500.0,
    ) -> None:
        if chunk < 1:
            raise ValueError("chunk must be at least 1")
        self.urls = url if isinstance(url, Mapping) else dict.fromkeys(TravelMode, url)
        self.chunk = chunk
        self.client = client or httpx.Client(timeout=timeout_s)
        self._finish = _OsrmMatrices(transit, fallback, max_snap_m)

    def matrix(self, points: Sequence[Location], mode: TravelMode) -> Matrices:
        n = len(points)
        if n == 0:
            return [], []
        server_mode = TravelMode.WALK if mode is TravelMode.TRANSIT else mode
        base = self.urls.get(server_mode) or self.urls[mode]
        seconds = np.full((n, n), np.nan)
        metres = np.full((n, n), np.nan)
        snap = np.zeros(n)
        blocks = [range(i, min(i + self.chunk, n)) for i in range(0, n, self.chunk)]
        for rows in blocks:
            for cols in blocks:
                part = self._table(base, _profile_for(mode), points, rows, cols)
                seconds[rows.start : rows.stop, cols.start : cols.stop] = part.seconds
                metres[rows.start : rows.stop, cols.start : cols.stop] = part.metres
                snap[rows.start : rows.stop] = part.snap_m[: len(rows)]
        table = OsrmTable(seconds, metres, snap)
        return self._finish.finish(points, mode, table, snap)

    def _table(
        self,
        base: str,
        profile: str,
        points: Sequence[Location],
        rows: range,
        cols: range,
    ) -> OsrmTable:
        chosen = [points[i] for i in rows] + [points[j] for j in cols]
        coords = ";".join(f"{p.lon:.6f},{p.lat:.6f}" for p in chosen)
        query = {
            "sources": ";".join(str(i) for i in range(len(rows))),
            "destinations": ";".join(str(len(rows) + j) for j in range(len(cols))),
            "annotations": "duration,distance",
        }
        url = f"{base.rstrip('/')}/table/v1/{profile}/{coords}"
        response = self.client.get(url, params=query)
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or body.get("code") != "Ok":
            message = body.get("message") or response.text[:200]
            raise RuntimeError(f"OSRM table at {base} failed ({response.status_code}): {message}")
        return table_from_json(body, len(rows), len(cols))
