"""Reasons in words: why a planned visit went to its worker, why a visit stayed unplanned.

A reason for a left-out visit is proven, not guessed: the exact schedule check refuses it
in every position of every route of a worker who may take it, and accepts it once the rule
the reason names (lunch, working time, shift end) is lifted, for every such worker.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from planner import _construct
from planner._construct import Call
from planner._precheck import eligible_workers, hhmm
from planner.problem import Problem, Route, TravelMode, Unplanned, Visit, Worker

DAY_END = 48 * 3600  # a shift end no route reaches: the shift rule relaxed


def why_planned(problem: Problem, routes: list[Route]) -> list[Route]:
    """The routes with every stop's `why` filled in."""
    visits = {v.id: v for v in problem.visits}
    workers = {w.id: w for w in problem.workers}
    nearness = _Nearness(problem, routes)
    result = []
    for route in routes:
        worker = workers[route.worker_id]
        stops = []
        previous = worker.start_location
        for stop in route.stops:
            visit = visits[stop.visit_id]
            why = _why(problem, nearness, visit, worker, previous)
            stops.append(dataclasses.replace(stop, why=why))
            previous = visit.location
        result.append(dataclasses.replace(route, stops=tuple(stops)))
    return result


def _why(problem: Problem, nearness: _Nearness, visit: Visit, worker: Worker, previous: int) -> str:
    if visit.pinned_worker is not None:
        return "pinned: already under way or done"
    if visit.preferred_worker == worker.id:
        return "the client's usual worker"
    eligible = eligible_workers(visit, problem.workers)
    if len(eligible) == visit.workers_needed and visit.required_skills:
        skills = ", ".join(f"'{s}'" for s in sorted(visit.required_skills))
        return f"the only worker with the skill {skills}"
    minutes = problem.travel_time[worker.travel_mode][previous][visit.location] // 60
    nearest = nearness.of(visit, eligible)
    mine = nearest.get(worker.id, 0)
    prefix = ""
    if visit.preferred_worker is not None:
        prefix = f"the usual worker '{visit.preferred_worker}' had no room; "
    if mine <= min(nearest.values()):
        return f"{prefix}nearest worker who can do it ({minutes} min from the previous stop)"
    return f"{prefix}fits this worker's day; nearer workers were busy at that time"


class _Nearness:
    """Per worker, the places of their day (start point and stops), laid end to end per
    travel mode, so that the travel from each to a visit is one lookup per mode: per stop
    and worker it took 1 s on a 1,200-visit day."""

    def __init__(self, problem: Problem, routes: list[Route]) -> None:
        locations = {v.id: v.location for v in problem.visits}
        by_worker = {r.worker_id: r for r in routes}
        self.travel = {m: np.asarray(t) for m, t in problem.travel_time.items()}
        self.workers: dict[TravelMode, list[str]] = {}
        self.places: dict[TravelMode, np.ndarray] = {}
        self.offsets: dict[TravelMode, np.ndarray] = {}
        self.own: dict[tuple[TravelMode, str], list[int]] = {}  # a visit's own stops
        for mode in {w.travel_mode for w in problem.workers}:
            ids: list[str] = []
            places: list[int] = []
            offsets: list[int] = []
            for worker in (w for w in problem.workers if w.travel_mode == mode):
                ids.append(worker.id)
                offsets.append(len(places))
                places.append(worker.start_location)
                route = by_worker.get(worker.id)
                for stop in route.stops if route is not None else ():
                    self.own.setdefault((mode, stop.visit_id), []).append(len(places))
                    places.append(locations[stop.visit_id])
            self.workers[mode] = ids
            self.places[mode] = np.asarray(places, dtype=np.int64)
            self.offsets[mode] = np.asarray(offsets, dtype=np.int64)

    def of(self, visit: Visit, eligible: list[Worker]) -> dict[str, int]:
        """Per eligible worker: travel time to the visit from the closest point of their
        day other than the visit itself."""
        wanted = {w.id for w in eligible}
        result: dict[str, int] = {}
        for mode, ids in self.workers.items():
            if not wanted.intersection(ids):
                continue
            column = self.travel[mode][self.places[mode], visit.location]
            column[self.own.get((mode, visit.id), [])] = np.iinfo(np.int64).max
            nearest = np.minimum.reduceat(column, self.offsets[mode])
            result.update((i, int(d)) for i, d in zip(ids, nearest, strict=True) if i in wanted)
        return result


def why_left_out(
    problem: Problem,
    routes: list[Route],
    left_out: list[Visit],
    deadline: float = float("inf"),
) -> list[Unplanned]:
    """The rule that keeps each visit out of these routes, each proven by the exact schedule
    check (`planner._construct.schedule`, lunch at a place) over every position of every
    route of a worker who may take it, with and without the rule named. Past `deadline`
    (time.monotonic()) a visit is only said to be left out unchecked."""
    visits = list(problem.visits)
    index = {v.id: n for n, v in enumerate(visits)}
    calls = {
        r.worker_id: [
            Call(
                index[s.visit_id], s.start if visits[index[s.visit_id]].workers_needed > 1 else None
            )
            for s in r.stops
        ]
        for r in routes
    }
    known: dict[str, tuple[list[int], list[int]]] = {}  # each route's bounds, kept
    return [
        _why_left_out(problem, visits, calls, index[v.id], known)
        if time.monotonic() < deadline
        else Unplanned(
            v.id,
            "left out when the planning time ran out, before every place for it was checked",
            "unplanned",
        )
        for v in left_out
    ]


def _fits(
    problem: Problem,
    worker: Worker,
    visits: list[Visit],
    calls: list[Call],
    i: int,
    known: tuple[list[int], list[int]] | None = None,
) -> bool:
    return next(_construct.positions(problem, worker, visits, calls, i, known), None) is not None


def _why_left_out(
    problem: Problem,
    visits: list[Visit],
    calls: dict[str, list[Call]],
    i: int,
    known: dict[str, tuple[list[int], list[int]]] | None = None,
) -> Unplanned:
    visit = visits[i]
    eligible = eligible_workers(visit, problem.workers)
    window = f"{hhmm(visit.window_start)}-{hhmm(visit.window_end)}"
    if visit.workers_needed > 1:
        return _why_team_left_out(problem, visits, calls, i, eligible, window)
    # The rules that alone keep it out of every eligible route (None: not known yet).
    alone = {"lunch": True, "max_work": True, "shift": True}
    known = {} if known is None else known
    for worker in eligible:
        route = calls.get(worker.id, [])
        if worker.id not in known:
            known[worker.id] = _construct.route_bounds(problem, worker, visits, route)
        if _fits(problem, worker, visits, route, i, known[worker.id]):
            return Unplanned(
                visit.id,
                f"worker '{worker.id}' has a free slot for it; the search did not reach it "
                "within the time limit",
                "not_found",
            )
        relaxed = {
            "lunch": dataclasses.replace(worker, lunch=None) if worker.lunch else None,
            "max_work": dataclasses.replace(worker, max_working_seconds=None)
            if worker.max_working_seconds is not None
            else None,
            "shift": dataclasses.replace(worker, shift_end=DAY_END),
        }
        for rule, other in relaxed.items():
            if alone[rule]:
                alone[rule] = other is not None and _fits(problem, other, visits, route, i)
    if eligible and alone["lunch"]:
        return Unplanned(visit.id, _lunch_reason(eligible, window), "lunch")
    if eligible and alone["max_work"]:
        return Unplanned(
            visit.id,
            "every worker who can do it would exceed their maximum working time",
            "max_working_time",
        )
    if eligible and alone["shift"]:
        return Unplanned(
            visit.id,
            "the shifts of the workers who can do it would run over to fit it in",
            "shift_over",
        )
    return Unplanned(
        visit.id, f"no worker who can do it has room for it during its window {window}", "no_time"
    )


def _lunch_reason(eligible: list[Worker], window: str) -> str:
    lunches = {w.lunch for w in eligible}
    lunch = next(iter(lunches))
    which = "their lunch"
    if len(lunches) == 1 and lunch is not None:
        which = (
            f"the {lunch.duration // 60}-min lunch starting {hhmm(lunch.earliest)}-"
            f"{hhmm(lunch.latest)}"
        )
    return (
        f"the lunch of every worker who can do it leaves no room for it in its window {window}: "
        f"each of them would have room for it only without {which}"
    )


def _why_team_left_out(
    problem: Problem,
    visits: list[Visit],
    calls: dict[str, list[Call]],
    i: int,
    eligible: list[Worker],
    window: str,
) -> Unplanned:
    """A visit for several workers needs that many with room at one start time."""
    visit = visits[i]
    free = [w for w in eligible if _fits(problem, w, visits, calls.get(w.id, []), i)]
    if len(free) >= visit.workers_needed:
        index_of = {w.id: k for k, w in enumerate(problem.workers)}
        routes = [list(calls.get(w.id, [])) for w in problem.workers]
        allowed = [index_of[w.id] for w in free]
        _construct.insert_pair(problem, visits, routes, i, allowed, widest=None)
        if any(len(routes[k]) != len(calls.get(problem.workers[k].id, [])) for k in allowed):
            return Unplanned(
                visit.id,
                f"{len(free)} workers have a free slot for it; the search did not bring "
                f"{visit.workers_needed} of them together within the time limit",
                "not_found",
            )
        return Unplanned(
            visit.id,
            f"{len(free)} workers who can do it have room for it, but never "
            f"{visit.workers_needed} at one start time",
            "no_team_time",
        )
    return Unplanned(
        visit.id,
        f"it needs {visit.workers_needed} workers at the same time, and only {len(free)} "
        f"of those who can do it have room "
        + ("during the day" if window == "00:00-24:00" else f"during its window {window}"),
        "no_team_time",
    )
