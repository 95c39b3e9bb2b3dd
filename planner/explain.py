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
from planner._ruin_day import _Day, _detour
from planner._ruin_day import _day as _ruin_day
from planner._ruin_slack import _Check, _check
from planner.problem import Problem, Route, SolveParams, TravelMode, Unplanned, Visit, Worker

DAY_END = 48 * 3600  # a shift end no route reaches: the shift rule relaxed
# Proving why visits are left out: 0.5 s at least, then about 3.4 ms a visit (499 visits of
# a 150x2,000 lunch day in 1.7 s), a quarter of the limit at most.
PROOF_SECONDS = 0.5
PROOF_SECONDS_PER_VISIT = 0.004
PROOF_SHARE = 0.25


def proof_seconds(left_out: int, limit: float) -> float:
    """The time to keep for proving the reasons of `left_out` visits."""
    if left_out == 0:
        return 0.0
    return min(max(PROOF_SECONDS, PROOF_SECONDS_PER_VISIT * left_out), PROOF_SHARE * limit)


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
    earlier: dict[str, Unplanned] | None = None,
    changed: frozenset[str] = frozenset(),
    days: dict[str, _Day] | None = None,
) -> list[Unplanned]:
    """The rule that keeps each visit out of these routes, each proven by the exact schedule
    check (`planner._construct.schedule`, lunch at a place) over every position of every
    route of a worker who may take it, with and without the rule named. Past `deadline`
    (time.monotonic()) a visit is only said to be left out unchecked.

    `earlier`: reasons proven before the routes of the `changed` workers gained stops. A
    visit that fitted nowhere still fits nowhere, so such a reason is kept where it still
    holds: "no room" always, a rule named where lifting it still makes room on each changed
    route (the other routes are as they were). `days`: the day's lists, kept between calls
    on the same problem (they do not depend on the routes; 0.5 s on 2,000 visits)."""
    if not left_out:  # every visit planned: nothing to prove, no arrays to make
        return []
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
    kept = _Routes(problem, visits, calls, days)
    reasons = []
    for visit in left_out:
        before = (earlier or {}).get(visit.id)
        if before is not None and _still_holds(kept, index[visit.id], before, changed):
            reasons.append(before)
        elif time.monotonic() < deadline:
            reasons.append(_why_left_out(kept, index[visit.id]))
        else:
            reasons.append(
                Unplanned(
                    visit.id,
                    "left out when the planning time ran out, before every place for it was "
                    "checked",
                    "unplanned",
                )
            )
    return reasons


LIFTED = {"lunch": "lunch", "shift_over": "shift", "max_working_time": "max_work"}


def _still_holds(kept: _Routes, i: int, before: Unplanned, changed: frozenset[str]) -> bool:
    """Whether a reason proven before the `changed` routes gained stops still holds."""
    visit = kept.visits[i]
    if visit.workers_needed > 1 or before.code not in {"no_time", *LIFTED}:
        return False
    if before.code == "no_time":
        return True
    touched = [w for w in eligible_workers(visit, kept.problem.workers) if w.id in changed]
    return all(kept.fits(w, i, LIFTED[before.code]) for w in touched)


def _fits(problem: Problem, worker: Worker, visits: list[Visit], calls: list[Call], i: int) -> bool:
    return next(_construct.positions(problem, worker, visits, calls, i), None) is not None


class _Routes:
    """The routes with what the proofs ask of them again and again, made once for every
    left-out visit: each worker's variants with one rule lifted, and every position of
    every route in arrays for the quick necessary test (`_Slots`), so that the exact
    schedule runs only where that test passes (per visit and worker, the proofs took 10 s
    for 500 visits of a 2,000-visit day)."""

    def __init__(
        self,
        problem: Problem,
        visits: list[Visit],
        calls: dict[str, list[Call]],
        days: dict[str, _Day] | None = None,
    ):
        self.problem, self.visits, self.calls = problem, visits, calls
        self._variants: dict[tuple[str, str], Worker | None] = {}
        travel = {m: np.asarray(t, dtype=np.int64) for m, t in problem.travel_time.items()}
        later = tuple(dataclasses.replace(w, shift_end=DAY_END) for w in problem.workers)
        self._slots = {
            "": _Slots(problem, visits, calls, problem.workers, travel),
            "shift": _Slots(problem, visits, calls, later, travel),
        }
        self._passing: tuple[int, dict[str, dict[TravelMode, np.ndarray]]] = (-1, {})
        # The constant-time exact checks of ruin and recreate (`planner._ruin_slack`), for
        # routes without a two-worker visit's fixed start, which they do not know.
        self._index = {w.id: k for k, w in enumerate(problem.workers)}
        self._days: dict[str, _Day] = {} if days is None else days
        self._checks: dict[tuple[str, str], _Check] = {}
        self._fixed = {
            w for w, route in calls.items() if any(c.fixed_start is not None for c in route)
        }

    def fits(self, worker: Worker, i: int, lifted: str = "") -> bool:
        """Whether visit `i` fits somewhere in `worker`'s route with the rule `lifted`
        ("": none) by the exact schedule, the last positions tried first (where a later
        shift end makes room). Lunch and working time do not enter the quick test."""
        variant = self._variant(worker, lifted)
        if variant is None:  # the worker has no such rule to lift
            return False
        if self._passing[0] != i:
            visit = self.visits[i]
            self._passing = (i, {k: slots.passing(visit) for k, slots in self._slots.items()})
        kind = "shift" if lifted == "shift" else ""
        positions = self._slots[kind].positions(self._passing[1][kind], worker.id)
        route = self.calls.get(worker.id, [])
        if worker.id in self._fixed:
            return any(
                _construct.schedule(
                    self.problem, variant, self.visits, [*route[:at], Call(i), *route[at:]]
                )
                is not None
                for at in reversed(positions)
            )
        if not positions:
            return False
        day, k = self._day(lifted), self._index[worker.id]
        if (lifted, worker.id) not in self._checks:
            self._checks[lifted, worker.id] = _check(day, k, [c.visit for c in route])
        fits = self._checks[lifted, worker.id]
        return any(
            fits.can_insert(i, at, _detour(day, k, fits.route, i, at)) for at in reversed(positions)
        )

    def _day(self, lifted: str) -> _Day:
        """The day's lists with every worker's rule `lifted` (the matrices shared)."""
        if lifted not in self._days:
            if "" not in self._days:
                self._days[""] = _ruin_day(self.problem, self.visits, SolveParams(), 0, False)
            base = self._days[""]
            workers = tuple(_lifted(w, lifted) or w for w in self.problem.workers)
            problem = dataclasses.replace(self.problem, workers=workers)
            lunch = [w.lunch for w in workers]
            self._days[lifted] = dataclasses.replace(base, problem=problem, lunch=lunch)
        return self._days[lifted]

    def _variant(self, worker: Worker, lifted: str) -> Worker | None:
        key = (worker.id, lifted)
        if key not in self._variants:
            self._variants[key] = _lifted(worker, lifted)
        return self._variants[key]


def _lifted(worker: Worker, rule: str) -> Worker | None:
    """The worker with `rule` lifted ("": as is); None if the worker has no such rule."""
    if rule == "lunch":
        return None if worker.lunch is None else dataclasses.replace(worker, lunch=None)
    if rule == "max_work":
        if worker.max_working_seconds is None:
            return None
        return dataclasses.replace(worker, max_working_seconds=None)
    if rule == "shift":
        return dataclasses.replace(worker, shift_end=DAY_END)
    return worker


class _Slots:
    """Every position of every route (per travel mode) as arrays: the place before and
    after it, the earliest the worker is free there and the latest start that keeps the
    later stops (`_construct.route_bounds`, which ignore lunch and working time). A visit
    passes at a position only if it can start within its window and still leave in time:
    a necessary test, as `_construct`'s own quick test, run on all routes at once."""

    def __init__(
        self,
        problem: Problem,
        visits: list[Visit],
        calls: dict[str, list[Call]],
        workers: tuple[Worker, ...],
        travel: dict[TravelMode, np.ndarray],
    ) -> None:
        self.travel = travel  # the problem's matrices as arrays, made once by the caller
        rows: dict[TravelMode, list[tuple[int, int, int, int]]] = {}
        self.where: dict[str, tuple[TravelMode, int, int]] = {}  # worker: mode, slots from, to
        for worker in workers:
            route = calls.get(worker.id, [])
            frees, latest = _construct.route_bounds(problem, worker, visits, route)
            places = [worker.start_location, *(visits[c.visit].location for c in route)]
            places.append(worker.end_location)
            mine = rows.setdefault(worker.travel_mode, [])
            self.where[worker.id] = (worker.travel_mode, len(mine), len(mine) + len(route) + 1)
            for at in range(len(route) + 1):
                mine.append((places[at], places[at + 1], frees[at], latest[at]))
        self.columns = {
            mode: [np.asarray(column, dtype=np.int64) for column in zip(*slots, strict=True)]
            for mode, slots in rows.items()
        }

    def passing(self, visit: Visit) -> dict[TravelMode, np.ndarray]:
        """Per travel mode, whether `visit` passes the quick test at each position."""
        low, high = visit.window_start, visit.window_end
        if visit.pinned_start is not None:
            low = high = visit.pinned_start
        found = {}
        for mode, (before, after, free, latest) in self.columns.items():
            travel = self.travel[mode]
            start = np.maximum(low, free + travel[before, visit.location])
            leave = start + visit.duration + travel[visit.location, after]
            found[mode] = (start <= high) & (leave <= latest)
        return found

    def positions(self, passing: dict[TravelMode, np.ndarray], worker_id: str) -> list[int]:
        """The positions of the worker's route where the visit passed, in route order."""
        mode, first, end = self.where[worker_id]
        flags = passing[mode][first:end].tolist()  # a list: quicker than numpy on a few
        return [at for at, passed in enumerate(flags) if passed]


def _why_left_out(kept: _Routes, i: int) -> Unplanned:
    problem, visits, calls = kept.problem, kept.visits, kept.calls
    visit = visits[i]
    eligible = eligible_workers(visit, problem.workers)
    window = f"{hhmm(visit.window_start)}-{hhmm(visit.window_end)}"
    if visit.workers_needed > 1:
        return _why_team_left_out(problem, visits, calls, i, eligible, window)
    # The rules that alone keep it out of every eligible route.
    alone = {"lunch": True, "max_work": True, "shift": True}
    for worker in eligible:
        if kept.fits(worker, i):
            return Unplanned(
                visit.id,
                f"worker '{worker.id}' has a free slot for it; the search did not reach it "
                "within the time limit",
                "not_found",
            )
        for rule in alone:
            alone[rule] = alone[rule] and kept.fits(worker, i, rule)
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
