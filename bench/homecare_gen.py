"""Realistic home-care days for benchmarks and tests.

Clients live in apartment blocks (a few clients per block, blocks clustered in
neighbourhoods); workers walk (4.5 km/h, straight line x 1.3 detour) from the office, work
08:00-17:00 with a 45-min lunch starting 12:30-14:00; visits last 20-90 min, about 30 % with
a hard two-hour window. Deterministic for a seed.

`mode` gives every worker another way of travelling: public transport (a leg takes 6 min to
reach a stop and wait, then 18 km/h over the same detour, or the walk where that is
quicker) or a car (4 min to park, then 25 km/h); the office's area grows with the speed, so
a worker still covers a day's visits. `skills`: every third worker is medical, 10 % of the
visits need it; `continuity`: 60 % of the clients have a usual worker.

Run: .venv/bin/python -m bench.homecare_gen --workers 30 --visits 250 --json day.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
from pathlib import Path

import numpy as np

from core import geo
from planner.problem import Break, Location, Problem, TravelMode, Visit, Worker

WALK_M_PER_S = 4.5 / 3.6
DETOUR = 1.3
CENTRE = Location(37.62, 55.75)  # any city works; the metric is metres
DURATIONS_MIN = (20, 30, 45, 60, 90)
# Riding: seconds to reach the stop (or park) and wait, then metres per second on the way.
RIDE = {TravelMode.TRANSIT: (360, 18 / 3.6), TravelMode.CAR: (240, 25 / 3.6)}
AREA_SCALE = {TravelMode.WALK: 1.0, TravelMode.TRANSIT: 2.0, TravelMode.CAR: 3.0}
DURATION_WEIGHTS = (0.3, 0.3, 0.2, 0.12, 0.08)


def generate(
    workers: int,
    visits: int,
    seed: int = 1,
    lunch: bool = True,
    windows_share: float = 0.3,
    skills: bool = False,
    continuity: bool = False,
    mode: TravelMode = TravelMode.WALK,
) -> Problem:
    rng = np.random.default_rng(seed)
    # An area whose size grows with the office: about 30 clients per km² on foot, fewer when
    # the workers ride.
    side_m = math.sqrt(visits / 30) * 1000 * AREA_SCALE[mode]
    neighbourhoods = rng.uniform(0, side_m, size=(max(visits // 40, 3), 2))
    blocks = neighbourhoods[rng.integers(len(neighbourhoods), size=max(visits // 4, 1))]
    blocks = blocks + rng.normal(0, side_m / 12, size=blocks.shape)
    homes = blocks[rng.integers(len(blocks), size=visits)] + rng.normal(0, 25, size=(visits, 2))
    office = np.array([[side_m / 2, side_m / 2]])
    points = np.vstack([office, homes])
    locations = tuple(_to_lonlat(x, y) for x, y in points)
    metres = np.rint(np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1)))
    distance = np.rint(metres * DETOUR).astype(np.int64)
    walk = np.rint(distance / WALK_M_PER_S).astype(np.int64)
    travel = walk
    if mode != TravelMode.WALK:
        access, speed = RIDE[mode]
        travel = np.minimum(walk, np.rint(access + distance / speed).astype(np.int64))
        np.fill_diagonal(travel, 0)

    day_workers = tuple(
        Worker(
            id=f"w{k:02d}",
            shift_start=8 * 3600,
            shift_end=17 * 3600,
            start_location=0,
            end_location=0,
            skills=frozenset({"medical"}) if skills and k % 3 == 0 else frozenset(),
            travel_mode=mode,
            lunch=Break(12 * 3600 + 1800, 14 * 3600, 45 * 60) if lunch else None,
            name=f"Worker {k}",
        )
        for k in range(workers)
    )
    durations = rng.choice(DURATIONS_MIN, size=visits, p=DURATION_WEIGHTS) * 60
    day_visits = []
    for i in range(visits):
        window = (0, 24 * 3600)
        if rng.random() < windows_share:
            begin = int(rng.integers(17, 31)) * 1800  # 08:30 .. 15:00
            window = (begin, begin + 7200)
        day_visits.append(
            Visit(
                id=f"v{i:03d}",
                client_id=f"c{i:03d}",
                location=i + 1,
                duration=int(durations[i]),
                window_start=window[0],
                window_end=window[1],
                required_skills=frozenset({"medical"})
                if skills and rng.random() < 0.1
                else frozenset(),
                preferred_worker=f"w{int(rng.integers(workers)):02d}"
                if continuity and rng.random() < 0.6
                else None,
            )
        )
    return Problem(
        workers=day_workers,
        visits=tuple(day_visits),
        travel_time={mode: travel.tolist()},
        distance=distance.tolist(),
        locations=locations,
    )


def _to_lonlat(x: float, y: float) -> Location:
    lon, lat = geo.offset(CENTRE.lon, CENTRE.lat, x, y)
    return Location(round(lon, 6), round(lat, 6))


def to_json(problem: Problem) -> str:
    """A compact JSON form of a problem (sets become sorted lists)."""

    def plain(value: object) -> object:
        if isinstance(value, frozenset):
            return sorted(value)
        if dataclasses.is_dataclass(value):
            return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return value

    return json.dumps(plain(problem), separators=(",", ":"))


def from_json(text: str) -> Problem:
    data = json.loads(text)
    workers = tuple(
        Worker(
            **{
                **w,
                "skills": frozenset(w["skills"]),
                "travel_mode": TravelMode(w["travel_mode"]),
                "lunch": Break(**w["lunch"]) if w["lunch"] else None,
            }
        )
        for w in data["workers"]
    )
    visits = tuple(
        Visit(
            **{
                **v,
                "required_skills": frozenset(v["required_skills"]),
                "services": tuple(v["services"]),
            }
        )
        for v in data["visits"]
    )
    return Problem(
        workers=workers,
        visits=visits,
        travel_time={TravelMode(k): m for k, m in data["travel_time"].items()},
        distance=data["distance"],
        locations=tuple(Location(**p) for p in data["locations"]),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=30)
    parser.add_argument("--visits", type=int, default=250)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-lunch", action="store_true")
    parser.add_argument("--skills", action="store_true")
    parser.add_argument("--continuity", action="store_true")
    parser.add_argument("--mode", choices=[m.value for m in TravelMode], default="walk")
    parser.add_argument("--json", type=Path, required=True, help="where to write the day")
    args = parser.parse_args()
    problem = generate(
        args.workers,
        args.visits,
        args.seed,
        lunch=not args.no_lunch,
        skills=args.skills,
        continuity=args.continuity,
        mode=TravelMode(args.mode),
    )
    args.json.write_text(to_json(problem))
    print(f"wrote {args.json}: {len(problem.workers)} workers, {len(problem.visits)} visits")


if __name__ == "__main__":
    main()
