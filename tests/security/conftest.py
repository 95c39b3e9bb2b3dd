"""A world for access tests: one region with the office under test and a second office (another
department), each role's login, and one of every object of the office the routes take by id.

Built on the rolled-back session (`db`), so every request of a test sees it and nothing stays."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from core.models import Role, User
from core.settings import get_settings
from registry.models import WorkerAbsence
from tests import factories as f

ROLES = ("anonymous", "worker", "other_supervisor", "supervisor", "manager", "admin")


@dataclass
class World:
    """Ids of the office under test (`ids`) and of the other department's (`other`), and
    each role's login (None for anonymous)."""

    ids: dict[str, Any]
    other: dict[str, Any]
    users: dict[str, User | None] = field(default_factory=dict)
    jobs: list[Any] = field(default_factory=list)

    def headers(self, role: str) -> dict[str, str]:
        user = self.users[role]
        return f.auth(user) if user is not None else {}


def _office_objects(db: Session, office: Any, worker_user: User | None) -> dict[str, Any]:
    """One of everything in `office`, returned as the ids the routes' paths take."""
    from planner import jobs
    from planner.models import Plan, PlanRoute, PlanStatus, PlanStop, PlanWeek
    from tracking.devices import register_device
    from zones import service as zone_service

    tz = ZoneInfo(get_settings().timezone)
    today = datetime.now(tz).date()
    worker = f.worker(db, office, worker_user)
    spare_worker = f.worker(db, office)
    service = f.service(db, office, "A01")
    spare_service = f.service(db, office, "Z09")
    client = f.client(db, office, preferred_worker_id=worker.id)
    spare_client = f.client(db, office, lonlat=(37.80, 55.745))
    f.care_plan(db, client, [(service, "daily")])
    f.care_plan(db, spare_client, [(service, "weekdays:1,3,5")])
    absence = WorkerAbsence(
        worker_id=worker.id, date_from=date(2026, 7, 1), date_to=date(2026, 7, 14)
    )
    db.add(absence)
    db.flush()
    zone_set = zone_service.rebalance(
        db, user=None, office_id=office.id, save=True, time_limit_s=1.0
    )
    week = PlanWeek(office_id=office.id, start=today, end=today)
    db.add(week)
    db.flush()
    plan = Plan(office_id=office.id, day=today, version=1, status=PlanStatus.DRAFT, week_id=week.id)
    at = datetime.combine(today, time(9), tz)
    route = PlanRoute(worker_id=worker.id, start=at, end=at + timedelta(hours=8))
    plan.routes = [route]
    db.add(plan)
    db.flush()
    stop = PlanStop(
        plan_id=plan.id, worker_id=worker.id, client_id=client.id, seq=1, arrival=at,
        start=at, end=at + timedelta(minutes=30), travel_s=600,
        services=[{"code": "A01", "name": "Покупка продуктов", "minutes": 30}],
    )  # fmt: skip
    route.stops.append(stop)
    db.flush()
    device, _ = register_device(db, worker=worker, name="phone", external_id=None)
    job = jobs.enqueue_plan(office_id=office.id, day=today, time_limit_s=1)
    zone_set_id = zone_set["zone_set_id"] if isinstance(zone_set, dict) else zone_set.id
    return {
        "office_id": office.id,
        "region_id": office.region_id,
        "worker_id": worker.id,
        "spare_worker_id": spare_worker.id,
        "absence_id": absence.id,
        "client_id": client.id,
        "spare_client_id": spare_client.id,
        "service_id": service.id,
        "spare_service_id": spare_service.id,
        "zone_set_id": zone_set_id,
        "plan_id": plan.id,
        "week_id": week.id,
        "stop_id": stop.id,
        "device_id": device.id,
        "job_id": job.id,
        "job": job,
        "day": today.isoformat(),
    }


def build_world(db: Session) -> World:
    region = f.region(db)
    office = f.office(db, region)
    other_office = f.office(db, region)
    worker_user = f.user(db, Role.WORKER)
    other_worker_user = f.user(db, Role.WORKER)
    users: dict[str, User | None] = {
        "anonymous": None,
        "worker": worker_user,
        "other_supervisor": f.user(db, Role.SUPERVISOR, offices=[other_office]),
        "supervisor": f.user(db, Role.SUPERVISOR, offices=[office]),
        "manager": f.user(db, Role.MANAGER, region_id=region.id),
        "admin": f.user(db, Role.ADMIN),
    }
    ids = _office_objects(db, office, worker_user)
    other = _office_objects(db, other_office, other_worker_user)
    other["worker_user"] = other_worker_user
    world = World(ids=ids, other=other, users=users, jobs=[ids.pop("job"), other.pop("job")])
    return world


@pytest.fixture
def world(db: Session) -> Iterator[World]:
    made = build_world(db)
    try:
        yield made
    finally:
        from planner import jobs

        for job in made.jobs:
            job.delete()
        jobs.planning_queue().empty()  # what the routes queued: nobody is to plan it
