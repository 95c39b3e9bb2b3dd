"""The worker's day on the phone: `GET /api/me/route` shows the approved plan's stops in
order, each with the client's essentials and the visit's status so far."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.models import Role
from planner.models import Plan, PlanRoute, PlanStatus, PlanStop
from registry.models import Worker
from tests import factories
from tests.factories import auth
from tracking.models import Visit

DAY = date(2026, 11, 24)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(DAY, time(hour, minute), UTC)


def plan(
    db: Session, office_id: int, version: int, status: PlanStatus, stops: list[tuple[Worker, int]]
) -> Plan:
    """A plan of one route per worker; `stops` are (worker, client id) in visiting order."""
    row = Plan(office_id=office_id, day=DAY, version=version, status=status)
    db.add(row)
    db.flush()
    routes: dict[int, PlanRoute] = {}
    for seq, (worker, client_id) in enumerate(stops, start=1):
        route = routes.get(worker.id)
        if route is None:
            route = PlanRoute(plan_id=row.id, worker_id=worker.id, start=at(8), end=at(17))
            db.add(route)
            db.flush()
            routes[worker.id] = route
        db.add(
            PlanStop(
                route_id=route.id,
                plan_id=row.id,
                worker_id=worker.id,
                client_id=client_id,
                seq=seq,
                arrival=at(8 + seq),
                start=at(8 + seq),
                end=at(8 + seq, 30),
                services=[{"code": "C01", "name": "Покупка продуктов"}]
                if seq == 1
                else [{"code": "C02", "name": "Уборка", "minutes": 45}],
            )
        )
    db.flush()
    db.expire_all()  # routes and stops are read back through their relationships
    return row


def test_route_shows_the_approved_plan_with_client_cards_and_statuses(
    api: TestClient, db: Session
) -> None:
    office = factories.office(db)
    user = factories.user(db, Role.WORKER)
    worker = factories.worker(db, office, user)
    colleague = factories.worker(db, office)
    factories.service(db, office, code="C01", minutes=30)
    factories.service(db, office, code="C02", minutes=40)
    first = factories.client(
        db,
        office,
        phone="+7 495 123-45-67",
        notes="подъезд 2, код домофона 15К",
        window_start=time(9),
        window_end=time(12),
        lonlat=(37.79, 55.752),
    )
    second = factories.client(db, office, lonlat=(37.80, 55.755))
    theirs = factories.client(db, office)
    plan(db, office.id, 1, PlanStatus.SUPERSEDED, [(worker, theirs.id)])
    approved = plan(
        db,
        office.id,
        2,
        PlanStatus.APPROVED,
        [(worker, first.id), (colleague, theirs.id), (worker, second.id)],
    )
    plan(db, office.id, 3, PlanStatus.DRAFT, [(worker, second.id), (worker, first.id)])
    db.add(
        Visit(
            office_id=office.id,
            worker_id=worker.id,
            client_id=first.id,
            day=DAY,
            status="done",
            arrived_at=at(9, 2),
            departed_at=at(9, 35),
        )
    )
    db.flush()

    answer = api.get(f"/api/me/route?day={DAY.isoformat()}", headers=auth(user))

    assert answer.status_code == 200, answer.text
    route = answer.json()
    assert route["plan_id"] == approved.id and route["worker_id"] == worker.id
    assert route["start"] == at(8).isoformat() and route["end"] == at(17).isoformat()
    assert [s["client"]["id"] for s in route["stops"]] == [first.id, second.id]
    done, planned = route["stops"]
    assert done["status"] == "done"
    assert done["arrived_at"] == at(9, 2).isoformat()
    assert done["departed_at"] == at(9, 35).isoformat()
    assert planned["status"] == "planned" and planned["arrived_at"] is None
    # the catalogue fills in minutes a stop does not carry; a stop's own minutes win
    assert done["services"] == [{"code": "C01", "name": "Покупка продуктов", "minutes": 30}]
    assert planned["services"] == [{"code": "C02", "name": "Уборка", "minutes": 45}]
    card = done["client"]
    assert card["full_name"] == first.full_name and card["address"] == first.address
    assert card["phone"] == "+7 495 123-45-67"
    assert card["notes"] == "подъезд 2, код домофона 15К"
    assert (card["lat"], card["lon"]) == (55.752, 37.79)
    assert card["navigation"] == {
        "yandex": "https://yandex.ru/maps/?rtext=~55.752,37.79",
        "geo": "geo:55.752,37.79",
    }
    assert (card["window_start"], card["window_end"]) == ("09:00:00", "12:00:00")
    assert set(card) == {
        "id",
        "full_name",
        "address",
        "phone",
        "notes",
        "lat",
        "lon",
        "navigation",
        "window_start",
        "window_end",
    }  # nothing more than a worker needs at the door


def test_route_of_a_day_without_an_approved_plan_is_empty(api: TestClient, db: Session) -> None:
    office = factories.office(db)
    user = factories.user(db, Role.WORKER)
    worker = factories.worker(db, office, user)
    client = factories.client(db, office)
    plan(db, office.id, 1, PlanStatus.DRAFT, [(worker, client.id)])

    answer = api.get(f"/api/me/route?day={DAY.isoformat()}", headers=auth(user))
    other_day = api.get(
        f"/api/me/route?day={(DAY + timedelta(days=1)).isoformat()}", headers=auth(user)
    )

    for reply in (answer, other_day):
        assert reply.status_code == 200
        assert reply.json()["plan_id"] is None and reply.json()["stops"] == []


def test_route_is_for_field_workers_only(api: TestClient, db: Session) -> None:
    office = factories.office(db)
    supervisor = factories.user(db, Role.SUPERVISOR, offices=[office])

    answer = api.get(f"/api/me/route?day={DAY.isoformat()}", headers=auth(supervisor))

    assert answer.status_code == 403
