"""Where a new client fits, on the bench office (`bench.week_gen`): some clients are held out
of the week as the queue, the week is planned without them, and `planner.fit.advise` gives
each queued client's options. The best option is then added to the week as advised: on each
advised day the worker's visits and the new one are routed by the day solver, and the client
must be planned there (the same worker and days) with the worker's travel within 10 % of the
advice (the route's travel before it plus what the advice says the visit adds), counted on
the days the day solver kept all of the worker's other visits (where it dropped some, its
travel is not comparable; the note says so).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from planner.fit import FitAdvice, FitDay, advise
from planner.problem import Problem, SolveParams, Visit
from planner.recurrence import CareClient
from planner.solver import solve
from planner.week_problem import WeekPlan, WeekProblem

TOLERANCE = 0.10
DAY_SOLVE_S = 3.0  # the day solver on one worker-day


@dataclass(frozen=True, slots=True)
class Checked:
    client_id: str
    fits: bool  # the advice found an option
    as_advised: bool  # planned on the advised worker and days, travel within the tolerance
    advised_travel_s: int  # the worker's travel on the advised days, by the advice
    solved_travel_s: int  # the same, routed by the day solver
    note: str = ""  # what the day solver did otherwise, day by day


def hold_out(problem: WeekProblem, every: int) -> tuple[WeekProblem, list[CareClient]]:
    """Every `every`-th client (one-worker clients only) taken out as the queue."""
    queued = [c for n, c in enumerate(problem.clients) if n % every == 1 and c.workers_needed == 1]
    gone = {c.id for c in queued}
    kept = replace(
        problem,
        clients=tuple(c for c in problem.clients if c.id not in gone),
        tasks=tuple(t for t in problem.tasks if t.client_id not in gone),
        zones={c: z for c, z in problem.zones.items() if c not in gone},
    )
    return kept, [replace(c, status="queued") for c in queued]


def fit_days(planned: WeekPlan, client: CareClient) -> list[FitDay]:
    place = client.location_index
    assert place is not None
    return [
        FitDay(
            d.day,
            d.problem,
            {r.worker_id: [s.visit_id for s in r.stops] for r in d.plan.routes},
            place,
        )
        for d in planned.days
    ]


def check(problem: WeekProblem, planned: WeekPlan, client: CareClient) -> tuple[Checked, FitAdvice]:
    advice = advise(client, fit_days(planned, client), problem.calendar)
    best = advice.best
    if best is None:
        return Checked(client.id, False, False, 0, 0), advice
    by_day = {d.day: d for d in planned.days}
    advised = solved = 0
    planned_there = True
    notes = []
    for visit in best.visits:
        day = by_day[visit.day]
        worker = next(w for w in day.problem.workers if w.id == visit.worker_id)
        route = next((r for r in day.plan.routes if r.worker_id == worker.id), None)
        mine = {s.visit_id for s in route.stops} if route is not None else set()
        before = route.travel if route is not None and route.stops else 0
        new = Visit(
            id=f"{client.id}@{visit.day.isoformat()}",
            client_id=client.id,
            client_name=client.name,
            location=client.location_index or 0,
            duration=visit.minutes * 60,
            window_start=client.window_start,
            window_end=client.window_end,
            required_skills=client.required_skills,
        )
        alone = Problem(
            workers=(worker,),
            visits=(*(v for v in day.problem.visits if v.id in mine), new),
            travel_time=day.problem.travel_time,
            distance=day.problem.distance,
        )
        plan = solve(alone, SolveParams(time_limit_s=DAY_SOLVE_S, workers=1, seed=7))
        done = {s.visit_id for r in plan.routes for s in r.stops}
        if new.id not in done:
            planned_there = False
            notes.append(f"{visit.day}: the client left out")
        elif not mine <= done:  # the solver dropped others: its travel is not comparable
            notes.append(f"{visit.day}: {len(mine - done)} of the worker's other visits left out")
        else:
            advised += before + visit.travel_s
            solved += sum(r.travel for r in plan.routes)
    close = abs(solved - advised) <= TOLERANCE * max(advised, 1)
    if not close:
        notes.append(f"travel {solved} s routed against {advised} s advised")
    checked = Checked(client.id, True, planned_there and close, advised, solved, "; ".join(notes))
    return checked, advice
