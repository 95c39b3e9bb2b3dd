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


def reason_violations(problem: Problem, plan: Plan) -> list[str]:
    """Reasons for left-out single visits that a replay finds false.

    Each visit is tried in every position of every route of a worker who may take it, by a
    schedule of its own here (earliest starts, lunch tried at every place in turn): "no
    room" reasons hold only if no position takes it; a reason naming a rule (lunch, shift
    end, working time) holds only if lifting that rule lets every such worker take it; "has
    a free slot" only if some position does.
    """
    found: list[str] = []
    visits = {v.id: v for v in problem.visits}
    routes = {r.worker_id: r for r in plan.routes}
    relief = {"lunch": "lunch", "shift_over": "shift", "max_working_time": "max_work"}
    for left in plan.unplanned:
        visit = visits[left.visit_id]
        if visit.workers_needed > 1 or left.code not in (*relief, "no_time", "not_found"):
            continue
        able = [
            w
            for w in problem.workers
            if visit.required_skills <= w.skills and visit.pinned_worker in (None, w.id)
        ]
        fits = [_takes(problem, w, routes.get(w.id), visits, visit, None) for w in able]
        if left.code == "not_found":
            if not any(fits):
                found.append(f"{visit.id}: said to have a free slot, none takes it")
            continue
        if any(fits):
            found.append(f"{visit.id}: '{left.code}', yet a route takes it")
        rule = relief.get(left.code)
        if rule is not None and not all(
            _takes(problem, w, routes.get(w.id), visits, visit, rule) for w in able
        ):
            found.append(f"{visit.id}: '{left.code}', yet lifting it is not enough")
    return found


def _takes(
    problem: Problem,
    worker: Worker,
    route: Route | None,
    visits: dict[str, Visit],
    visit: Visit,
    lifted: str | None,
) -> bool:
    """Whether some position of the route takes `visit` (with one rule lifted, if named)."""
    stops = [] if route is None else list(route.stops)
    calls = [
        (visits[s.visit_id], s.start if visits[s.visit_id].workers_needed > 1 else None)
        for s in stops
    ]
    return any(
        _feasible(problem, worker, [*calls[:at], (visit, None), *calls[at:]], lifted)
        for at in range(len(calls) + 1)
    )


def _feasible(
    problem: Problem, worker: Worker, calls: list[tuple[Visit, int | None]], lifted: str | None
) -> bool:
    """Earliest starts along the order, lunch at the start point or after each visit in turn."""
    travel = problem.travel_time[worker.travel_mode]
    lunch = None if lifted == "lunch" else worker.lunch
    shift_end = 10**9 if lifted == "shift" else worker.shift_end
    limit = None if lifted == "max_work" else worker.max_working_seconds
    for place_of_lunch in range(-1, len(calls)) if lunch is not None else [None]:
        t, here, worked, ok = worker.shift_start, worker.start_location, 0, True
        if lunch is not None and place_of_lunch == -1:
            if max(t, lunch.earliest) > lunch.latest:
                continue
            t = max(t, lunch.earliest) + lunch.duration
        for n, (visit, fixed) in enumerate(calls):
            low, high = visit.window_start, visit.window_end
            if visit.pinned_start is not None:
                low = high = visit.pinned_start
            if fixed is not None:
                low, high = max(low, fixed), min(high, fixed)
            start = max(low, t + travel[here][visit.location])
            worked += travel[here][visit.location] + visit.duration
            if start > high:
                ok = False
                break
            t, here = start + visit.duration, visit.location
            if lunch is not None and place_of_lunch == n:
                if max(t, lunch.earliest) > lunch.latest:
                    ok = False
                    break
                t = max(t, lunch.earliest) + lunch.duration
        back = travel[here][worker.end_location]
        worked += back
        if not ok or t + back > shift_end or (limit is not None and worked > limit):
            continue
        if worker.capacity is not None and sum(v.demand for v, _ in calls) > worker.capacity:
            continue
        return True
    return False
