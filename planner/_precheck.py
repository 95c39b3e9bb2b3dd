"""Rules that block a visit before any search: the visit alone cannot fit any worker's day."""

from __future__ import annotations

from planner.problem import Problem, Unplanned, Visit, Worker


def hhmm(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def eligible_workers(visit: Visit, workers: tuple[Worker, ...]) -> list[Worker]:
    """Workers allowed to do the visit: the pinned one, or those with every required skill."""
    if visit.pinned_worker is not None:
        return [w for w in workers if w.id == visit.pinned_worker]
    return [w for w in workers if visit.required_skills <= w.skills]


def fits_alone(visit: Visit, worker: Worker, problem: Problem) -> bool:
    """Can `worker` go from the start point to the visit and back within the shift?"""
    travel = problem.travel_time[worker.travel_mode]
    there = travel[worker.start_location][visit.location]
    back = travel[visit.location][worker.end_location]
    earliest = max(worker.shift_start + there, visit.window_start)
    latest = min(visit.window_end, worker.shift_end - visit.duration - back)
    if visit.pinned_start is not None:
        earliest = max(worker.shift_start + there, visit.pinned_start)
        latest = min(visit.pinned_start, worker.shift_end - visit.duration - back)
    working = there + visit.duration + back
    if worker.max_working_seconds is not None and working > worker.max_working_seconds:
        return False
    return earliest <= latest


def blocking_rule(visit: Visit, problem: Problem) -> Unplanned | None:
    """The first rule that makes the visit impossible on its own, or None."""
    workers = problem.workers
    if visit.pinned_worker is not None and not any(w.id == visit.pinned_worker for w in workers):
        return Unplanned(
            visit.id, f"the pinned worker '{visit.pinned_worker}' is not on duty", "unknown_worker"
        )
    eligible = eligible_workers(visit, workers)
    if not eligible:
        missing = sorted(visit.required_skills - set().union(*(w.skills for w in workers)))
        skills = ", ".join(f"'{s}'" for s in missing) or ", ".join(
            f"'{s}'" for s in sorted(visit.required_skills)
        )
        return Unplanned(visit.id, f"no worker has the skill {skills}", "no_skill")
    if len(eligible) < visit.workers_needed:
        return Unplanned(
            visit.id,
            f"needs {visit.workers_needed} workers but only {len(eligible)} can do it",
            "not_enough_workers",
        )
    longest = max(
        min(w.shift_end - w.shift_start, w.max_working_seconds or 10**9) for w in eligible
    )
    if visit.duration > longest:
        return Unplanned(
            visit.id,
            f"the visit lasts {visit.duration // 60} min, longer than any shift "
            f"({longest // 60} min)",
            "too_long",
        )
    fitting = [w for w in eligible if fits_alone(visit, w, problem)]
    if len(fitting) < visit.workers_needed:
        window = f"{hhmm(visit.window_start)}-{hhmm(visit.window_end)}"
        if visit.pinned_start is not None:
            window = f"at {hhmm(visit.pinned_start)}"
        return Unplanned(
            visit.id,
            f"the window {window} cannot be reached within any worker's shift",
            "window_unreachable",
        )
    return None


def split(problem: Problem) -> tuple[list[Visit], list[Unplanned]]:
    """Visits worth searching for, and the ones a rule blocks outright (with the reason)."""
    searchable: list[Visit] = []
    blocked: list[Unplanned] = []
    for visit in problem.visits:
        reason = blocking_rule(visit, problem)
        if reason is None:
            searchable.append(visit)
        else:
            blocked.append(reason)
    return searchable, blocked
