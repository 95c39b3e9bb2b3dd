"""Week plans stored (real PostGIS and Redis): a week planned as a job into one draft per day
linked as a week, approved a day and the whole week, a visit moved to another day with the
check, one day re-planned without touching the others, where a queued client fits, and bad
rules refused by client and line with nothing stored."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, time

import pytest
import redis
from fastapi.testclient import TestClient
from rq import SimpleWorker
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Office, Role, User
from core.settings import get_settings
from planner import jobs, week_jobs
from planner.models import Plan, PlanStatus, PlanWeek
from registry.models import Client, ClientStatus, Worker, WorkerAbsence, WorkerShift
from tests import factories as f
from tracking.models import Visit

pytestmark = [pytest.mark.db, pytest.mark.redis]

MONDAY = date(2026, 11, 2)  # Wednesday 4 November is Unity Day, a holiday
HOLIDAY = date(2026, 11, 4)
THURSDAY = date(2026, 11, 5)
SATURDAY = date(2026, 11, 7)


@dataclass
class Office1:
    office: Office
    supervisor: User
    anna: Worker
    boris: Worker
    duty: Worker
    daily: list[Client]
    movable: Client
    fixed: Client
    queued: Client


def make_office(db: Session) -> Office1:
    office = f.office(db)
    supervisor = f.user(db, Role.SUPERVISOR, offices=[office])
    anna = f.worker(db, office, full_name="Анна Week")
    boris = f.worker(db, office, full_name="Борис Week")
    duty = f.worker(db, office, full_name="Дежурная Week")
    boris.absences = [WorkerAbsence(date_from=THURSDAY, date_to=THURSDAY, reason="отгул")]
    duty.shifts += [
        WorkerShift(weekday=d, start=time(9), end=time(15), lunch_minutes=0) for d in (6, 7)
    ]
    meals = f.service(db, office, "D01", 20)
    cleaning = f.service(db, office, "C02", 60)
    shopping = f.service(db, office, "S03", 40)
    daily = []
    for n in range(3):
        c = f.client(db, office, lonlat=(37.776 + 0.003 * n, 55.746 + 0.002 * n))
        f.care_plan(db, c, [(meals, "daily")])
        daily.append(c)
    movable = f.client(db, office, lonlat=(37.79, 55.752), full_name="Перемещаемая Week")
    f.care_plan(db, movable, [(cleaning, "every:7;move;tol=2")])
    fixed = f.client(db, office, lonlat=(37.785, 55.749), full_name="Фиксированная Week")
    f.care_plan(db, fixed, [(shopping, "weekdays:2")])
    queued = f.client(db, office, lonlat=(37.781, 55.748), status=ClientStatus.QUEUED)
    f.care_plan(db, queued, [(shopping, "weekly:2;move")])
    db.flush()
    return Office1(office, supervisor, anna, boris, duty, daily, movable, fixed, queued)


@pytest.fixture
def queue_redis() -> Iterator[redis.Redis]:
    conn = redis.Redis.from_url(get_settings().redis_url)
    jobs.planning_queue(conn).empty()
    yield conn
    jobs.planning_queue(conn).empty()
    conn.close()


@pytest.fixture
def in_test_session(db: Session, monkeypatch: pytest.MonkeyPatch) -> Session:
    @contextmanager
    def use_test_session() -> Iterator[Session]:
        yield db
        db.flush()

    monkeypatch.setattr(jobs, "open_session", use_test_session)
    return db


def _work(conn: redis.Redis) -> None:
    SimpleWorker([jobs.planning_queue(conn)], connection=conn).work(burst=True)


def _plan_week(db: Session, conn: redis.Redis, o: Office1) -> PlanWeek:
    job = week_jobs.enqueue_week(
        office_id=o.office.id,
        start=MONDAY,
        end=SATURDAY.replace(day=8),
        time_limit_s=4,
        user_id=o.supervisor.id,
        connection=conn,
    )
    _work(conn)
    status = jobs.job_status(job.id, conn)
    assert status is not None and status["status"] == "finished", status
    week = db.get(PlanWeek, status["week_id"])
    assert week is not None
    return week


def _visits(db: Session, week: PlanWeek) -> dict[date, dict[int, int]]:
    """Day -> client -> worker, from the week's newest plan of each day."""
    from planner.week_store import week_days

    return {
        day: {s.client_id: r.worker_id for r in plan.routes for s in r.stops}
        for day, plan in week_days(db, week).items()
    }


def test_week_job_stores_a_draft_per_day_and_covers_weekends(
    in_test_session: Session, queue_redis: redis.Redis, api: TestClient
) -> None:
    db = in_test_session
    o = make_office(db)
    week = _plan_week(db, queue_redis, o)
    days = db.scalars(select(Plan).where(Plan.week_id == week.id).order_by(Plan.day)).all()
    assert [p.day.isoformat() for p in days] == [
        f"2026-11-0{d}" for d in range(2, 9)
    ]  # one draft per day
    assert all(p.status == PlanStatus.DRAFT for p in days)
    visits = _visits(db, week)
    for day in (HOLIDAY, SATURDAY):  # only the duty worker works; daily clients are visited
        assert set(visits[day].values()) == {o.duty.id}
        assert {c.id for c in o.daily} <= set(visits[day])
    # the fixed line stays on Tuesday; the movable one lands within its tolerance
    assert [d for d, v in visits.items() if o.fixed.id in v] == [date(2026, 11, 3)]
    cleaning = [d for d, v in visits.items() if o.movable.id in v]
    assert len(cleaning) == 1

    head = f.auth(o.supervisor)
    view = api.get(f"/api/plan-weeks/{week.id}", headers=head)
    assert view.status_code == 200, view.text
    rows = {w["worker_id"]: w for w in view.json()["workers"]}
    anna_holiday = next(c for c in rows[o.anna.id]["cells"] if c["day"] == HOLIDAY.isoformat())
    assert not anna_holiday["on_duty"] and anna_holiday["work_minutes"] == 0
    duty_sat = next(c for c in rows[o.duty.id]["cells"] if c["day"] == SATURDAY.isoformat())
    assert duty_sat["work_minutes"] > 60 and len(duty_sat["visits"]) >= 3
    assert view.json()["days"][2]["off"]  # the holiday says why
    boris_off = next(c for c in rows[o.boris.id]["cells"] if c["day"] == THURSDAY.isoformat())
    assert boris_off["absent"] and not boris_off["on_duty"] and not boris_off["visits"]
    assert o.boris.id not in set(visits[THURSDAY].values())

    # approve one day, then the whole week: every day approved once
    one = api.post(
        f"/api/plan-weeks/{week.id}/approve", json={"day": MONDAY.isoformat()}, headers=head
    )
    assert one.status_code == 200 and len(one.json()) == 1
    rest = api.post(f"/api/plan-weeks/{week.id}/approve", json={}, headers=head)
    assert rest.status_code == 200 and len(rest.json()) == 6
    assert all(p.status == PlanStatus.APPROVED for p in days)


def test_move_to_another_day_checks_rule_and_fit(
    in_test_session: Session, queue_redis: redis.Redis, api: TestClient
) -> None:
    db = in_test_session
    o = make_office(db)
    week = _plan_week(db, queue_redis, o)
    head = f.auth(o.supervisor)
    visits = _visits(db, week)
    url = f"/api/plan-weeks/{week.id}/move"
    # the fixed Tuesday line cannot move to Thursday: 409 with a code the pages translate
    body = {
        "client_id": o.fixed.id,
        "from_day": "2026-11-03",
        "to_day": "2026-11-05",
        "to_worker_id": o.anna.id,
    }
    refused = api.post(url, json=body, headers=head)
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "week.rule_day"
    assert "Фиксированная Week" in refused.json()["detail"]
    # nobody but the duty worker works on the holiday
    from_day = next(d for d, v in visits.items() if o.movable.id in v)
    to_day = next(
        d
        for d in (date(2026, 11, 3), date(2026, 11, 5), date(2026, 11, 6))
        if d != from_day and abs((d - from_day).days) <= 2
    )
    body = {
        "client_id": o.movable.id,
        "from_day": from_day.isoformat(),
        "to_day": HOLIDAY.isoformat(),
        "to_worker_id": o.anna.id,
    }
    if abs((HOLIDAY - from_day).days) <= 2 and from_day != HOLIDAY:
        off = api.post(url, json=body, headers=head)
        assert off.status_code == 409 and off.json()["code"] == "week.off_duty", off.text
    before = db.scalar(select(func.count()).select_from(Plan).where(Plan.week_id == week.id))
    body["to_day"] = to_day.isoformat()
    # a visit the phone has already finished or marked stays on its day
    for status in ("no_show", "done"):
        begun = Visit(office_id=o.office.id, worker_id=visits[from_day][o.movable.id],
                      client_id=o.movable.id, day=from_day, status=status, services=[],
                      minutes=0, confirmed=False, reason="", flags=[])  # fmt: skip
        db.add(begun)
        db.flush()
        refused = api.post(url, json=body, headers=head)
        assert refused.status_code == 409, refused.text
        assert refused.json()["code"] == f"week.started.{status}", refused.text
        assert refused.json()["params"]["status"] == status
        db.delete(begun)
        db.flush()
    dry = api.post(url, json={**body, "dry_run": True}, headers=head)
    assert dry.status_code == 200, dry.text
    assert dry.json()["plans"] == []
    moved = api.post(url, json=body, headers=head)
    assert moved.status_code == 200, moved.text
    after = _visits(db, week)
    assert after[to_day][o.movable.id] == o.anna.id
    assert o.movable.id not in after[from_day]
    # drafts are edited in place: no new versions
    count = db.scalar(select(func.count()).select_from(Plan).where(Plan.week_id == week.id))
    assert count == before


def test_replanning_one_day_keeps_the_others(
    in_test_session: Session, queue_redis: redis.Redis
) -> None:
    db = in_test_session
    o = make_office(db)
    week = _plan_week(db, queue_redis, o)
    before = _visits(db, week)
    job = week_jobs.enqueue_day_again(
        week_id=week.id, office_id=o.office.id, day=MONDAY, time_limit_s=1, connection=queue_redis
    )
    _work(queue_redis)
    status = jobs.job_status(job.id, queue_redis)
    assert status is not None and status["status"] == "finished", status
    plan = db.get(Plan, status["plan_id"])
    assert plan is not None and plan.week_id == week.id and plan.version == 2
    after = _visits(db, week)
    assert set(after[MONDAY]) == set(before[MONDAY])  # the same visits, planned again
    assert {d: v for d, v in after.items() if d != MONDAY} == {
        d: v for d, v in before.items() if d != MONDAY
    }


def test_queued_client_fit(
    in_test_session: Session, queue_redis: redis.Redis, api: TestClient
) -> None:
    db = in_test_session
    o = make_office(db)
    week = _plan_week(db, queue_redis, o)
    head = f.auth(o.supervisor)
    answer = api.get(f"/api/plan-weeks/{week.id}/fit/{o.queued.id}", headers=head)
    assert answer.status_code == 200, answer.text
    advice = answer.json()
    assert advice["fits"] and advice["tasks"] == 2
    best = advice["options"][0]
    assert len(best["days"]) == 2 and best["minutes"] == 80
    assert {r["worker_id"] for r in advice["room_minutes"]} == {
        o.anna.id,
        o.boris.id,
        o.duty.id,
    }
    listed = api.get(f"/api/plan-weeks/{week.id}/fits", headers=head)
    assert listed.status_code == 200
    assert [c["client_id"] for c in listed.json()] == [o.queued.id]
    assert listed.json()[0]["fits"]


def test_bad_rule_names_client_and_line_and_stores_nothing(
    db: Session, queue_redis: redis.Redis, api: TestClient
) -> None:
    o = make_office(db)
    cleaning = f.service(db, o.office, "X09", 30)
    bad = f.client(db, o.office, full_name="Неверная Правило")
    plan = f.care_plan(db, bad, [(cleaning, "daily")])
    plan.lines[0].recurrence = "every:2;move;tol=1"  # +-1 on a 2-day interval: visits meet
    db.flush()
    weeks = db.scalar(select(func.count()).select_from(PlanWeek))
    answer = api.post(
        f"/api/offices/{o.office.id}/plan-weeks",
        json={"week": "2026-W45"},
        headers=f.auth(o.supervisor),
    )
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["code"] == "week.rule"
    assert "Неверная Правило" in body["detail"] and "line 1" in body["detail"]
    assert db.scalar(select(func.count()).select_from(PlanWeek)) == weeks
    assert len(jobs.planning_queue(queue_redis)) == 0
    month = api.post(
        f"/api/offices/{o.office.id}/plan-weeks",
        json={"month": "2026-12", "time_limit_s": 60},
        headers=f.auth(o.supervisor),
    )
    assert month.status_code == 422  # the bad line is named for a month too
    bad.status = ClientStatus.DISCHARGED
    db.flush()
    month = api.post(
        f"/api/offices/{o.office.id}/plan-weeks",
        json={"month": "2026-12", "time_limit_s": 60},
        headers=f.auth(o.supervisor),
    )
    assert month.status_code == 202, month.text
    assert (month.json()["start"], month.json()["end"]) == ("2026-12-01", "2026-12-31")
    queued = jobs.job_status(month.json()["job_id"], queue_redis)
    assert queued is not None and queued["kind"] == "week"
    jobs.planning_queue(queue_redis).empty()
    wrong = api.post(
        f"/api/offices/{o.office.id}/plan-weeks",
        json={"week": "2026-W99"},
        headers=f.auth(o.supervisor),
    )
    assert wrong.status_code == 422
