"""Solomon VRPTW (56 instances, 100 customers) and Gehring-Homberger (12 instances, 400 and
1,000 customers) through `planner.solver.solve`.

Run: .venv/bin/python -m bench.solomon [--set solomon|gh] [--limit 10] [--only C1,R1]
                                       [--instances R101,C201] [--sizes 4,10]
Distances in tenths (int(10 * hypot)), travel time = distance, objective = total distance,
the header's vehicles (25 in Solomon's; 100 / 250 in the Gehring-Homberger subset) with its
capacity; each set's BKS.csv gives the reference distances. The data lies beside the
repository, in ../shared/benchmarks/vrptw/ and ../shared/benchmarks/vrptw-gh/.
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
SHARED = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"
DATA = SHARED / "vrptw"
SETS = {"solomon": DATA, "gh": SHARED / "vrptw-gh"}


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


def reference(data: Path = DATA) -> dict[str, float]:
    with (data / "BKS.csv").open() as f:
        return {row["instance"]: float(row["distance"]) for row in csv.DictReader(f)}


def params(limit: float, workers: int) -> SolveParams:
    return SolveParams(time_limit_s=limit, workers=workers, fairness_weight=0, continuity_cost_s=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=float, default=10.0, help="seconds per instance")
    parser.add_argument("--only", default="", help="classes, e.g. C1,R1,RC2")
    parser.add_argument("--instances", default="", help="names, e.g. R101,C201")
    parser.add_argument("--jobs", type=int, default=2, help="parallel searches per instance")
    parser.add_argument("--set", choices=sorted(SETS), default="solomon", dest="which")
    parser.add_argument("--sizes", default="", help="gh: hundreds of customers, e.g. 4,10")
    args = parser.parse_args()
    data = SETS[args.which]
    bks = reference(data)
    names = sorted(bks, key=lambda n: (_size(n), n))
    if args.instances:
        names = [n for n in names if n in args.instances.split(",")]
    if args.only:
        classes = args.only.split(",")
        names = [n for n in names if _class(n) in classes]
    if args.sizes:
        names = [n for n in names if str(_size(n)) in args.sizes.split(",")]
    print(
        f"{'instance':<10}{'distance':>10}{'BKS':>10}{'gap %':>8}{'routes':>8}{'time s':>8}"
        f"{'/limit':>8}{'unplanned':>10}"
    )
    gaps: dict[int, list[float]] = {}
    over: dict[int, float] = {}
    for name in names:
        problem = load(data / f"{name}.txt")
        began = time.monotonic()
        plan = solve(problem, params(args.limit, args.jobs))
        seconds = time.monotonic() - began
        distance = sum(r.travel for r in plan.routes) / 10
        gap = 100 * (distance - bks[name]) / bks[name]
        gaps.setdefault(_size(name), []).append(gap)
        over[_size(name)] = max(over.get(_size(name), 0.0), seconds / args.limit)
        used = sum(1 for r in plan.routes if r.stops)
        print(
            f"{name:<10}{distance:>10.1f}{bks[name]:>10.1f}{gap:>8.2f}{used:>8}"
            f"{seconds:>8.1f}{seconds / args.limit:>8.2f}{len(plan.unplanned):>10}",
            flush=True,
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    every = [g for size in gaps.values() for g in size]
    for size, size_gaps in sorted(gaps.items()):
        customers = 100 if args.which == "solomon" else 100 * size
        print(
            f"{customers:>5} customers: mean gap {sum(size_gaps) / len(size_gaps):.2f} % over "
            f"{len(size_gaps)} instances; slowest {over[size]:.2f} x the limit"
        )
    print(
        f"mean gap {sum(every) / max(len(every), 1):.2f} % over {len(every)} instances "
        f"({args.limit:g} s, {args.jobs} searches); peak RSS {rss:.0f} MiB"
    )


def _class(name: str) -> str:
    """R101 -> R1; C1_4_1 -> C1."""
    return name.split("_")[0] if "_" in name else name[:-2]


def _size(name: str) -> int:
    """Hundreds of customers: 1 for Solomon's, 4 or 10 in the Gehring-Homberger subset."""
    return int(name.split("_")[1]) if "_" in name else 1


if __name__ == "__main__":
    main()
