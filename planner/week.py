"""Plans over a week or a month: the planner chooses each movable visit's day and worker,
then routes every day with the day solver (`planner.solver.solve`).

Input: `WeekProblem` (the period, the working calendar, workers with their days and zones,
clients with care plans, one travel matrix). `tasks_for_period` expands the care plans into
tasks, one per occurrence of a line, each with the days it may take (its rule's day alone
when the line is fixed). `plan_week`:

1. drops from each task the days on which nobody who can serve the client works (a
   non-working day without a duty shift, absences); a task left with no day is unplanned,
   with the reason;
2. chooses each task's day and each client-day's worker(s) with CP-SAT
   (`planner._week_assign`): every worker-day within the shift with an estimate of its
   travel, worker-days and days even, the usual worker kept, little travel, visits near their rule's
   day; fixed tasks never move;
3. routes every day with the day solver, which evens the day's routes (`fairness_weight`)
   and keeps each client's usual worker where it can;
4. where a day's routes leave a visit out, moves its movable tasks to another allowed day
   with the most room and routes the days again (`WeekParams.repair_rounds`).

`plan_by_rule` is the baseline: every task on its rule's day, every day routed as it is.
Pure: dataclasses in and out, no database.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import replace
from datetime import date

from planner import _week_assign
from planner._week_office import Office
from planner.calendar import days_between
from planner.problem import SolveParams
from planner.week_problem import (
    Progress,
    WeekParams,
    WeekPlan,
    WeekProblem,
)


def plan_week(
    problem: WeekProblem, params: WeekParams = WeekParams(), on_progress: Progress | None = None
) -> WeekPlan:
    """Choose days and workers, route every day, move what a day cannot hold (see above)."""
    began = time.monotonic()
    office = Office(problem, params)
    tasks, unplanned = office.serveable_tasks()
    _say(on_progress, 2, "choosing days and workers")
    choice = _week_assign.choose(office, tasks, params)
    # what the estimates leave out still goes to the day solver, on its rule's day (or the
    # nearest allowed): the routes, not the estimates, say whether it fits
    placed = {t.id: choice.days.get(t.id, t.allowed[0]) for t in tasks}
    by_id = {t.id: t for t in tasks}
    days = days_between(problem.start, problem.end)
    plans = office.route_days(days, placed, params.day_time_limit_s, on_progress, choice.workers)
    tried: dict[str, set[date]] = defaultdict(set)
    for _ in range(params.repair_rounds):
        moved = office.repair(plans, placed, by_id, tried, choice.workers)
        if not moved:
            break
        _say(on_progress, 90, f"routing {len(moved)} days again")
        again = sorted(moved)
        plans.update(
            office.route_days(again, placed, params.repair_time_limit_s, None, choice.workers)
        )
    return office.week_plan(days, plans, placed, unplanned, began)


def plan_by_rule(
    problem: WeekProblem, params: WeekParams = WeekParams(), on_progress: Progress | None = None
) -> WeekPlan:
    """The baseline: each task on its rule's day, each day routed by the day solver as the
    day planner runs it (its own fairness), with the client's usual worker (or zone's
    worker) preferred; nothing moves."""
    began = time.monotonic()
    fixed = replace(problem, tasks=tuple(replace(t, allowed=(t.day,)) for t in problem.tasks))
    office = Office(fixed, replace(params, fairness_weight=SolveParams().fairness_weight))
    tasks, unplanned = office.serveable_tasks()
    placed = {t.id: t.day for t in tasks}
    days = days_between(problem.start, problem.end)
    plans = office.route_days(days, placed, params.day_time_limit_s, on_progress)
    return office.week_plan(days, plans, placed, unplanned, began)


def _say(on_progress: Progress | None, percent: float, what: str) -> None:
    if on_progress is not None:
        on_progress(percent, what)
