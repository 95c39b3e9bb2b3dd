"""An independent replay of a `Plan` against a `Problem`'s hard rules.

It recomputes every time from the matrices and knows nothing of the solver's model; it
returns the broken rules in words (an empty list means the plan is valid).

The office's lunch rule: a worker eats at a place, never inside a walk. Either at the start
point before leaving (the break ends by the departure), or at the place of a visit after it
ends (`Route.lunch_after`); the walk to the next door (or back to the end point) begins
only when the break is over. Lunch may use time the worker would otherwise wait at the next
door, since the worker then leaves later and still arrives in time.
"""

from __future__ import annotations

from collections import defaultdict

from planner.problem import Plan, Problem, Route, Stop, Visit, Worker


def violations(problem: Problem, plan: Plan) -> list[str]:
    found: list[str] = []
    visits = {v.id: v for v in problem.visits}
    workers = {w.id: w for w in problem.workers}
    served: dict[str, list[tuple[str, Stop]]] = defaultdict(list)
    for route in plan.routes:
        worker = workers.get(route.worker_id)
        if worker is None:
            found.append(f"route for unknown worker {route.worker_id}")
            continue
        for stop in route.stops:
            served[stop.visit_id].append((worker.id, stop))
        found += _route_violations(problem, worker, route, visits)
    unplanned = {u.visit_id for u in plan.unplanned}
    for u in plan.unplanned:
        if not u.reason or not u.code:
            found.append(f"{u.visit_id}: unplanned without a reason")
    for visit in problem.visits:
        found += _visit_violations(visit, served.get(visit.id, []), visit.id in unplanned)
    return found


def _visit_violations(visit: Visit, copies: list[tuple[str, Stop]], unplanned: bool) -> list[str]:
    found = []
    if not copies:
        if not unplanned:
            found.append(f"{visit.id}: neither planned nor unplanned")
        return found
    if unplanned:
        found.append(f"{visit.id}: both planned and unplanned")
    if len(copies) != visit.workers_needed:
        found.append(f"{visit.id}: {len(copies)} workers, needs {visit.workers_needed}")
    if len({w for w, _ in copies}) != len(copies):
        found.append(f"{visit.id}: the same worker twice")
    if len({s.start for _, s in copies}) != 1:
        found.append(f"{visit.id}: workers start at different times")
    for worker_id, stop in copies:
        if visit.pinned_worker is not None and worker_id != visit.pinned_worker:
            found.append(f"{visit.id}: pinned to {visit.pinned_worker}, planned for {worker_id}")
        if visit.pinned_start is not None and stop.start != visit.pinned_start:
            found.append(f"{visit.id}: pinned at {visit.pinned_start}, starts {stop.start}")
    return found


def _lunch_place(worker: Worker, route: Route) -> tuple[list[str], int | None]:
    """The broken lunch rules, and the stop after which lunch is taken (-1: before leaving;
    None: no lunch to take)."""
    lunch = worker.lunch
    if lunch is None:
        return [], None
    b0, b1 = route.break_start, route.break_end
    if b0 is None or b1 is None:
        return [f"{worker.id}: no lunch break"], None
    found = []
    if not lunch.earliest <= b0 <= lunch.latest or b1 - b0 != lunch.duration:
        found.append(f"{worker.id}: lunch {b0}-{b1} outside its window or wrong length")
    if route.lunch_after is None:
        if b0 < worker.shift_start:
            found.append(f"{worker.id}: lunch at the start point before the shift")
        if b1 > route.start:
            found.append(f"{worker.id}: leaves the start point at {route.start}, during lunch")
        return found, -1
    ids = [s.visit_id for s in route.stops]
    if route.lunch_after not in ids:
        return [*found, f"{worker.id}: lunch after {route.lunch_after}, not in the route"], None
    return found, ids.index(route.lunch_after)


def _route_violations(
    problem: Problem, worker: Worker, route: Route, visits: dict[str, Visit]
) -> list[str]:
    if not route.stops:
        return []
    found, after = _lunch_place(worker, route)
    if worker.lunch is not None and after is None:
        return found
    travel = problem.travel_time[worker.travel_mode]
    b0, b1 = route.break_start, route.break_end
    if route.start < worker.shift_start:
        found.append(f"{worker.id}: leaves at {route.start}, before the shift")
    # free_at: when the worker may set off from `place` (the walk begins no earlier).
    place, free_at, worked, load = worker.start_location, route.start, 0, 0
    for n, stop in enumerate(route.stops):
        visit = visits[stop.visit_id]
        leg = travel[place][visit.location]
        if stop.arrival < free_at + leg or stop.arrival > stop.start:
            found.append(f"{worker.id}/{visit.id}: arrives at {stop.arrival}, not possible")
        if stop.start < free_at + leg:
            found.append(f"{worker.id}/{visit.id}: starts before it can be reached")
        if stop.travel != leg or stop.end != stop.start + visit.duration:
            found.append(f"{worker.id}/{visit.id}: travel or end time do not match the matrix")
        if stop.wait != stop.start - stop.arrival:
            found.append(f"{worker.id}/{visit.id}: waiting time does not match")
        if visit.pinned_start is None and not visit.window_start <= stop.start <= visit.window_end:
            found.append(f"{worker.id}/{visit.id}: start {stop.start} outside its window")
        if not visit.required_skills <= worker.skills:
            found.append(f"{worker.id}/{visit.id}: lacks a required skill")
        worked += leg + visit.duration
        load += visit.demand
        place, free_at = visit.location, stop.end
        if after == n and b0 is not None and b1 is not None:
            if b0 < stop.end:
                found.append(f"{worker.id}/{visit.id}: lunch at {b0} before the visit ends")
            free_at = max(free_at, b1)  # eats here, then walks on
    back = travel[place][worker.end_location]
    worked += back
    if route.end < free_at + back:
        found.append(f"{worker.id}: reaches the end point before it can")
    if route.end > worker.shift_end:
        found.append(f"{worker.id}: ends at {route.end}, after the shift ({worker.shift_end})")
    if worker.max_working_seconds is not None and worked > worker.max_working_seconds:
        found.append(f"{worker.id}: works {worked} s, above {worker.max_working_seconds}")
    if worker.capacity is not None and load > worker.capacity:
        found.append(f"{worker.id}: load {load} above capacity {worker.capacity}")
    return found
