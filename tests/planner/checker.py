"""An independent replay of a `Plan` against a `Problem`'s hard rules.

It recomputes every time from the matrices and knows nothing of the solver's model; it
returns the broken rules in words (an empty list means the plan is valid).
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


def _route_violations(
    problem: Problem, worker: Worker, route: Route, visits: dict[str, Visit]
) -> list[str]:
    found: list[str] = []
    if not route.stops:
        return found
    travel = problem.travel_time[worker.travel_mode]
    lunch = worker.lunch
    b0, b1 = route.break_start, route.break_end
    if lunch is not None:
        if b0 is None or b1 is None:
            return [f"{worker.id}: no lunch break"]
        if not lunch.earliest <= b0 <= lunch.latest or b1 - b0 != lunch.duration:
            found.append(f"{worker.id}: lunch {b0}-{b1} outside its window or wrong length")
    if route.start < worker.shift_start:
        found.append(f"{worker.id}: leaves at {route.start}, before the shift")
    place, free_at, worked, load = worker.start_location, route.start, 0, 0
    lunch_placed = lunch is None
    for stop in route.stops:
        visit = visits[stop.visit_id]
        leg = travel[place][visit.location]
        needed = leg
        if lunch is not None and free_at <= b0 and b1 <= stop.start:
            needed += lunch.duration  # lunch taken in this gap
            lunch_placed = True
        if stop.start < free_at + needed:
            found.append(f"{worker.id}/{visit.id}: starts before it can be reached")
        if stop.travel != leg or stop.end != stop.start + visit.duration:
            found.append(f"{worker.id}/{visit.id}: travel or end time do not match the matrix")
        if visit.pinned_start is None and not visit.window_start <= stop.start <= visit.window_end:
            found.append(f"{worker.id}/{visit.id}: start {stop.start} outside its window")
        if not visit.required_skills <= worker.skills:
            found.append(f"{worker.id}/{visit.id}: lacks a required skill")
        if lunch is not None and b0 < stop.end and stop.start < b1:
            found.append(f"{worker.id}/{visit.id}: overlaps the lunch break")
        worked += leg + visit.duration
        load += visit.demand
        place, free_at = visit.location, stop.end
    back = travel[place][worker.end_location]
    worked += back
    needed = back
    if lunch is not None and not lunch_placed and b0 < free_at + back:
        needed += lunch.duration  # lunch on the way back (or else after arriving)
        lunch_placed = free_at <= b0 and b1 <= route.end
    elif lunch is not None and not lunch_placed:
        lunch_placed = b0 >= free_at + back  # after the day's last arrival
    if not lunch_placed:
        found.append(f"{worker.id}: lunch break not in a gap between visits")
    if route.end < free_at + needed:
        found.append(f"{worker.id}: reaches the end point before it can")
    if route.end > worker.shift_end:
        found.append(f"{worker.id}: ends at {route.end}, after the shift ({worker.shift_end})")
    if worker.max_working_seconds is not None and worked > worker.max_working_seconds:
        found.append(f"{worker.id}: works {worked} s, above {worker.max_working_seconds}")
    if worker.capacity is not None and load > worker.capacity:
        found.append(f"{worker.id}: load {load} above capacity {worker.capacity}")
    return found
