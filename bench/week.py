"""Week plans side by side on a generated office-week (`bench.week_gen`, a holiday in it):

(a) days fixed by rule, each day planned by the day solver (the baseline);
(b) the week planner (`planner.week.plan_week`);
(c) the week as an office plans it by hand: each worker serves their zone's visits of the
    day (a zone whose worker is off goes to the worker on duty nearest to it) in
    nearest-next order from the office, waiting for windows, lunch when it is due, back by
    the end of the shift; what does not fit is unplanned.
(d) where queued clients fit: one client in fifty is held out of the week as the queue;
    each one's best option (`planner.fit.advise`) is added to the week as advised and routed
    by the day solver (`bench.week_fit`): the same worker and days, travel within 10 %.

A visit here is one occurrence of a care-plan line (a client's lines due on one day are
served in one stop). Run: .venv/bin/python -m bench.week [--quick] [--month] [--seed 1]
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date

from bench.week_fit import Checked, check, hold_out
from bench.week_gen import generate
from planner._week_office import Office, week_stats
from planner.calendar import days_between
from planner.problem import Plan, Problem, Route, Stop, Unplanned, Visit, Worker
from planner.week import plan_by_rule, plan_week
from planner.week_problem import DayPlan, WeekParams, WeekProblem

DAYS_PER_MONTH = 30.4
QUEUE_EVERY = 50  # one client in fifty waits in the queue (held out of the week)


@dataclass(frozen=True, slots=True)
class Row:
    name: str
    stats: dict[str, float]
    seconds: float
    left_by_day: tuple[int, ...]  # client-day visits left out of the routes, day by day


def by_hand(problem: WeekProblem, params: WeekParams) -> tuple[list[DayPlan], int]:
    """(c): zones and nearest-next, no optimisation; the day plans and the tasks planned."""
    office = Office(problem, params)
    tasks, _ = office.serveable_tasks()
    placed = {t.id: t.day for t in tasks if t.allowed[0] == t.day or t.day in t.allowed}
    days = []
    planned = 0
    for day in days_between(problem.start, problem.end):
        day_problem = office.day_problem(day, placed)
        plan = _hand_day(office, day_problem, day)
        days.append(DayPlan(day, day_problem, plan))
        done = {s.visit_id for r in plan.routes for s in r.stops}
        planned += sum(
            1 for t in tasks if placed.get(t.id) == day and f"{t.client_id}@{day}" in done
        )
    return days, planned


def _hand_day(office: Office, problem: Problem, day: date) -> Plan:
    matrix = office.matrix
    on_duty = {w.id: w for w in problem.workers}
    share: dict[str, list[Visit]] = defaultdict(list)
    for visit in problem.visits:
        usual = office.usual(visit.client_id)
        if usual in on_duty and visit.required_skills <= on_duty[usual].skills:
            share[usual].append(visit)
            continue
        able = [w for w in on_duty.values() if visit.required_skills <= w.skills]
        if able:
            near = min(able, key=lambda w: matrix[office._centre[w.id]][visit.location])
            share[near.id].append(visit)
    routes, unplanned = [], []
    for worker in problem.workers:
        route, left = _nearest_next(matrix, worker, share.get(worker.id, []))
        routes.append(route)
        unplanned += [
            Unplanned(v.id, "does not fit the worker's day by hand", "no_time") for v in left
        ]
    return Plan(routes=routes, unplanned=unplanned)


def _nearest_next(
    matrix: list[list[int]], worker: Worker, visits: list[Visit]
) -> tuple[Route, list[Visit]]:
    place, now = worker.start_location, worker.shift_start
    lunch = worker.lunch
    lunch_at: int | None = None  # lunch at a place: the start point or after a visit
    lunch_after: str | None = None
    left = list(visits)
    stops: list[Stop] = []
    while left:
        if lunch is not None and lunch_at is None and now >= lunch.earliest:
            lunch_at, lunch_after = now, stops[-1].visit_id if stops else None
            now = lunch_at + lunch.duration
        best = None
        for visit in left:
            leg = matrix[place][visit.location]
            start = max(now + leg, visit.window_start)
            end = start + visit.duration
            if lunch is not None and lunch_at is None and end > lunch.latest:
                continue  # lunch first
            back = end + matrix[visit.location][worker.end_location]
            if start > visit.window_end or back > worker.shift_end:
                continue
            if best is None or leg < best[0]:
                best = (leg, start, visit)
        if best is None:
            if lunch is not None and lunch_at is None:
                lunch_at = max(now, lunch.earliest)
                if lunch_at > lunch.latest:
                    break
                lunch_after = stops[-1].visit_id if stops else None
                now = lunch_at + lunch.duration
                continue
            break
        leg, start, visit = best
        stops.append(
            Stop(visit.id, now + leg, start, start + visit.duration, leg, start - now - leg)
        )
        left.remove(visit)
        place, now = visit.location, start + visit.duration
    if not stops:
        return Route(worker.id, worker.shift_start, worker.shift_start, ()), left
    if lunch is not None and lunch_at is None:  # the day's visits ended before lunch
        lunch_at, lunch_after = max(now, lunch.earliest), stops[-1].visit_id
        now = lunch_at + lunch.duration
    back = matrix[place][worker.end_location]
    start = worker.shift_start
    if lunch_at is not None and lunch_after is None and lunch is not None:
        start = lunch_at + lunch.duration  # ate at the office, then left
    travel = sum(s.travel for s in stops) + back
    service = sum(s.end - s.start for s in stops)
    lunch_end = None if lunch_at is None or lunch is None else lunch_at + lunch.duration
    return (
        Route(
            worker.id,
            start,
            now + back,
            tuple(stops),
            lunch_at,
            lunch_end,
            lunch_after=lunch_after,
            travel=travel,
            service=service,
            wait=sum(s.wait for s in stops),
        ),
        left,
    )


def run(
    quick: bool,
    seed: int,
    group_workers: int | None = None,
    fairness: int | None = None,
    days: int = 7,
) -> tuple[list[Row], list[Checked]]:
    if quick:
        office = generate(workers=10, clients=125, seed=seed, days=days)
        params = WeekParams(assign_time_limit_s=5, day_time_limit_s=3, repair_time_limit_s=2)
    else:
        office = generate(seed=seed, days=days)
        params = WeekParams()
    if group_workers is not None:
        params = replace(params, group_workers=group_workers)
    if fairness is not None:
        params = replace(params, fairness_weight=fairness)
    problem, queued = hold_out(office.problem, every=QUEUE_EVERY)
    rows = []
    began = time.monotonic()
    baseline = plan_by_rule(problem, params)
    rows.append(
        Row(
            "(a) by rule + day solver",
            baseline.stats,
            time.monotonic() - began,
            _left(baseline.days),
        )
    )
    began = time.monotonic()
    week = plan_week(problem, params)
    rows.append(Row("(b) week planner", week.stats, time.monotonic() - began, _left(week.days)))
    checked = [check(problem, week, client)[0] for client in queued]
    began = time.monotonic()
    hand, planned = by_hand(problem, params)
    stats = week_stats(Office(problem, params), hand, len(problem.tasks), planned)
    rows.append(Row("(c) by hand", stats, time.monotonic() - began, _left(hand)))
    return rows, checked


def _left(days: list[DayPlan]) -> tuple[int, ...]:
    return tuple(len(d.plan.unplanned) for d in days)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a small office (10 x 125)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--group-workers", type=int, help="workers per routed group (0: whole day)")
    parser.add_argument(
        "--fairness", type=int, help="the day solver's price per second above the mean"
    )
    parser.add_argument(
        "--month", action="store_true", help="30 days (2 November - 1 December) instead of 7"
    )
    args = parser.parse_args()
    days = 30 if args.month else 7
    rows, checked = run(args.quick, args.seed, args.group_workers, args.fairness, days)
    workers = 10 if args.quick else 40
    month = DAYS_PER_MONTH / days / workers
    head = (
        f"{'':26} {'due':>5} {'planned':>7} {'unpl.':>5} {'max/mean':>8} {'own':>5} {'sd min':>6} "
        f"{'travel min':>10} {'travel h/w/mo':>13} {'services/w/mo':>13} {'s':>6}"
    )
    print(head)
    for row in rows:
        s = row.stats
        print(
            f"{row.name:26} {s['due']:5.0f} {s['planned']:7.0f} {s['unplanned']:5.0f} "
            f"{s['day_load_max_mean']:8.2f} {s['worker_load_max_mean']:5.2f} "
            f"{s['day_load_std_min']:6.0f} {s['travel_min']:10.0f} "
            f"{s['travel_min'] / 60 * month:13.1f} {s['planned'] * month:13.0f} {row.seconds:6.0f}"
        )
    print("visits left out of the routes, day by day from Monday:")
    for row in rows:
        print(f"  {row.name:26} {' '.join(f'{n:4d}' for n in row.left_by_day)}")
    fits = [c for c in checked if c.fits]
    advised = sum(c.advised_travel_s for c in fits) / 60
    routed = sum(c.solved_travel_s for c in fits) / 60
    print(
        f"(d) where queued clients fit: {len(checked)} queued, {len(fits)} with an option, "
        f"{sum(c.as_advised for c in fits)} planned as advised (the same worker and days, travel "
        f"within 10 %); the workers' travel on the advised days {advised:.0f} min advised, "
        f"{routed:.0f} min routed; worker-days where the day solver dropped other visits: "
        f"{sum(c.note.count('other visits left out') for c in fits)}"
    )
    for c in fits:
        if not c.as_advised:
            print(f"  {c.client_id} not as advised: {c.note}")
    base, week = rows[0].stats, rows[1].stats
    print(
        f"{'month' if args.month else 'week'}: unplanned={week['unplanned']:.0f} "
        f"baseline_unplanned={base['unplanned']:.0f} "
        f"day_load_max_mean={week['day_load_max_mean']:.2f} "
        f"travel_vs_baseline={week['travel_min'] / max(base['travel_min'], 1):.3f} "
        f"seconds={rows[1].seconds:.0f} "
        f"worker_load_max_mean={week['worker_load_max_mean']:.2f}"
    )


if __name__ == "__main__":
    main()
