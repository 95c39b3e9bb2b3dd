"""Planning jobs run for real on RQ: in this process (SimpleWorker, burst) on the rolled-back
session, and as a separate `careroute worker --burst` process on committed rows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import redis
from rq import SimpleWorker
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.db import session_scope
from core.models import Office, Region
from core.settings import get_settings
from planner import jobs, plans
from planner.models import Plan
from registry.models import CarePlan, Client, Service, Worker
from tests import factories as f
from tests.planner.test_service import MONDAY, make_day

pytestmark = [pytest.mark.db, pytest.mark.redis]

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def queue_redis() -> Iterator[redis.Redis]:
    conn = redis.Redis.from_url(get_settings().redis_url)
    jobs.planning_queue(conn).empty()
    yield conn
    jobs.planning_queue(conn).empty()
    conn.close()


@pytest.fixture
def in_test_session(db: Session, monkeypatch: pytest.MonkeyPatch) -> Session:
    """Jobs run in this process open the test's rolled-back session instead of a new one."""

    @contextmanager
    def use_test_session() -> Iterator[Session]:
        try:
            yield db
            db.flush()
        except BaseException:
            db.rollback()
            raise

    monkeypatch.setattr(jobs, "open_session", use_test_session)
    return db


def _work(conn: redis.Redis) -> None:
    SimpleWorker([jobs.planning_queue(conn)], connection=conn).work(burst=True)


def test_plan_job_reports_progress_and_stores_the_plan(
    in_test_session: Session, queue_redis: redis.Redis
) -> None:
    day = make_day(in_test_session)
    job = jobs.enqueue_plan(
        office_id=day.office.id, day=MONDAY, time_limit_s=1.5, connection=queue_redis
    )
    queued = jobs.job_status(job.id, queue_redis)
    assert queued is not None
    assert (queued["status"], queued["office_id"], queued["kind"]) == (
        "queued",
        day.office.id,
        "plan",
    )
    listener = queue_redis.pubsub()
    listener.subscribe(jobs.channel(job.id))
    listener.get_message(timeout=1)  # the subscription confirmation

    _work(queue_redis)

    messages = []
    while (message := listener.get_message(timeout=0.5)) is not None:
        messages.append(json.loads(message["data"]))
    listener.close()
    assert messages[-1]["status"] == "finished"
    running = [m for m in messages if m["status"] == "running"]
    assert running and running[-1]["percent"] == 100.0
    assert running[-1]["planned"] == 7
    status = jobs.job_status(job.id, queue_redis)
    assert status is not None
    assert status["status"] == "finished"
    assert status["plan_id"] == messages[-1]["plan_id"]
    plan = in_test_session.get(Plan, status["plan_id"])
    assert plan is not None and plan.office_id == day.office.id
    assert sum(len(r.stops) for r in plan.routes) == 7


def test_failed_job_says_why(in_test_session: Session, queue_redis: redis.Redis) -> None:
    job = jobs.enqueue_plan(office_id=999_999, day=MONDAY, time_limit_s=1, connection=queue_redis)
    _work(queue_redis)
    status = jobs.job_status(job.id, queue_redis)
    assert status is not None
    assert status["status"] == "failed"
    assert status["error"]
    assert jobs.job_status("no-such-job", queue_redis) is None


def test_region_enqueues_one_job_per_office(
    in_test_session: Session, queue_redis: redis.Redis
) -> None:
    day = make_day(in_test_session)
    second = f.office(in_test_session, region_row=in_test_session.get(Region, day.office.region_id))
    enqueued = jobs.plan_region(
        in_test_session, region_id=day.office.region_id, day=MONDAY, time_limit_s=1
    )
    assert sorted(j.meta["office_id"] for j in enqueued) == sorted([day.office.id, second.id])
    _work(queue_redis)
    statuses = [jobs.job_status(j.id, queue_redis) for j in enqueued]
    assert [s["status"] for s in statuses if s] == ["finished", "finished"]


@pytest.mark.slow
def test_command_line_region_and_a_separate_worker_process(
    migrated: None, queue_redis: redis.Redis
) -> None:
    """`careroute plan-region` enqueues; `careroute worker --burst` in its own process solves."""
    with session_scope() as session:
        day = make_day(session)
        office_id, region_id = day.office.id, day.office.region_id
    try:
        assert (
            jobs.main(
                ["--region", str(region_id), "--day", MONDAY.isoformat(), "--time-limit", "1"]
            )
            == 0
        )
        queued = jobs.planning_queue(queue_redis).job_ids
        assert len(queued) == 1
        worker = subprocess.run(
            [sys.executable, "-m", "api.cli", "worker", "--burst"],
            cwd=ROOT,
            env={**os.environ},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert worker.returncode == 0, worker.stderr[-2000:]
        status = jobs.job_status(queued[0], queue_redis)
        assert status is not None and status["status"] == "finished", status
        with session_scope() as session:
            plan = session.get(Plan, status["plan_id"])
            assert plan is not None and plan.office_id == office_id
            assert plan.stats["planned"] == 7
    finally:
        _remove_office(office_id)


def _remove_office(office_id: int) -> None:
    """Committed rows of the command-line test, removed again."""
    with session_scope() as session:
        office = session.get(Office, office_id)
        if office is None:
            return  # another test run emptied the shared test database meanwhile
        clients = select(Client.id).where(Client.office_id == office_id)
        session.execute(delete(Plan).where(Plan.office_id == office_id))
        for plan in session.scalars(select(CarePlan).where(CarePlan.client_id.in_(clients))):
            session.delete(plan)
        session.flush()
        session.execute(delete(Client).where(Client.office_id == office_id))
        session.execute(delete(Service).where(Service.office_id == office_id))
        for worker in session.scalars(select(Worker).where(Worker.office_id == office_id)):
            session.delete(worker)
        for user in office_users(session, office_id):
            session.delete(user)
        session.flush()
        region_id = office.region_id
        session.delete(office)
        session.flush()
        session.execute(delete(Region).where(Region.id == region_id))


def office_users(session: Session, office_id: int) -> list:  # type: ignore[type-arg]
    from core.models import User, UserOffice

    ids = select(UserOffice.user_id).where(UserOffice.office_id == office_id)
    return list(session.scalars(select(User).where(User.id.in_(ids))))


def test_a_job_solves_with_no_session_open(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """A solve takes seconds of CPU: no database session may stay open through it."""
    open_now = 0

    @contextmanager
    def counted_session() -> Iterator[Session]:
        nonlocal open_now
        open_now += 1
        try:
            yield db
            db.flush()
        finally:
            open_now -= 1

    sessions_during_solve: list[int] = []
    solve = plans.solve

    def watched_solve(*args: Any, **kwargs: Any) -> Any:
        sessions_during_solve.append(open_now)
        return solve(*args, **kwargs)

    monkeypatch.setattr(jobs, "open_session", counted_session)
    monkeypatch.setattr(plans, "solve", watched_solve)
    day = make_day(db)
    plan_id = jobs.run_plan_job(day.office.id, MONDAY.isoformat(), 1.0, None)
    assert sessions_during_solve == [0]
    stored = db.get(Plan, plan_id)
    assert stored is not None and sum(len(r.stops) for r in stored.routes) == 7
