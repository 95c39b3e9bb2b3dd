"""Solomon VRPTW (56 instances, 100 customers) through `planner.solver.solve`.

Run: .venv/bin/python -m bench.solomon [--limit 10] [--only C1,R1] [--instances R101,C201]
Distances in tenths (int(10 * hypot)), travel time = distance, objective = total distance,
up to 25 vehicles with the header's capacity; BKS.csv gives the reference distances.
"""

from __future__ import annotations

import argparse
import csv
import math
import resource
import time
from pathlib import Path

from planner.problem import Problem, SolveParams, TravelMode, Visit, Worker
from planner.solver import solve

# The shared benchmark sets lie beside the repository, in ../shared/benchmarks/.
DATA = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "vrptw"


def load(path: Path) -> Problem:
    lines = path.read_text().splitlines()
    vehicles, capacity = (int(x) for x in lines[4].split())
    rows = [[int(float(x)) for x in line.split()] for line in lines[9:] if line.strip()]
    points = [(r[1], r[2]) for r in rows]
    matrix = [[int(10 * math.hypot(a[0] - b[0], a[1] - b[1])) for b in points] for a in points]
    depot = rows[0]
    horizon = depot[5] * 10
    workers = tuple(
        Worker(
            id=f"v{k}",
            shift_start=0,
            shift_end=horizon,
            start_location=0,
            end_location=0,
            travel_mode=TravelMode.CAR,
            capacity=capacity,
        )
        for k in range(vehicles)
    )
    visits = tuple(
        Visit(
            id=str(r[0]),
            client_id=str(r[0]),
            location=i,
            duration=r[6] * 10,
            window_start=r[4] * 10,
            window_end=r[5] * 10,
            demand=r[3],
            mandatory=True,
        )
        for i, r in enumerate(rows)
        if i > 0
    )
    return Problem(workers=workers, visits=visits, travel_time={TravelMode.CAR: matrix})


def reference() -> dict[str, float]:
    with (DATA / "BKS.csv").open() as f:
        return {row["instance"]: float(row["distance"]) for row in csv.DictReader(f)}


def params(limit: float, workers: int) -> SolveParams:
    return SolveParams(time_limit_s=limit, workers=workers, fairness_weight=0, continuity_cost_s=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=float, default=10.0, help="seconds per instance")
    parser.add_argument("--only", default="", help="classes, e.g. C1,R1,RC2")
    parser.add_argument("--instances", default="", help="names, e.g. R101,C201")
    parser.add_argument("--jobs", type=int, default=2, help="parallel searches per instance")
    args = parser.parse_args()
    bks = reference()
    names = sorted(bks)
    if args.instances:
        names = [n for n in names if n in args.instances.split(",")]
    if args.only:
        classes = args.only.split(",")
        names = [n for n in names if n[:-2] in classes]  # R101 -> R1
    print(
        f"{'instance':<9}{'distance':>10}{'BKS':>10}{'gap %':>8}{'routes':>8}{'time s':>8}"
        f"{'unplanned':>10}"
    )
    gaps = []
    for name in names:
        problem = load(DATA / f"{name}.txt")
        began = time.monotonic()
        plan = solve(problem, params(args.limit, args.jobs))
        seconds = time.monotonic() - began
        distance = sum(r.travel for r in plan.routes) / 10
        gap = 100 * (distance - bks[name]) / bks[name]
        gaps.append(gap)
        used = sum(1 for r in plan.routes if r.stops)
        print(
            f"{name:<9}{distance:>10.1f}{bks[name]:>10.1f}{gap:>8.2f}{used:>8}"
            f"{seconds:>8.1f}{len(plan.unplanned):>10}",
            flush=True,
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"mean gap {sum(gaps) / max(len(gaps), 1):.2f} % over {len(gaps)} instances "
        f"({args.limit:g} s, {args.jobs} searches); peak RSS {rss:.0f} MiB"
    )


if __name__ == "__main__":
    main()
