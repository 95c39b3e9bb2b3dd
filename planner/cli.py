"""`careroute plan`: plan one office's day from CSV/JSON files, print it, write a map.

    careroute plan --clients clients.csv --workers workers.csv [--services services.csv]
                   [--care-plans care_plans.csv --date 2025-03-03]
                   [--travel straight|osrm|osrm-http] [--pbf FILE] [--osrm-url URL]
                   [--time-limit 10] [--out DIR] [--lang ru|en]

Files are CSV (header line; `,` or `;`) or JSON (a list of objects with the same keys). Times
are HH:MM; lists are separated by `;` or `|`; empty cells mean "not given".

clients:  id*, name, lon*, lat*, window_start, window_end (hard window for the visit start),
          preferred_start, preferred_end (soft), duration_min or services (codes from the
          services file; the visit lasts their standard minutes), skills, preferred_worker,
          priority (1..3), mandatory (yes/no), workers_needed (1..2), status (enrolled, queued,
          refused, suspended, discharged; only enrolled clients are visited). In JSON a client
          may hold its care plan inline: "care_plan": [{"service", "recurrence", "valid_from",
          "valid_to"}].
workers:  id*, name, shift_start*, shift_end*, start_lon*, start_lat*, end_lon, end_lat (default:
          the start), mode (walk, transit, car; default walk), skills, lunch_start, lunch_end
          (when lunch may be taken), lunch_min (its length; default the whole window),
          max_hours (working time: on site plus travel).
services: code*, name, minutes*, skill (a worker must have it to render the service).
care plans: client_id*, service*, recurrence* (daily, every:N, weekdays:1,3,5, weekly:N, monthly:N,
          dates:YYYY-MM-DD,...; options ;work ;move ;tol=K: see registry.recurrence),
          valid_from*, valid_to.
(* = required)

A client with care-plan lines is visited on --date only when a line is due, with the services
due that day; a client without lines is visited with its own duration or services.

Travel times: `straight` (default) is distance as the crow flies x a detour factor at a speed
per mode; `osrm --pbf extract.osm.pbf` computes street routes in-process (data built once and
cached in ~/.cache/careroute/osrm); `osrm-http --osrm-url http://host:5000` asks an OSRM server
(or one per mode: --osrm-url walk=URL --osrm-url car=URL). Exit code 2 means bad input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from planner.export import LABELS, hhmm, write_plan
from planner.io import (
    CarePlanRow,
    ClientRow,
    InputError,
    ServiceRow,
    WorkerRow,
    read_care_plans,
    read_clients,
    read_services,
    read_workers,
)
from planner.problem import Location, Plan, Problem, SolveParams, TravelMode, Visit, Worker
from planner.problem import Progress as SolveProgress
from planner.recurrence import ENROLLED, CareClient, CarePlanLine, visit_for_day
from planner.travel import (
    OsrmHttpProvider,
    OsrmLocalProvider,
    StraightLineProvider,
    TravelTimeProvider,
)

Solve = Callable[[Problem, SolveParams, Callable[[SolveProgress], None] | None], Plan]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="careroute plan",
        description="Plan one office's day: assign and order visits into workers' routes.",
        epilog=__doc__.split("\n\n", 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    files = parser.add_argument_group("input files (CSV or JSON)")
    files.add_argument("--clients", type=Path, required=True, help="clients/visits to plan")
    files.add_argument("--workers", type=Path, required=True, help="workers and their shifts")
    files.add_argument("--services", type=Path, help="service catalogue (code, minutes)")
    files.add_argument("--care-plans", type=Path, help="care-plan lines to expand for --date")
    parser.add_argument(
        "--date", type=date.fromisoformat, default=date.today(), help="YYYY-MM-DD (today)"
    )
    travel = parser.add_argument_group("travel times")
    travel.add_argument("--travel", choices=("straight", "osrm", "osrm-http"), default="straight")
    travel.add_argument("--pbf", type=Path, help="OpenStreetMap extract for --travel osrm")
    travel.add_argument("--osrm-cache", type=Path, help="where built OSRM data is kept")
    travel.add_argument(
        "--osrm-url", action="append", default=[], help="URL, or MODE=URL per travel mode"
    )
    solver = parser.add_argument_group("solver")
    solver.add_argument("--time-limit", type=float, default=10.0, help="seconds (10)")
    solver.add_argument("--threads", type=int, default=2, help="parallel searches (2)")
    solver.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, help="write plan.json, plan.geojson, plan.html here")
    parser.add_argument("--lang", choices=("ru", "en"), default="ru", help="labels (ru)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def main(argv: list[str] | None = None, solve: Solve | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Piped or captured output gets a wide table rather than rich's 80-column default.
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 140)
    errors = Console(stderr=True, highlight=False)
    try:
        problem = load_problem(args)
        provider = make_provider(args)
        problem = add_travel_times(problem, provider)
    except InputError as e:
        errors.print(f"[bold red]error:[/] {e}", markup=True, soft_wrap=True)
        return 2
    except (OSError, RuntimeError) as e:  # OSRM build, HTTP server, unreadable files
        errors.print(f"[bold red]error:[/] {e}", markup=True, soft_wrap=True)
        return 1
    if solve is None:
        from planner.solver import solve as solve_day

        solve = solve_day

    note = day_off_note(args.date, args.lang)
    if note:
        console.print(note, markup=False)
    params = SolveParams(time_limit_s=args.time_limit, workers=args.threads, seed=args.seed)
    plan = solve_with_progress(problem, params, solve, console, quiet=args.quiet)
    print_summary(console, problem, plan, args.lang)
    if args.out is not None:
        for path in write_plan(args.out, problem, plan, args.lang, args.date.isoformat()):
            console.print(f"wrote {path}")
    return 0


def day_off_note(day: date, lang: str = "ru") -> str:
    """A line saying `day` is a holiday or weekend on the Russian calendar ('' on a working
    day): the files hold no weekly templates, so the workers file is that day's roster."""
    from planner.calendar import holiday_names, russian_calendar

    why = russian_calendar([day.year]).why_off(day)
    if not why:
        return ""
    labels = LABELS.get(lang, LABELS["ru"])
    name = labels["weekend"] if why == "weekend" else holiday_names(day).get(lang, why)
    return labels["day_off"].format(date=day.isoformat(), why=name)


# --- input -> problem -------------------------------------------------------------------------


def load_problem(args: argparse.Namespace) -> Problem:
    """Read the files and build the day's problem (travel matrices not filled in yet)."""
    services = read_services(args.services) if args.services else {}
    clients = read_clients(args.clients)
    workers = read_workers(args.workers)
    if args.care_plans:
        clients = _attach_care_plans(clients, read_care_plans(args.care_plans))
    if not workers:
        raise InputError(f"{args.workers.name}: no workers")
    locations: dict[Location, int] = {}

    def index_of(point: Location) -> int:
        return locations.setdefault(point, len(locations))

    problem_workers = tuple(_worker(w, index_of) for w in workers)
    visits = tuple(
        v for c in clients if (v := _visit(c, services, args.date, index_of)) is not None
    )
    return Problem(
        workers=problem_workers,
        visits=visits,
        travel_time={},
        locations=tuple(locations),
    )


def _attach_care_plans(clients: list[ClientRow], lines: list[CarePlanRow]) -> list[ClientRow]:
    by_client: dict[str, list[CarePlanRow]] = {}
    for line in lines:
        by_client.setdefault(line.client_id, []).append(line)
    known = {c.id for c in clients}
    for client_id, client_lines in by_client.items():
        if client_id not in known:
            raise InputError(f"{client_lines[0].source}, field client_id: '{client_id}' unknown")
    return [replace(c, care_plan=c.care_plan + tuple(by_client.get(c.id, ()))) for c in clients]


def _worker(row: WorkerRow, index_of: Callable[[Location], int]) -> Worker:
    max_seconds = round(row.max_hours * 3600) if row.max_hours is not None else None
    return Worker(
        id=row.id,
        name=row.name,
        shift_start=row.shift_start,
        shift_end=row.shift_end,
        start_location=index_of(row.start),
        end_location=index_of(row.end),
        skills=row.skills,
        travel_mode=row.mode,
        lunch=row.lunch,
        max_working_seconds=max_seconds,
    )


def _visit(
    row: ClientRow,
    services: dict[str, ServiceRow],
    day: date,
    index_of: Callable[[Location], int],
) -> Visit | None:
    """The client's visit on `day`, or None when nothing is due or they are not served."""
    if row.care_plan:
        visit = _care_plan_visit(row, services, day)
        if visit is None:
            return None
    elif row.status != ENROLLED:
        return None
    else:
        visit = _listed_visit(row, services, day)
    return replace(
        visit,
        location=index_of(row.location),
        preferred_start=row.preferred_start,
        preferred_end=row.preferred_end,
        priority=row.priority,
        mandatory=row.mandatory,
    )


def _care_plan_visit(row: ClientRow, services: dict[str, ServiceRow], day: date) -> Visit | None:
    """The services of the client's care plan that are due on `day`."""
    care = CareClient(
        id=row.id,
        name=row.name,
        location=row.location,
        window_start=row.window_start,
        window_end=row.window_end,
        required_skills=row.skills,
        preferred_worker=row.preferred_worker,
        status=row.status,
        workers_needed=row.workers_needed,
        lines=tuple(_plan_line(line, services) for line in row.care_plan),
    )
    due = visit_for_day(care, day)
    return due.to_visit(location_index=0) if due is not None else None


def _listed_visit(row: ClientRow, services: dict[str, ServiceRow], day: date) -> Visit:
    """A row of a plain visit list: its own duration, or the sum of its services' minutes."""
    listed = [_service(code, services, f"{row.source}, field services") for code in row.services]
    if row.duration_min is None and not listed:
        raise InputError(f"{row.source}, field duration_min: give duration_min or services")
    minutes = row.duration_min or sum(s.minutes for s in listed)
    skills = row.skills | {s.skill for s in listed if s.skill}
    return Visit(
        id=f"{row.id}@{day.isoformat()}",
        client_id=row.id,
        client_name=row.name,
        location=0,
        duration=minutes * 60,
        window_start=row.window_start,
        window_end=row.window_end,
        required_skills=frozenset(skills),
        preferred_worker=row.preferred_worker,
        workers_needed=row.workers_needed,
        services=tuple(s.code for s in listed),
    )


def _service(code: str, services: dict[str, ServiceRow], where: str) -> ServiceRow:
    service = services.get(code)
    if service is None:
        known = "; no --services file given" if not services else ""
        raise InputError(f"{where}: '{code}' is not in the service catalogue{known}")
    return service


def _plan_line(line: CarePlanRow, services: dict[str, ServiceRow]) -> CarePlanLine:
    service = _service(line.service, services, f"{line.source}, field service")
    return CarePlanLine(
        service_code=service.code,
        service_name=service.name,
        standard_minutes=service.minutes,
        recurrence=line.recurrence,
        valid_from=line.valid_from,
        valid_to=line.valid_to,
        required_skill=service.skill,
    )


# --- travel times ---------------------------------------------------------------------------


def make_provider(args: argparse.Namespace) -> TravelTimeProvider:
    if args.travel == "osrm":
        if args.pbf is None:
            raise InputError("--travel osrm needs --pbf FILE (an OpenStreetMap extract)")
        return OsrmLocalProvider(args.pbf, cache_dir=args.osrm_cache)
    if args.travel == "osrm-http":
        return OsrmHttpProvider(_osrm_urls(args.osrm_url))
    return StraightLineProvider()


def _osrm_urls(values: Sequence[str]) -> str | dict[TravelMode, str]:
    if not values:
        raise InputError("--travel osrm-http needs --osrm-url URL")
    if len(values) == 1 and "=" not in values[0].split("://")[0]:
        return values[0]
    urls: dict[TravelMode, str] = {}
    for value in values:
        mode, sep, url = value.partition("=")
        if not sep or mode not in {m.value for m in TravelMode}:
            raise InputError(f"--osrm-url {value}: use URL or MODE=URL (walk, transit, car)")
        urls[TravelMode(mode)] = url
    urls.setdefault(TravelMode.TRANSIT, urls.get(TravelMode.WALK, next(iter(urls.values()))))
    for mode in TravelMode:
        urls.setdefault(mode, urls[TravelMode.TRANSIT])
    return urls


def add_travel_times(problem: Problem, provider: TravelTimeProvider) -> Problem:
    """Fill in a matrix for every travel mode the workers use (distances from the first)."""
    modes = sorted({w.travel_mode for w in problem.workers})
    travel_time: dict[TravelMode, list[list[int]]] = {}
    distance: list[list[int]] | None = None
    for mode in modes:
        seconds, metres = provider.matrix(problem.locations, mode)
        travel_time[mode] = seconds
        distance = distance or metres
    return replace(problem, travel_time=travel_time, distance=distance)


# --- solving and printing ---------------------------------------------------------------------


def solve_with_progress(
    problem: Problem, params: SolveParams, solve: Solve, console: Console, quiet: bool = False
) -> Plan:
    if quiet:
        return solve(problem, params, None)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("solving", total=100)

        def on_progress(p: SolveProgress) -> None:
            planned = f", {p.planned} planned" if p.planned is not None else ""
            cost = f"cost {p.best_cost}" if p.best_cost is not None else "searching"
            bar.update(task, completed=min(p.percent, 100.0), description=f"{cost}{planned}")

        return solve(problem, params, on_progress)


def print_summary(console: Console, problem: Problem, plan: Plan, lang: str = "ru") -> None:
    t = LABELS[lang]
    names = {w.id: w.name or w.id for w in problem.workers}
    table = Table(title=t["title"])
    for key in ("worker", "visits", "service_min", "travel_min", "wait_min", "start", "end"):
        table.add_column(t[key], justify="left" if key == "worker" else "right", no_wrap=True)
    table.add_column(t["break"], no_wrap=True)
    for r in plan.routes:
        lunch = f"{hhmm(r.break_start)}–{hhmm(r.break_end)}" if r.break_start is not None else ""
        table.add_row(
            names.get(r.worker_id, r.worker_id),
            str(len(r.stops)),
            str(round(r.service / 60)),
            str(round(r.travel / 60)),
            str(round(r.wait / 60)),
            hhmm(r.start),
            hhmm(r.end),
            lunch,
        )
    console.print(table)
    if plan.unplanned:
        clients = {v.id: v.client_name or v.client_id for v in problem.visits}
        console.print(f"{t['unplanned']}: {len(plan.unplanned)}")
        for u in plan.unplanned:
            console.print(f"  {clients.get(u.visit_id, u.visit_id)}: {u.reason}", markup=False)
    else:
        console.print(f"{t['unplanned']}: {t['none']}")


if __name__ == "__main__":
    sys.exit(main())
