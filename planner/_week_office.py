"""The week planner's view of an office: who works when, who is whose, estimates of travel
and room per worker-day, routing the days and moving what a day cannot hold."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from statistics import pstdev

from planner.calendar import days_between
from planner.problem import Plan, Problem, SolveParams, Visit
from planner.recurrence import CareClient
from planner.solver import solve
from planner.week_problem import (
    DayPlan,
    Progress,
    Task,
    TaskUnplanned,
    WeekParams,
    WeekPlan,
    WeekProblem,
    WeekWorker,
)

NEIGHBOURS = 2  # a visit's travel is estimated as the mean leg to its nearest neighbours


class Office:
    def __init__(self, problem: WeekProblem, params: WeekParams) -> None:
        self.problem, self.params = problem, params
        self.workers = {w.id: w for w in problem.workers}
        self.clients = {c.id: c for c in problem.clients}
        self.tasks_of: dict[str, list[Task]] = defaultdict(list)
        for task in problem.tasks:
            self.tasks_of[task.client_id].append(task)
        cal = problem.calendar
        self.works = {
            (w.id, d): w.availability.works_on(d, cal)
            for w in problem.workers
            for d in _period(problem)
        }
        self.matrix = next(iter(problem.travel_time.values()))
        self._zone_owner = {w.zone: w.id for w in problem.workers if w.zone is not None}
        self._centre = {w.id: self._zone_centre(w) for w in problem.workers}
        self._leg = {c.id: self._neighbour_leg(c) for c in problem.clients}
        self._order = self._worker_order()

    # --- who, where, how much ------------------------------------------------------------

    def location(self, client_id: str) -> int:
        index = self.clients[client_id].location_index
        if index is None:
            raise ValueError(f"client {client_id}: no location index for the travel matrix")
        return index

    def usual(self, client_id: str) -> str | None:
        """The client's usual worker: the care plan's preferred one, else the zone's."""
        client = self.clients[client_id]
        if client.preferred_worker in self.workers:
            return client.preferred_worker
        zone = self.problem.zones.get(client_id)
        return self._zone_owner.get(zone) if zone is not None else None

    def skills(self, client_id: str) -> frozenset[str]:
        client = self.clients[client_id]
        lines = {t.required_skill for t in self.tasks_of[client_id] if t.required_skill}
        return client.required_skills | frozenset(lines)

    def candidates(self, client_id: str, day: date) -> list[str]:
        """Workers on duty that day who can serve the client, the usual one first, then by
        distance from their zone; as many as `params.candidates` (two more for a team)."""
        needed = self.skills(client_id)
        place, usual = self.location(client_id), self.usual(client_id)
        able = [
            w.id
            for w in self.problem.workers
            if self.works[(w.id, day)] and needed <= w.worker.skills
        ]
        able.sort(key=lambda w: (w != usual, self.matrix[self._centre[w]][place], w))
        keep = self.params.candidates + self.clients[client_id].workers_needed - 1
        return able[:keep]

    def travel_estimate(self, client_id: str, worker_id: str) -> int:
        """Seconds of travel a visit adds to the worker's day: a leg to a neighbour, plus
        part of the way from the worker's zone when it is not in it."""
        leg = self._leg[client_id]
        zone = self.workers[worker_id].zone
        if zone is not None and self.problem.zones.get(client_id) == zone:
            return leg
        away = self.matrix[self._centre[worker_id]][self.location(client_id)]
        return leg + int(away * self.params.away_share)

    def neighbour_leg(self, client_id: str) -> int:
        """Seconds of a leg from the client to a neighbour in the zone."""
        return self._leg[client_id]

    def room(self, worker_id: str, day: date) -> int:
        """Seconds of visits and travel a worker-day may take: the shift less lunch and the
        trip to the zone and back, times `params.fill`."""
        worker = self.workers[worker_id].worker
        shift = worker.shift_end - worker.shift_start
        if worker.max_working_seconds is not None:
            shift = min(shift, worker.max_working_seconds)
        lunch = worker.lunch.duration if worker.lunch is not None else 0
        centre = self._centre[worker_id]
        trip = self.matrix[worker.start_location][centre] + self.matrix[centre][worker.end_location]
        return max(int((shift - lunch - trip) * self.params.fill), 0)

    def _zone_centre(self, worker: WeekWorker) -> int:
        """The matrix row of the zone's middle client (the start point without a zone)."""
        members = [
            self.location(c)
            for c, zone in self.problem.zones.items()
            if zone == worker.zone and c in self.clients
        ]
        if worker.zone is None or not members:
            return worker.worker.start_location
        return min(members, key=lambda i: sum(self.matrix[i][j] for j in members))

    def _neighbour_leg(self, client: CareClient) -> int:
        zone = self.problem.zones.get(client.id)
        place = self.location(client.id)
        others = [
            self.location(c)
            for c in self.clients
            if c != client.id and (zone is None or self.problem.zones.get(c) == zone)
        ]
        legs = sorted(self.matrix[place][j] for j in others)[:NEIGHBOURS]
        return sum(legs) // len(legs) if legs else 0

    # --- tasks -----------------------------------------------------------------------------

    def serveable_tasks(self) -> tuple[list[Task], list[TaskUnplanned]]:
        """Tasks with only the days on which someone who can serve the client works; those
        left with no day are unplanned, with the reason."""
        kept: list[Task] = []
        lost: list[TaskUnplanned] = []
        for task in self.problem.tasks:
            days = tuple(d for d in task.allowed if self.candidates(task.client_id, d))
            if days:
                kept.append(replace(task, allowed=days))
                continue
            why = self.problem.calendar.why_off(task.day)
            where = f"{task.day.isoformat()} ({why})" if why else task.day.isoformat()
            reason = (
                f"nobody who can serve the client works on {where}, and the line is fixed"
                if task.fixed
                else "nobody who can serve the client works on any day within its tolerance"
            )
            lost.append(TaskUnplanned(task.id, task.day, reason, "no_one_on_duty"))
        return kept, lost

    # --- days ------------------------------------------------------------------------------

    def day_problem(self, day: date, placed: dict[str, date]) -> Problem:
        """The day's visits (a client's tasks on the day in one visit) for the day solver,
        each with the client's usual worker: when that worker is off, the day solver chooses
        (it measures the routes; the week's choice of worker only estimates their room)."""
        due: dict[str, list[Task]] = defaultdict(list)
        for task in self.problem.tasks:
            if placed.get(task.id) == day:
                due[task.client_id].append(task)
        visits = []
        for client_id, tasks in due.items():
            client = self.clients[client_id]
            skills = client.required_skills | {t.required_skill for t in tasks if t.required_skill}
            visits.append(
                Visit(
                    id=f"{client_id}@{day.isoformat()}",
                    client_id=client_id,
                    client_name=client.name,
                    location=self.location(client_id),
                    duration=sum(t.minutes for t in tasks) * 60,
                    window_start=client.window_start,
                    window_end=client.window_end,
                    required_skills=frozenset(skills),
                    preferred_worker=self.usual(client_id),
                    workers_needed=client.workers_needed,
                    services=tuple(t.service_code for t in tasks),
                )
            )
        on_duty = tuple(w.worker for w in self.problem.workers if self.works[(w.id, day)])
        return Problem(
            workers=on_duty,
            visits=tuple(visits),
            travel_time=self.problem.travel_time,
            distance=self.problem.distance,
            locations=self.problem.locations,
        )

    def route_days(
        self,
        days: Iterable[date],
        placed: dict[str, date],
        time_limit_s: float,
        on_progress: Progress | None,
        workers: dict[tuple[str, date], tuple[str, ...]] | None = None,
    ) -> dict[date, DayPlan]:
        """Route each day whole, as the day planner does: each visit toward the client's
        usual worker, the day solver choosing who goes by the routes (the week's choice of
        worker only estimates each worker-day's room). With `params.group_workers` and the
        week's `workers`, a day is split instead into groups of neighbouring workers, each
        visit in the group of the worker chosen for it, each group routed on its own."""
        days = list(days)
        plans = {}
        for n, day in enumerate(days):
            if on_progress is not None:
                on_progress(10 + 80 * n / max(len(days), 1), f"routing {day.isoformat()}")
            problem = self.day_problem(day, placed)
            if workers is None or not self.params.group_workers:
                plan = solve(problem, self._solve_params(time_limit_s))
            else:
                parts = self._split(problem, day, workers)
                total = max(len(problem.visits), 1)
                plan = _merge(
                    [
                        solve(part, self._solve_params(time_limit_s * len(part.visits) / total))
                        for part in parts
                    ]
                )
            plans[day] = DayPlan(day, problem, plan)
        return plans

    def _solve_params(self, time_limit_s: float) -> SolveParams:
        return SolveParams(
            time_limit_s=time_limit_s,
            workers=self.params.workers,
            seed=self.params.seed,
            fairness_weight=self.params.fairness_weight,
        )

    def _split(
        self, problem: Problem, day: date, workers: dict[tuple[str, date], tuple[str, ...]]
    ) -> list[Problem]:
        on_duty = [w for w in self._order if self.works[(w, day)]]
        count = max(1, round(len(on_duty) / self.params.group_workers))
        chunks = [
            on_duty[k * len(on_duty) // count : (k + 1) * len(on_duty) // count]
            for k in range(count)
        ]
        group_of = {w: k for k, chunk in enumerate(chunks) for w in chunk}
        visits: list[list[Visit]] = [[] for _ in chunks]
        for visit in problem.visits:
            chosen = [w for w in workers.get((visit.client_id, day), ()) if w in group_of]
            chosen += self.candidates(visit.client_id, day) or on_duty[:1]
            visits[group_of[chosen[0]]].append(visit)
        by_id = {w.id: w for w in problem.workers}
        return [
            replace(problem, workers=tuple(by_id[w] for w in chunk), visits=tuple(group))
            for chunk, group in zip(chunks, visits, strict=True)
            if chunk
        ]

    def _worker_order(self) -> list[str]:
        """Workers in an order that keeps neighbours together: their zones' middles split
        in halves along the longer side, recursively."""
        ids = [w.id for w in self.problem.workers]
        places = self.problem.locations
        if not places:
            return ids

        def split(group: list[str]) -> list[str]:
            if len(group) <= 2:
                return group
            points = {w: places[self._centre[w]] for w in group}
            xs = [p.lon for p in points.values()]
            ys = [p.lat for p in points.values()]
            wide = max(xs) - min(xs) >= max(ys) - min(ys)
            group = sorted(group, key=lambda w: points[w].lon if wide else points[w].lat)
            half = len(group) // 2
            return split(group[:half]) + split(group[half:])

        return split(ids)

    def repair(
        self,
        plans: dict[date, DayPlan],
        placed: dict[str, date],
        by_id: dict[str, Task],
        tried: dict[str, set[date]],
        workers: dict[tuple[str, date], tuple[str, ...]],
    ) -> set[date]:
        """Move the movable tasks of visits a day left out to the allowed day with the most
        room among the client's workers; the days to route again."""
        used = _used_seconds(plans)
        changed: set[date] = set()
        for day, day_plan in sorted(plans.items()):
            for left in day_plan.plan.unplanned:
                client_id = left.visit_id.rsplit("@", 1)[0]
                mine = [by_id[t] for t, d in placed.items() if d == day]
                for task in [t for t in mine if t.client_id == client_id]:
                    tried[task.id].add(day)
                    options = [d for d in task.allowed if d not in tried[task.id]]
                    if task.fixed or not options:
                        continue
                    best = max(options, key=lambda d: self._free(task.client_id, d, used))
                    placed[task.id] = best

                    def room_left(worker_id: str, day: date = best) -> int:
                        return self.room(worker_id, day) - used.get((worker_id, day), 0)

                    roomiest = max(self.candidates(task.client_id, best), key=room_left)
                    workers.setdefault((task.client_id, best), (roomiest,))
                    need = task.minutes * 60 + self._leg[task.client_id]
                    used[(roomiest, best)] = used.get((roomiest, best), 0) + need
                    changed |= {day, best}
        return changed

    def _free(self, client_id: str, day: date, used: dict[tuple[str, date], int]) -> int:
        return max(
            (self.room(w, day) - used.get((w, day), 0) for w in self.candidates(client_id, day)),
            default=-(10**9),
        )

    # --- the result --------------------------------------------------------------------------

    def week_plan(
        self,
        days: list[date],
        plans: dict[date, DayPlan],
        placed: dict[str, date],
        unplanned: list[TaskUnplanned],
        began: float,
    ) -> WeekPlan:
        unplanned = list(unplanned)
        task_days: dict[str, date] = {}
        for day in days:
            left = {u.visit_id: u for u in plans[day].plan.unplanned}
            for task in self.problem.tasks:
                if placed.get(task.id) != day:
                    continue
                miss = left.get(f"{task.client_id}@{day.isoformat()}")
                if miss is None:
                    task_days[task.id] = day
                else:
                    unplanned.append(TaskUnplanned(task.id, day, miss.reason, miss.code))
        ordered = [plans[d] for d in days]
        return WeekPlan(
            days=ordered,
            task_days=task_days,
            unplanned=unplanned,
            solve_seconds=time.monotonic() - began,
            stats=week_stats(self, ordered, len(self.problem.tasks), len(task_days)),
        )


def week_stats(office: Office, days: list[DayPlan], due: int, planned: int) -> dict[str, float]:
    """Figures of a week: travel, and each worker-day's working minutes (visits and travel)
    over the worker-days on duty: the largest against the mean and the spread, and the
    least even worker's week (their largest working day against their own mean)."""
    by_worker: dict[str, list[float]] = defaultdict(list)
    for d in days:
        for r in d.plan.routes:
            if office.works[(r.worker_id, d.day)]:
                by_worker[r.worker_id].append((r.service + r.travel) / 60)
    loads = [load for week in by_worker.values() for load in week]
    mean = sum(loads) / len(loads) if loads else 0.0
    own = [max(week) * len(week) / sum(week) for week in by_worker.values() if sum(week)]
    return {
        "due": float(due),
        "planned": float(planned),
        "unplanned": float(due - planned),
        "travel_min": sum(r.travel for d in days for r in d.plan.routes) / 60,
        "day_load_max_mean": max(loads) / mean if mean else 0.0,
        "day_load_std_min": pstdev(loads) if loads else 0.0,
        "worker_load_max_mean": max(own, default=0.0),
        "worker_days": float(len(loads)),
    }


def _merge(plans: list[Plan]) -> Plan:
    """One day's plan from its groups' plans."""
    stats: dict[str, float] = defaultdict(float)
    for plan in plans:
        for key, value in plan.stats.items():
            stats[key] += value
    return Plan(
        routes=[r for p in plans for r in p.routes],
        unplanned=[u for p in plans for u in p.unplanned],
        cost=sum(p.cost for p in plans),
        solve_seconds=sum(p.solve_seconds for p in plans),
        stats=dict(stats),
    )


def _used_seconds(plans: dict[date, DayPlan]) -> dict[tuple[str, date], int]:
    return {
        (r.worker_id, day): r.service + r.travel
        for day, day_plan in plans.items()
        for r in day_plan.plan.routes
    }


def _period(problem: WeekProblem) -> list[date]:
    return days_between(problem.start, problem.end)
