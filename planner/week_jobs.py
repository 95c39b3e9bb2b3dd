"""Week and month plans on the planning job queue (`planner.jobs`): one job plans an office's
period into one draft per day linked as a week; another re-plans one day of a week.

As with day plans, the job reads the registry in one short session, solves with no session
open, and stores in another; the web process only enqueues. Progress goes to the job's meta
and its channel (`planner.jobs.channel`) with the step in words; the finished message names
the week (`week_id`) or, for a re-planned day, the new plan (`plan_id`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import redis
from rq.job import Job

from core.settings import get_settings
from planner import jobs
from planner.problem import Progress, SolveParams
from planner.week import plan_week
from planner.week_build import prepare_week
from planner.week_store import prepare_day_again, store_day_again, store_week, week_params

DEFAULT_S_PER_DAY = 10.0  # the period's time budget when none is given


def enqueue_week(
    *,
    office_id: int,
    start: date,
    end: date,
    time_limit_s: float | None = None,
    user_id: int | None = None,
    connection: redis.Redis | None = None,
) -> Job:
    """One job that plans the office's period (a week or a month) into a week of drafts."""
    limit = time_limit_s or DEFAULT_S_PER_DAY * ((end - start).days + 1)
    return jobs.planning_queue(connection).enqueue(
        run_week_job,
        office_id,
        start.isoformat(),
        end.isoformat(),
        limit,
        user_id,
        job_timeout=int(limit) * 2 + jobs.JOB_OVERHEAD_S,
        result_ttl=jobs.RESULT_TTL_S,
        failure_ttl=jobs.RESULT_TTL_S,
        meta={"kind": "week", "office_id": office_id, "day": start.isoformat()},
    )


class _WeekReporter(jobs._Reporter):
    def step(self, percent: float, what: str) -> None:
        self._save(step=what)
        self(Progress(percent=percent, best_cost=None))

    def finished_week(self, week_id: int) -> None:
        self._save(week_id=week_id)
        self._publish({"status": "finished", "week_id": week_id})


def run_week_job(
    office_id: int, start: str, end: str, time_limit_s: float, user_id: int | None
) -> int:
    """Plan an office's period; returns the new week's id."""
    reporter = _WeekReporter()
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    try:
        with jobs.open_session() as session:
            built = prepare_week(session, office_id=office_id, start=first, end=last)
        params = week_params(time_limit_s, (last - first).days + 1)
        planned = plan_week(built.problem, params, reporter.step)
        with jobs.open_session() as session:
            week_id = store_week(session, built, planned, user_id=user_id).id
    except Exception as exc:
        reporter.failed(getattr(exc, "message", None) or str(exc) or type(exc).__name__)
        raise
    reporter.finished_week(week_id)
    return week_id


def enqueue_day_again(
    *,
    week_id: int,
    office_id: int,
    day: date,
    time_limit_s: float | None = None,
    user_id: int | None = None,
    connection: redis.Redis | None = None,
) -> Job:
    """One job that re-plans one day of a week; the other days stay as they are."""
    limit = time_limit_s or get_settings().plan_time_limit_s
    return jobs.planning_queue(connection).enqueue(
        run_day_again_job,
        week_id,
        day.isoformat(),
        limit,
        user_id,
        job_timeout=int(limit) + jobs.JOB_OVERHEAD_S,
        result_ttl=jobs.RESULT_TTL_S,
        failure_ttl=jobs.RESULT_TTL_S,
        meta={
            "kind": "week-day",
            "office_id": office_id,
            "day": day.isoformat(),
            "week_id": week_id,
        },
    )


def run_day_again_job(week_id: int, day: str, time_limit_s: float, user_id: int | None) -> int:
    params = SolveParams(time_limit_s=time_limit_s, workers=1)
    when = date.fromisoformat(day)

    def store(session: Any, built: Any, solved: Any) -> Any:
        return store_day_again(
            session, week_id=week_id, built=built, solved=solved, user_id=user_id, params=params
        )

    return jobs._run(
        lambda session: prepare_day_again(session, week_id=week_id, day=when), store, params
    )


__all__ = ["enqueue_day_again", "enqueue_week", "run_day_again_job", "run_week_job"]
