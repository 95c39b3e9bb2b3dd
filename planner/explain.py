"""Reasons in words: why a planned visit went to its worker, why a visit stayed unplanned."""

from __future__ import annotations

import dataclasses

from planner._precheck import eligible_workers, hhmm
from planner.problem import Problem, Route, Unplanned, Visit, Worker


def why_planned(problem: Problem, routes: list[Route]) -> list[Route]:
    """The routes with every stop's `why` filled in."""
    visits = {v.id: v for v in problem.visits}
    workers = {w.id: w for w in problem.workers}
    result = []
    for route in routes:
        worker = workers[route.worker_id]
        stops = []
        previous = worker.start_location
        for stop in route.stops:
            visit = visits[stop.visit_id]
            why = _why(problem, routes, visit, worker, previous)
            stops.append(dataclasses.replace(stop, why=why))
            previous = visit.location
        result.append(dataclasses.replace(route, stops=tuple(stops)))
    return result


def _why(problem: Problem, routes: list[Route], visit: Visit, worker: Worker, previous: int) -> str:
    if visit.pinned_worker is not None:
        return "pinned: already under way or done"
    if visit.preferred_worker == worker.id:
        return "the client's usual worker"
    eligible = eligible_workers(visit, problem.workers)
    if len(eligible) == visit.workers_needed and visit.required_skills:
        skills = ", ".join(f"'{s}'" for s in sorted(visit.required_skills))
        return f"the only worker with the skill {skills}"
    minutes = problem.travel_time[worker.travel_mode][previous][visit.location] // 60
    nearest = _nearest_distance(problem, routes, visit, eligible)
    mine = nearest.get(worker.id, 0)
    prefix = ""
    if visit.preferred_worker is not None:
        prefix = f"the usual worker '{visit.preferred_worker}' had no room; "
    if mine <= min(nearest.values()):
        return f"{prefix}nearest worker who can do it ({minutes} min from the previous stop)"
    return f"{prefix}fits this worker's day; nearer workers were busy at that time"


def _nearest_distance(
    problem: Problem, routes: list[Route], visit: Visit, eligible: list[Worker]
) -> dict[str, int]:
    """Per eligible worker: travel time to the visit from the closest point of their day."""
    locations = {v.id: v.location for v in problem.visits}
    by_worker = {r.worker_id: r for r in routes}
    result: dict[str, int] = {}
    for worker in eligible:
        travel = problem.travel_time[worker.travel_mode]
        route = by_worker.get(worker.id)
        points = [worker.start_location]
        if route is not None:
            points += [locations[s.visit_id] for s in route.stops if s.visit_id != visit.id]
        result[worker.id] = min(travel[p][visit.location] for p in points)
    return result


def why_dropped(problem: Problem, routes: list[Route], visit: Visit) -> Unplanned:
    """The most likely rule that kept a searchable visit out of the plan."""
    eligible = eligible_workers(visit, problem.workers)
    by_worker = {r.worker_id: r for r in routes}
    window = f"{hhmm(visit.window_start)}-{hhmm(visit.window_end)}"
    if visit.workers_needed > 1:
        return _why_team_dropped(problem, by_worker, visit, eligible, window)
    over_shift = over_work = 0
    for worker in eligible:
        route = by_worker[worker.id]
        slot = _free_slot(problem, worker, route, visit)
        if slot == "fits":
            return Unplanned(
                visit.id,
                f"worker '{worker.id}' has a free slot for it; the search did not reach it "
                "within the time limit",
                "not_found",
            )
        over_shift += slot == "shift_over"
        over_work += slot == "max_work"
    if eligible and over_work == len(eligible):
        return Unplanned(
            visit.id,
            "every worker who can do it would exceed their maximum working time",
            "max_working_time",
        )
    if eligible and over_shift + over_work == len(eligible):
        return Unplanned(
            visit.id,
            "the shifts of the workers who can do it would run over to fit it in",
            "shift_over",
        )
    return Unplanned(
        visit.id, f"every worker who can do it is busy during its window {window}", "no_time"
    )


def _why_team_dropped(
    problem: Problem, by_worker: dict[str, Route], visit: Visit, eligible: list[Worker], window: str
) -> Unplanned:
    """A visit for several workers needs that many free at one time."""
    free = [w for w in eligible if _free_slot(problem, w, by_worker[w.id], visit) == "fits"]
    if len(free) >= visit.workers_needed:
        return Unplanned(
            visit.id,
            f"{len(free)} workers have a free slot for it; the search did not bring "
            f"{visit.workers_needed} of them together within the time limit",
            "not_found",
        )
    return Unplanned(
        visit.id,
        f"it needs {visit.workers_needed} workers at the same time, and only {len(free)} "
        f"of those who can do it have room "
        + ("during the day" if window == "00:00-24:00" else f"during its window {window}"),
        "no_team_time",
    )


def _free_slot(problem: Problem, worker: Worker, route: Route, visit: Visit) -> str:
    """'fits' if the visit fits a gap without moving other stops; else what blocks it."""
    travel = problem.travel_time[worker.travel_mode]
    locations = {v.id: v.location for v in problem.visits}
    worked = route.travel + route.service
    limit = worker.max_working_seconds
    if limit is not None and worked + visit.duration > limit:
        return "max_work"
    # Gaps: (free from, at location, next start or shift end, next location).
    points = [(route.start if route.stops else worker.shift_start, worker.start_location)]
    points += [(s.end, locations[s.visit_id]) for s in route.stops]
    nexts = [(s.start, locations[s.visit_id]) for s in route.stops]
    nexts.append((worker.shift_end, worker.end_location))
    lunch = worker.lunch.duration if worker.lunch and route.break_start is not None else 0
    blocked_by_shift = False
    for (free, here), (due, there) in zip(points, nexts, strict=True):
        start = max(free + travel[here][visit.location], visit.window_start)
        if start > visit.window_end:
            continue
        finish = start + visit.duration + travel[visit.location][there]
        in_gap = route.break_start is not None and free <= route.break_start < due
        if finish + (lunch if in_gap else 0) <= due:
            return "fits"
        blocked_by_shift |= there == worker.end_location and due == worker.shift_end
    return "shift_over" if blocked_by_shift else "busy"
