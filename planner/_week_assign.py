"""Choosing each task's day and each client-day's workers for a period, with CP-SAT.

Variables: `x[t, d]` task t on day d (one of its allowed days, or left out at a high
price), `z[c, d, w]` worker w visits client c on day d (as many workers as the client needs,
among the day's candidates), `u[t, d, w]` worker w does task t on day d (only with the
client's worker(s) of that day: a client's tasks on one day make one visit). A worker-day's
load is the minutes of its tasks plus the walk to a neighbour per visit, at most the
worker-day's room. The objective, in minutes: the travel estimates, the load above the
period's mean worker-day (evenness), the largest worker-day and the heaviest day's mean
worker-day, a visit by someone other than the usual worker, a task moved away from its
rule's day, and tasks left out. Fixed tasks have one
allowed day, so they never move. A greedy plan (`_greedy`) is the search's first solution.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from planner.week_problem import Task, WeekParams

if TYPE_CHECKING:
    from planner._week_office import Office

LEFT_OUT_MIN = 2000  # per task left out
OVER_MEAN_WEIGHT = 2  # per minute a worker-day is above the mean worker-day
PEAK_WEIGHT = 20  # per minute of the largest worker-day
DAY_PEAK_WEIGHT = 200  # per minute of the largest day's mean worker-day
OTHER_WORKER_MIN = 15  # a visit not by the usual worker
MOVED_DAY_MIN = 3  # per day a task moves from its rule's day


@dataclass(slots=True)
class Choice:
    days: dict[str, date]  # task id -> day (tasks left out are absent)
    workers: dict[tuple[str, date], tuple[str, ...]]  # (client, day) -> workers


def choose(office: Office, tasks: list[Task], params: WeekParams) -> Choice:
    greedy = _greedy(office, tasks)
    model = cp_model.CpModel()
    x: dict[tuple[str, date], cp_model.IntVar] = {}
    u: dict[tuple[str, date, str], cp_model.IntVar] = {}
    z: dict[tuple[str, date, str], cp_model.IntVar] = {}
    load: dict[tuple[str, date], list[cp_model.LinearExprT]] = defaultdict(list)
    hinted_load: dict[tuple[str, date], int] = defaultdict(int)
    objective: list[cp_model.LinearExprT] = []
    candidates = {
        (t.client_id, d): office.candidates(t.client_id, d) for t in tasks for d in t.allowed
    }
    for (client_id, day), workers in candidates.items():
        usual = office.usual(client_id)
        for worker_id in workers:
            var = z[(client_id, day, worker_id)] = model.new_bool_var("")
            travel = round(office.travel_estimate(client_id, worker_id) / 60)
            objective.append((travel + OTHER_WORKER_MIN * (worker_id != usual)) * var)
            # The day solver gives a visit far from a worker's zone to whoever passes near
            # it, so room counts the walk between neighbours only: with the way from the
            # zone too, a weekend's few workers seemed full and its visits were left to
            # fall on their rule's day, beyond what the days' evenness saw.
            leg = round(office.neighbour_leg(client_id) / 60)
            load[(worker_id, day)].append(leg * var)
            hinted = worker_id in greedy.workers.get((client_id, day), ())
            model.add_hint(var, hinted)
            hinted_load[(worker_id, day)] += leg * hinted
    per_line: dict[tuple[str, int, date], list[cp_model.IntVar]] = defaultdict(list)
    for task in tasks:
        needed = office.clients[task.client_id].workers_needed
        options = []
        for day in task.allowed:
            var = x[(task.id, day)] = model.new_bool_var("")
            options.append(var)
            per_line[(task.client_id, task.line, day)].append(var)
            on_day = greedy.days.get(task.id) == day
            model.add_hint(var, on_day)
            objective.append(MOVED_DAY_MIN * abs((day - task.day).days) * var)
            doers = []
            for worker_id in candidates[(task.client_id, day)]:
                does = u[(task.id, day, worker_id)] = model.new_bool_var("")
                model.add_implication(does, z[(task.client_id, day, worker_id)])
                load[(worker_id, day)].append(task.minutes * does)
                hinted = on_day and worker_id in greedy.workers.get((task.client_id, day), ())
                model.add_hint(does, hinted)
                hinted_load[(worker_id, day)] += task.minutes * hinted
                doers.append(does)
            model.add(sum(doers) == needed * var)
        out = model.new_bool_var("")
        model.add_hint(out, task.id not in greedy.days)
        model.add_exactly_one([*options, out])
        objective.append(LEFT_OUT_MIN * out)
    for same in per_line.values():
        if len(same) > 1:
            model.add_at_most_one(same)
    # a worker visits a client on a day only to do some of their tasks; a team is complete
    tasks_of: dict[tuple[str, date], list[Task]] = defaultdict(list)
    for task in tasks:
        for day in task.allowed:
            tasks_of[(task.client_id, day)].append(task)
    for (client_id, day), workers in candidates.items():
        needed = office.clients[client_id].workers_needed
        visit = [z[(client_id, day, w)] for w in workers]
        for worker_id in workers:
            doing = [u[(t.id, day, worker_id)] for t in tasks_of[(client_id, day)]]
            model.add_bool_or(doing).only_enforce_if(z[(client_id, day, worker_id)])
        model.add(sum(visit) <= needed)

    worker_days = [(w, d) for (w, d), on in office.works.items() if on]
    total = sum(t.minutes for t in tasks) + 5 * len({(t.client_id, t.day) for t in tasks})
    mean = total // max(len(worker_days), 1)
    peak = model.new_int_var(0, 24 * 60, "peak")
    model.add_hint(peak, max(hinted_load.values(), default=0))
    for worker_id, day in worker_days:
        terms = load.get((worker_id, day))
        if not terms:
            continue
        day_load = sum(terms)
        model.add(day_load <= office.room(worker_id, day) // 60)
        model.add(day_load <= peak)
        over = model.new_int_var(0, 24 * 60, "")
        model.add(over >= day_load - mean)
        model.add_hint(over, max(hinted_load[(worker_id, day)] - mean, 0))
        objective.append(OVER_MEAN_WEIGHT * over)
    objective.append(PEAK_WEIGHT * peak)
    # The day solver evens a day's routes among those on duty, so the heaviest worker-day
    # of the week is about the heaviest day's mean: the days are evened as well.
    on_duty: dict[date, int] = defaultdict(int)
    day_terms: dict[date, list[cp_model.LinearExprT]] = defaultdict(list)
    for worker_id, day in worker_days:
        on_duty[day] += 1
        day_terms[day] += load.get((worker_id, day), [])
    day_peak = model.new_int_var(0, 24 * 60, "day_peak")
    hinted_days = {d: sum(hinted_load[(w, d)] for w, dd in worker_days if dd == d) for d in on_duty}
    model.add_hint(day_peak, max((-(-v // on_duty[d]) for d, v in hinted_days.items()), default=0))
    for day, terms in day_terms.items():
        model.add(sum(terms) <= on_duty[day] * day_peak)
    objective.append(DAY_PEAK_WEIGHT * day_peak)
    model.minimize(sum(objective))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = params.assign_time_limit_s
    solver.parameters.num_workers = max(params.workers, 1)
    solver.parameters.random_seed = params.seed
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return greedy
    days = {t.id: d for t in tasks for d in t.allowed if solver.boolean_value(x[(t.id, d)])}
    chosen: dict[tuple[str, date], tuple[str, ...]] = defaultdict(tuple)
    for (client_id, day, worker_id), var in z.items():
        if solver.boolean_value(var):
            chosen[(client_id, day)] += (worker_id,)
    return Choice(days, dict(chosen))


def _greedy(office: Office, tasks: list[Task]) -> Choice:
    """Fixed tasks first, then movable ones with the fewest days: each to the day and the
    candidate worker(s) with the most room left, joining the client's visit of the day."""
    left: dict[tuple[str, date], int] = {}
    days: dict[str, date] = {}
    workers: dict[tuple[str, date], tuple[str, ...]] = {}
    taken: set[tuple[str, int, date]] = set()

    def room(worker_id: str, day: date) -> int:
        if (worker_id, day) not in left:
            left[(worker_id, day)] = office.room(worker_id, day) // 60
        return left[(worker_id, day)]

    def cost(task: Task, day: date) -> tuple[int, tuple[str, ...]] | None:
        """Minutes the task adds on that day, and by whom; None when it does not fit."""
        key = (task.client_id, day)
        if (task.client_id, task.line, day) in taken:
            return None
        if key in workers:
            team = workers[key]
            fits = all(room(w, day) >= task.minutes for w in team)
            return (task.minutes, team) if fits else None
        needed = office.clients[task.client_id].workers_needed
        usual = office.usual(task.client_id)
        scored = []
        for w in office.candidates(task.client_id, day):
            need = task.minutes + round(office.travel_estimate(task.client_id, w) / 60)
            if room(w, day) >= need:
                scored.append((w != usual and room(w, day) < 2 * need, -room(w, day), w, need))
        if len(scored) < needed:
            return None
        scored.sort()
        return max(s[3] for s in scored[:needed]), tuple(s[2] for s in scored[:needed])

    ordered = sorted(tasks, key=lambda t: (not t.fixed, len(t.allowed)))
    for task in ordered:
        best: tuple[tuple[bool, int, int], int, date, tuple[str, ...]] | None = None
        for rank, day in enumerate(task.allowed):
            found = cost(task, day)
            if found is None:
                continue
            minutes, team = found
            spare = min(room(w, day) for w in team) - minutes
            key = ((task.client_id, day) not in workers, -spare // 60, rank)
            if best is None or key < best[0]:
                best = (key, minutes, day, team)
        if best is None:
            continue
        _, minutes, day, team = best
        days[task.id] = day
        taken.add((task.client_id, task.line, day))
        fresh = (task.client_id, day) not in workers
        workers[(task.client_id, day)] = team
        for w in team:
            left[(w, day)] = room(w, day) - (minutes if fresh else task.minutes)
    return Choice(days, workers)
