"""A field worker reaches only the clients of their zone, their usual clients, those on their
approved routes of today and the days ahead, and those of approved routes of the last
`past_client_days` days. Drafts, other workers' routes and older routes give no reach."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.models import Office, Role
from core.settings import get_settings
from planner.models import Plan, PlanRoute, PlanStatus, PlanStop
from registry.models import Client, Worker
from tests import factories as f
from tracking.caseload import worker_client_ids


def _route(
    db: Session,
    office: Office,
    worker: Worker,
    client: Client,
    days: int,
    status: PlanStatus,
    version: int = 1,
) -> None:
    """A plan `days` from today (negative: past) with one stop of `client` for `worker`."""
    tz = ZoneInfo(get_settings().timezone)
    day = datetime.now(tz).date() + timedelta(days=days)
    plan = Plan(office_id=office.id, day=day, version=version, status=status)
    at = datetime.combine(day, time(9), tz)
    route = PlanRoute(worker_id=worker.id, start=at, end=at + timedelta(hours=8))
    plan.routes = [route]
    db.add(plan)
    db.flush()
    route.stops.append(
        PlanStop(
            plan_id=plan.id, worker_id=worker.id, client_id=client.id, seq=1, arrival=at,
            start=at, end=at + timedelta(minutes=30), travel_s=0, services=[],
        )
    )  # fmt: skip
    db.flush()


def test_reach_follows_approved_routes_and_expires(api: TestClient, db: Session) -> None:
    office = f.office(db)
    login = f.user(db, Role.WORKER)
    worker, colleague = f.worker(db, office, login), f.worker(db, office)
    keep = get_settings().past_client_days
    clients = {name: f.client(db, office) for name in (
        "today", "tomorrow", "recent", "expired", "draft", "colleague", "usual", "stranger",
    )}  # fmt: skip
    _route(db, office, worker, clients["today"], 0, PlanStatus.APPROVED)
    _route(db, office, worker, clients["tomorrow"], 1, PlanStatus.APPROVED)
    _route(db, office, worker, clients["recent"], -keep, PlanStatus.APPROVED)
    _route(db, office, worker, clients["expired"], -keep - 1, PlanStatus.APPROVED)
    _route(db, office, worker, clients["draft"], 1, PlanStatus.DRAFT, version=2)
    _route(db, office, colleague, clients["colleague"], 2, PlanStatus.APPROVED)
    clients["usual"].preferred_worker_id = worker.id
    db.flush()

    reach = worker_client_ids(db, worker)
    expected = {clients[n].id for n in ("today", "tomorrow", "recent", "usual")}
    assert reach & {c.id for c in clients.values()} == expected

    headers = f.auth(login)
    for name, client in clients.items():
        code = api.get(f"/api/clients/{client.id}", headers=headers).status_code
        assert code == (200 if client.id in expected else 404), name
        card = api.get(f"/api/me/clients/{client.id}", headers=headers).status_code
        assert card == (200 if client.id in expected else 404), name
    listed = api.get(f"/api/offices/{office.id}/clients", headers=headers).json()
    assert {c["id"] for c in listed["items"]} == expected


def test_the_zone_gives_reach(db: Session) -> None:
    from zones import service as zone_service
    from zones.models import Zone

    office = f.office(db)
    worker = f.worker(db, office)
    client = f.client(db, office)
    f.care_plan(db, client, [(f.service(db, office), "daily")])
    zone_service.rebalance(db, user=None, office_id=office.id, save=True, time_limit_s=1.0)
    zone = db.query(Zone).filter(Zone.worker_id == worker.id).one()
    assert zone is not None
    assert client.id in worker_client_ids(db, worker)
