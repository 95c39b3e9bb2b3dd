"""Background planning on the Redis job queue (RQ): one job per office and day.

The web app only enqueues; `rq` workers (`careroute worker`) solve, so a CPU-heavy solve never
runs on the event loop, and more worker processes or machines plan more offices at once
(`careroute plan-region` enqueues every office of a region). While solving, a job stores its
progress in the job's meta and publishes it on the Redis channel `channel(job_id)`:

    {"job_id": ..., "status": "running", "percent": 40.0, "best_cost": 123, "planned": 57}
    {"job_id": ..., "status": "finished", "plan_id": 17}
    {"job_id": ..., "status": "failed", "error": "..."}
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Any

import redis
from rq import Queue, Worker, get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import session_scope
from core.redis import get_redis
from core.settings import get_settings
from planner import plans, replan
from planner.build import Built
from planner.models import Plan
from planner.problem import Location, Progress, SolveParams
from planner.problem import Plan as SolvedPlan

log = logging.getLogger(__name__)

QUEUE = "planning"
JOB_OVERHEAD_S = 600  # building matrices and storing, on top of the solver's time limit
RESULT_TTL_S = 7 * 24 * 3600
PUBLISH_EVERY_S = 0.5  # progress messages at most this often
FINAL_STATES = ("finished", "failed", "stopped", "canceled")

# How a job opens its database session (tests swap in their rolled-back session).
open_session: Callable[[], AbstractContextManager[Session]] = session_scope


def channel(job_id: str) -> str:
    return f"careroute:plan-job:{job_id}"


def planning_queue(connection: redis.Redis | None = None) -> Queue:
    return Queue(QUEUE, connection=connection or get_redis())


# --- enqueueing ----------------------------------------------------------------------------


def enqueue_plan(
    *,
    office_id: int,
    day: date,
    time_limit_s: float | None = None,
    user_id: int | None = None,
    speeds: dict[str, tuple[float, float]] | None = None,
    connection: redis.Redis | None = None,
) -> Job:
    """One job that plans the office's day into a new draft version (`speeds`: measured
    km/h and detour per travel mode, e.g. from `tracking.calibration.travel_speeds`)."""
    limit = time_limit_s or get_settings().plan_time_limit_s
    return planning_queue(connection).enqueue(
        run_plan_job,
        office_id,
        day.isoformat(),
        limit,
        user_id,
        speeds,
        job_timeout=int(limit) + JOB_OVERHEAD_S,
        result_ttl=RESULT_TTL_S,
        failure_ttl=RESULT_TTL_S,
        meta={"kind": "plan", "office_id": office_id, "day": day.isoformat()},
    )


def enqueue_replan(
    *,
    plan_id: int,
    office_id: int,
    day: date,
    now: datetime,
    exclude_worker_ids: list[int],
    urgent_client_ids: list[int],
    positions: dict[int, tuple[float, float]] | None = None,
    events: replan.DayEvents | None = None,
    time_limit_s: float | None = None,
    user_id: int | None = None,
    connection: redis.Redis | None = None,
) -> Job:
    """One job that re-plans a stored plan from `now` into a new draft version."""
    limit = time_limit_s or get_settings().plan_time_limit_s
    request = {
        "plan_id": plan_id,
        "now": now.isoformat(),
        "exclude_worker_ids": exclude_worker_ids,
        "urgent_client_ids": urgent_client_ids,
        "positions": {str(k): list(v) for k, v in (positions or {}).items()},
        "events": (events or replan.DayEvents()).as_json(),
    }
    return planning_queue(connection).enqueue(
        run_replan_job,
        request,
        limit,
        user_id,
        job_timeout=int(limit) + JOB_OVERHEAD_S,
        result_ttl=RESULT_TTL_S,
        failure_ttl=RESULT_TTL_S,
        meta={"kind": "replan", "office_id": office_id, "day": day.isoformat(), "from": plan_id},
    )


def plan_region(
    session: Session, *, region_id: int, day: date, time_limit_s: float | None = None
) -> list[Job]:
    """One planning job per office of the region; as many run at once as there are workers."""
    from core.models import Office

    offices = session.scalars(
        select(Office.id).where(Office.region_id == region_id).order_by(Office.id)
    ).all()
    return [enqueue_plan(office_id=o, day=day, time_limit_s=time_limit_s) for o in offices]


# --- running (inside an RQ worker) ---------------------------------------------------------


class _Reporter:
    """Progress of the current job: into its meta and onto its pub/sub channel."""

    def __init__(self) -> None:
        self.job = get_current_job()
        self.last = 0.0

    def __call__(self, progress: Progress) -> None:
        now = time.monotonic()
        if progress.percent < 100.0 and now - self.last < PUBLISH_EVERY_S:
            return
        self.last = now
        figures = {
            "percent": round(progress.percent, 1),
            "best_cost": progress.best_cost,
            "planned": progress.planned,
        }
        self._save(progress=figures)
        self._publish({"status": "running", **figures})

    def finished(self, plan_id: int) -> None:
        self._save(plan_id=plan_id)
        self._publish({"status": "finished", "plan_id": plan_id})

    def failed(self, error: str) -> None:
        self._save(error=error)
        self._publish({"status": "failed", "error": error})

    def _save(self, **fields: Any) -> None:
        if self.job is not None:
            self.job.meta.update(fields)
            self.job.save_meta()

    def _publish(self, message: dict[str, Any]) -> None:
        if self.job is not None:
            body = json.dumps({"job_id": self.job.id, **message})
            self.job.connection.publish(channel(self.job.id), body)


def run_plan_job(
    office_id: int,
    day: str,
    time_limit_s: float,
    user_id: int | None,
    speeds: dict[str, tuple[float, float]] | None = None,
) -> int:
    """Plan an office's day; returns the new plan's id."""
    params = SolveParams(time_limit_s=time_limit_s, workers=1)
    return _run(
        lambda session: plans.prepare_day(
            session, office_id=office_id, day=date.fromisoformat(day), speeds=speeds
        ),
        lambda session, built, solved: plans.store_day(
            session, built, solved, user_id=user_id, params=params
        ),
        params,
    )


def run_replan_job(request: dict[str, Any], time_limit_s: float, user_id: int | None) -> int:
    """Re-plan a stored plan mid-day; returns the new plan's id."""
    params = SolveParams(time_limit_s=time_limit_s, workers=1)
    asked = replan.ReplanRequest(
        plan_id=request["plan_id"],
        now=datetime.fromisoformat(request["now"]),
        exclude_worker_ids=tuple(request["exclude_worker_ids"]),
        urgent_client_ids=tuple(request["urgent_client_ids"]),
        positions={int(k): Location(lon=v[0], lat=v[1]) for k, v in request["positions"].items()},
        events=_events(request.get("events") or {}),
    )
    return _run(
        lambda session: replan.prepare_replan(session, asked),
        lambda session, built, solved: replan.store_replan(
            session, asked, built, solved, user_id=user_id, params=params
        ),
        params,
    )


def _events(data: dict[str, Any]) -> replan.DayEvents:
    """The day's events back from the job's JSON arguments."""
    return replan.DayEvents(
        urgent=tuple(
            replan.UrgentVisit(
                client_id=int(u["client_id"]),
                service_codes=tuple(u.get("service_codes") or ()),
                deadline=datetime.fromisoformat(u["deadline"]) if u.get("deadline") else None,
            )
            for u in data.get("urgent", [])
        ),
        overrun_minutes={int(k): int(v) for k, v in data.get("overrun_minutes", {}).items()},
        no_access_client_ids=tuple(data.get("no_access_client_ids", [])),
        begun_client_ids=tuple(data.get("begun_client_ids", [])),
    )


def _run(
    prepare: Callable[[Session], Built],
    store: Callable[[Session, Built, SolvedPlan], Plan],
    params: SolveParams,
) -> int:
    """Read, solve, store: the solve runs between two short sessions, so no database
    connection waits on the CPU."""
    reporter = _Reporter()
    try:
        with open_session() as session:
            built = prepare(session)
        solved = plans.solve(built, params, reporter)
        with open_session() as session:
            plan_id = store(session, built, solved).id
    except Exception as exc:  # the job fails in RQ too; this tells the listeners
        reporter.failed(getattr(exc, "message", None) or str(exc) or type(exc).__name__)
        raise
    reporter.finished(plan_id)  # after the commit, so the plan can be read
    return plan_id


# --- status --------------------------------------------------------------------------------


def job_status(job_id: str, connection: redis.Redis | None = None) -> dict[str, Any] | None:
    """What a planning job is doing, or None when there is no such job."""
    try:
        job = Job.fetch(job_id, connection=connection or get_redis())
    except NoSuchJobError:
        return None
    meta = job.get_meta(refresh=True)
    status = job.get_status(refresh=False)
    return {
        "job_id": job.id,
        "status": getattr(status, "value", status),
        "kind": meta.get("kind"),
        "office_id": meta.get("office_id"),
        "day": meta.get("day"),
        "progress": meta.get("progress"),
        "plan_id": meta.get("plan_id"),
        "error": meta.get("error"),
        "week_id": meta.get("week_id"),
        "step": meta.get("step"),
    }


def watch(job_ids: list[str], poll_s: float = 1.0) -> Iterator[list[dict[str, Any]]]:
    """Statuses of the jobs every `poll_s` seconds until all have ended."""
    while True:
        statuses = [job_status(j) or {"job_id": j, "status": "missing"} for j in job_ids]
        yield statuses
        if all(s["status"] in (*FINAL_STATES, "missing") for s in statuses):
            return
        time.sleep(poll_s)


# --- command line --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """`careroute plan-region --region ID --day D [--time-limit S] [--wait]`."""
    parser = argparse.ArgumentParser(
        prog="careroute plan-region", description="Plan every office of a region on the queue."
    )
    parser.add_argument("--region", type=int, required=True, help="region id")
    parser.add_argument("--day", type=date.fromisoformat, required=True, help="YYYY-MM-DD")
    parser.add_argument("--time-limit", type=float, default=None, help="seconds per office")
    parser.add_argument("--wait", action="store_true", help="wait and show progress until done")
    args = parser.parse_args(argv)
    with session_scope() as session:
        jobs = plan_region(
            session, region_id=args.region, day=args.day, time_limit_s=args.time_limit
        )
    if not jobs:
        print(f"region {args.region} has no offices", file=sys.stderr)
        return 1
    for job in jobs:
        print(f"office {job.meta['office_id']:>5}  job {job.id}")
    if not args.wait:
        return 0
    statuses: list[dict[str, Any]] = []
    for statuses in watch([j.id for j in jobs]):
        done = sum(1 for s in statuses if s["status"] in FINAL_STATES)
        print(f"{done}/{len(statuses)} offices done", flush=True)
    print(f"{'office':>6}  {'status':<9} {'plan':>6}  error")
    for s in statuses:
        office, plan, error = s.get("office_id"), s.get("plan_id"), s.get("error") or ""
        print(f"{office!s:>6}  {s['status']:<9} {plan!s:>6}  {error}")
    return 0 if all(s["status"] == "finished" for s in statuses) else 1


def worker_main(argv: list[str] | None = None) -> int:
    """`careroute worker [--burst]`: an RQ worker on the planning queue."""
    parser = argparse.ArgumentParser(
        prog="careroute worker", description="Run a planning job worker (RQ)."
    )
    parser.add_argument("--burst", action="store_true", help="quit when the queue is empty")
    parser.add_argument("--name", default=None, help="worker name (default: host and pid)")
    args = parser.parse_args(argv)
    # A blocking dequeue waits longer than the shared client's socket timeout: own connection.
    connection = redis.Redis.from_url(get_settings().redis_url)
    worker = Worker([planning_queue(connection)], connection=connection, name=args.name)
    worker.work(burst=args.burst, logging_level=get_settings().log_level)
    return 0
