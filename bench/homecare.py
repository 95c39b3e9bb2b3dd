"""Home-care days: our solver against PyVRP and VROOM on the same travel-time matrix.

Run: .venv/bin/python -m bench.homecare [--sizes 30x250,60x600] [--limit 10] [--pyvrp-limit 60]
                                        [--solvers ours,pyvrp,vroom] [--seeds 1,2,3,4]
Each size is solved twice: without lunch breaks (all three solvers see the same problem)
and with lunch breaks (PyVRP cannot model breaks, so only ours and VROOM); `--variants
overloaded` adds a lunch day with a quarter more visits than the workers can hold. Our
plans are replayed by the independent checker (`tests/planner/checker.py`, lunch taken at
a place) and the note counts the rules broken and the left-out visits by reason. The objective
is walking time; a visit left out costs as much as 100 000 s of walking in every solver.
With several seeds each day is printed, then the sum over the seeds per solver (single days
vary by a few per cent from run to run on a shared machine; the sum varies less).
`--product-weights` runs ours with the planner's default weights instead (fairness and
continuity priced as in production; the note gives the plan's objective and the spread of
working time), `--continuity` gives most clients a usual worker.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import resource
import statistics
import time
from collections import Counter
from dataclasses import dataclass

import numpy as np

from bench.homecare_gen import generate
from planner.problem import Problem, SolveParams, TravelMode
from planner.solver import solve
from tests.planner.checker import reason_violations, violations

DROP_PENALTY = 100_000


@dataclass(frozen=True, slots=True)
class Outcome:
    travel_s: int
    planned: int
    unplanned: int
    seconds: float
    note: str = ""
    broken: int = 0  # rules broken under the office's checker, and reasons found false


def ours(
    problem: Problem, limit: float, product_weights: bool = False, search_seed: int = 7
) -> Outcome:
    """Our plan; walking alone is the objective unless `product_weights` (the planner's
    defaults: fairness, continuity), then the note gives the objective and the spread."""
    params = SolveParams(
        time_limit_s=limit,
        fairness_weight=0,
        continuity_cost_s=0,
        drop_penalty_s=DROP_PENALTY,
        seed=search_seed,
    )
    if product_weights:
        params = SolveParams(time_limit_s=limit, seed=search_seed)
    began = time.monotonic()
    plan = solve(problem, params)
    seconds = time.monotonic() - began
    planned = sum(len(r.stops) for r in plan.routes)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    note = (
        f"wall {100 * seconds / limit:.0f} % of the limit; peak RSS {own:.0f} MiB"
        f" (search process {children:.0f} MiB)"
    )
    if product_weights:
        work = [r.travel + sum(s.end - s.start for s in r.stops) for r in plan.routes]
        note += (
            f"; objective {plan.cost}, {sum(1 for r in plan.routes if r.stops)} routes,"
            f" working time sd {statistics.pstdev(work) / 60:.0f} min"
        )
    broken = violations(problem, plan)
    note += f"; rule breaks {len(broken)} (office's checker)"
    codes = Counter(u.code for u in plan.unplanned)
    false_reasons = reason_violations(problem, plan) if plan.unplanned else []
    if codes:
        note += "; left out: " + ", ".join(f"{c} {n}" for c, n in sorted(codes.items()))
        note += f"; reasons replayed false {len(false_reasons)}"
    return Outcome(
        sum(r.travel for r in plan.routes),
        planned,
        len(plan.unplanned),
        seconds,
        note,
        len(broken) + len(false_reasons),
    )


def _matrix(problem: Problem) -> list[list[int]]:
    """The day's one travel-time matrix (every generated worker travels the same way)."""
    return problem.travel_time[problem.workers[0].travel_mode]


def pyvrp(problem: Problem, limit: float, seed: int) -> Outcome:
    import pyvrp as pv
    from pyvrp.stop import MaxRuntime

    matrix = np.asarray(_matrix(problem), dtype=np.int64)
    worker = problem.workers[0]
    locations = [pv.Location(x=i, y=0) for i in range(len(matrix))]
    clients = [
        pv.Client(
            location=v.location,
            service_duration=v.duration,
            tw_early=v.window_start,
            tw_late=v.window_end,
            prize=DROP_PENALTY,
            required=False,
        )
        for v in problem.visits
    ]
    depot = pv.Depot(location=worker.start_location)
    vehicles = pv.VehicleType(
        num_available=len(problem.workers),
        tw_early=worker.shift_start,
        tw_late=worker.shift_end,
    )
    data = pv.ProblemData(locations, clients, [depot], [vehicles], [matrix], [matrix])
    began = time.monotonic()
    result = pv.solve(data, stop=MaxRuntime(limit), seed=seed, display=False)
    seconds = time.monotonic() - began
    best = result.best
    note = "" if best.is_feasible() else "infeasible"
    planned = best.num_clients()
    return Outcome(best.distance(), planned, len(problem.visits) - planned, seconds, note)


def vroom(problem: Problem, exploration: int, timeout: float | None = None) -> Outcome:
    """VROOM's plan: until it stops, or `timeout` seconds at most (large days)."""
    import vroom as vr

    matrix = np.asarray(_matrix(problem), dtype=np.uint32)
    skill_ids = {
        name: n
        for n, name in enumerate(
            sorted({s for v in problem.visits for s in v.required_skills}), start=1
        )
    }
    task = vr.Input()
    task.set_durations_matrix(profile="car", matrix_input=matrix)
    for k, w in enumerate(problem.workers):
        breaks = []
        if w.lunch is not None:
            window = vr.TimeWindow(w.lunch.earliest, w.lunch.latest)
            breaks = [vr.Break(k, time_windows=[window], service=w.lunch.duration)]
        task.add_vehicle(
            vr.Vehicle(
                k,
                start=w.start_location,
                end=w.end_location,
                time_window=vr.TimeWindow(w.shift_start, w.shift_end),
                breaks=breaks,
                skills={skill_ids[s] for s in w.skills if s in skill_ids},
            )
        )
    for k, v in enumerate(problem.visits):
        window = vr.TimeWindow(v.window_start, v.window_end)
        task.add_job(
            vr.Job(
                k,
                location=v.location,
                default_service=v.duration,
                time_windows=[window],
                skills={skill_ids[s] for s in v.required_skills},
            )
        )
    began = time.monotonic()
    limit = None if timeout is None else datetime.timedelta(seconds=timeout)
    solution = task.solve(exploration_level=exploration, nb_threads=2, timeout=limit)
    seconds = time.monotonic() - began
    stops = solution.routes
    planned = int((stops["type"] == "job").sum())
    travel = 0
    for _, route in stops[stops["type"] != "break"].groupby("vehicle_id"):
        places = route["location_index"].to_numpy()
        travel += int(matrix[places[:-1], places[1:]].sum())
    return Outcome(travel, planned, len(problem.visits) - planned, seconds)


VARIANTS = ("no-lunch", "lunch", "transit", "car", "skills", "overloaded")


def day_of(variant: str, workers: int, visits: int, seed: int, continuity: bool) -> Problem:
    """The generated day of a variant: no-lunch and lunch on foot; transit and car (with
    lunch); skills (lunch, medical skills and usual workers); overloaded (lunch, 1.6 x the
    visits: more than the workers can hold)."""
    if variant not in VARIANTS:
        raise SystemExit(f"unknown variant {variant!r}; one of {', '.join(VARIANTS)}")
    mode = {"transit": TravelMode.TRANSIT, "car": TravelMode.CAR}.get(variant, TravelMode.WALK)
    count = visits * 8 // 5 if variant == "overloaded" else visits
    return generate(
        workers,
        count,
        seed,
        lunch=variant != "no-lunch",
        skills=variant == "skills",
        continuity=continuity or variant == "skills",
        mode=mode,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="30x250,60x600", help="workers x visits, ...")
    parser.add_argument("--limit", type=float, default=10.0, help="our time limit, s")
    parser.add_argument("--limits", default="", help="several of ours, e.g. 10,30")
    parser.add_argument(
        "--scale",
        action="store_true",
        help="the limit is for 600 visits; a larger day gets it times visits / 600",
    )
    parser.add_argument("--pyvrp-limit", type=float, default=60.0)
    parser.add_argument("--solvers", default="ours,pyvrp,vroom")
    parser.add_argument("--variants", default="no-lunch,lunch", help=", ".join(VARIANTS))
    parser.add_argument("--seeds", default="1", help="generator seeds, e.g. 1,2,3,4")
    parser.add_argument("--runs", type=int, default=1, help="ours this many times (spread)")
    parser.add_argument("--vroom-level", type=int, default=3, help="VROOM exploration 0..5")
    parser.add_argument(
        "--vroom-limit", type=float, default=None, help="VROOM's time limit, s (none: until done)"
    )
    parser.add_argument(
        "--product-weights",
        action="store_true",
        help="ours with the planner's default weights (fairness, continuity), not walking alone",
    )
    parser.add_argument("--continuity", action="store_true", help="clients with a usual worker")
    args = parser.parse_args()
    solvers = args.solvers.split(",")
    seeds = [int(s) for s in args.seeds.split(",")]
    limits = [float(x) for x in args.limits.split(",")] if args.limits else [args.limit]
    print(
        f"{'day':<9}{'seed':>5} {'variant':<11}{'solver':<14}{'travel min':>11}{'vs ref':>8}"
        f"{'planned':>9}{'unplanned':>10}{'time s':>8}  note"
    )
    for size in args.sizes.split(","):
        workers, visits = (int(x) for x in size.split("x"))
        scale = max(1.0, visits / 600) if args.scale else 1.0
        for variant in args.variants.split(","):
            totals: dict[str, list[Outcome]] = {}
            for seed in seeds:
                problem = day_of(variant, workers, visits, seed, args.continuity)
                rows = _solve_day(
                    problem, solvers, variant, seed, [x * scale for x in limits], args
                )
                for name, outcome in rows:
                    totals.setdefault(name, []).append(outcome)
                _print_rows(f"{size:<9}{seed:>5} {variant:<11}", rows)
            if len(seeds) > 1:
                summed = [(name, _summed(outcomes)) for name, outcomes in totals.items()]
                _print_rows(f"{size:<9}{'sum':>5} {variant:<11}", summed)


def _solve_day(
    problem: Problem,
    solvers: list[str],
    variant: str,
    seed: int,
    limits: list[float],
    args: argparse.Namespace,
) -> list[tuple[str, Outcome]]:
    rows: list[tuple[str, Outcome]] = []
    if "ours" in solvers:
        for limit in limits:
            runs = [
                ours(problem, limit, args.product_weights, search_seed=7 + run)
                for run in range(args.runs)
            ]
            rows.append((f"ours {limit:g}s", runs[0]))
            if len(runs) > 1:
                rows.append((f"  {len(runs)} runs", _spread(runs)))
    if "pyvrp" in solvers and variant == "no-lunch":
        limit = args.pyvrp_limit
        rows.append((f"PyVRP {limit:g}s", pyvrp(problem, limit, seed)))
    if "vroom" in solvers:
        name = f"VROOM x{args.vroom_level}"
        if args.vroom_limit is not None:
            name += f" {args.vroom_limit:g}s"
        rows.append((name, vroom(problem, args.vroom_level, args.vroom_limit)))
    return rows


def _spread(runs: list[Outcome]) -> Outcome:
    """The median run, with the min / median / max of travel and planned in the note."""
    ordered = sorted(runs, key=lambda o: o.travel_s)
    middle = ordered[len(ordered) // 2]
    travel = " / ".join(f"{o.travel_s / 60:.0f}" for o in (ordered[0], middle, ordered[-1]))
    planned = sorted(o.planned for o in runs)
    seconds = sorted(o.seconds for o in runs)
    note = (
        f"travel min / median / max {travel} min "
        f"({100 * (ordered[-1].travel_s - ordered[0].travel_s) / ordered[0].travel_s:.1f} %);"
        f" planned {planned[0]}-{planned[-1]}; {seconds[0]:.1f}-{seconds[-1]:.1f} s;"
        f" rule breaks {sum(o.broken for o in runs)}"
    )
    return dataclasses.replace(middle, note=note)


def _summed(outcomes: list[Outcome]) -> Outcome:
    return Outcome(
        travel_s=sum(o.travel_s for o in outcomes),
        planned=sum(o.planned for o in outcomes),
        unplanned=sum(o.unplanned for o in outcomes),
        seconds=sum(o.seconds for o in outcomes),
    )


def _print_rows(prefix: str, rows: list[tuple[str, Outcome]]) -> None:
    """One line per solver; the reference is PyVRP where it ran, else VROOM."""
    reference = next((o.travel_s for n, o in rows if n.startswith("PyVRP")), None)
    reference = reference or next((o.travel_s for n, o in rows if n.startswith("VROOM")), None)
    for name, o in rows:
        versus = f"{100 * (o.travel_s - reference) / reference:+.1f}%" if reference else ""
        print(
            f"{prefix}{name:<14}{o.travel_s / 60:>11.0f}{versus:>8}"
            f"{o.planned:>9}{o.unplanned:>10}{o.seconds:>8.1f}  {o.note}",
            flush=True,
        )


if __name__ == "__main__":
    main()
